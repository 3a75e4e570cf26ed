use zeroize::Zeroizing;

use super::b64;
use super::signer::{AsyncSigner, SignError, Signer};
use crate::claims::Claims;

/// The protected header sfjwt emits: Salesforce's documented form, nothing else
/// (no `typ`, no `kid`). RFC 7515 §4.1.1: `alg` is the only required parameter.
pub const HEADER_JSON: &str = r#"{"alg":"RS256"}"#;

/// A signed assertion in JWS compact serialization: `header.claims.signature`.
///
/// It is a bearer credential for up to three minutes, so it is treated as a secret: `Debug` is
/// redacted, there is no `Display`, and the text is zeroized on drop. Read it with
/// [`expose_secret`](Self::expose_secret) when it goes into the token request.
#[derive(Clone)]
pub struct SignedAssertion(Zeroizing<String>);

impl SignedAssertion {
    /// The compact JWS. Handle with care: whoever holds it can log in until it expires.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Debug for SignedAssertion {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SignedAssertion([redacted])")
    }
}

/// The JWS signing input (RFC 7515 §5.1 step 8): `b64(header) "." b64(claims)` in canonical
/// form. Exposed so known-answer tests and external signers can check each byte.
pub fn signing_input(claims: &Claims) -> String {
    let mut input = b64::encode(HEADER_JSON.as_bytes());
    input.push('.');
    input.push_str(&b64::encode(&claims.to_json()));
    input
}

/// Signs `claims` with `signer` and returns the compact JWS (RFC 7515 §7.1).
///
/// # Errors
/// [`SignError`] if the signer fails.
///
/// ```
/// # fn key() -> sfjwt_core::key::PrivateKey {
/// #     sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem")).unwrap()
/// # }
/// use std::time::SystemTime;
/// use sfjwt_core::{claims::Claims, jws};
/// let claims = Claims::builder().client_id("3MVG9abc").username("etl@acme.com").build(SystemTime::now())?;
/// let assertion = jws::sign(&claims, &key())?;
/// assert_eq!(assertion.expose_secret().split('.').count(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign(claims: &Claims, signer: &dyn Signer) -> Result<SignedAssertion, SignError> {
    let mut compact = Zeroizing::new(signing_input(claims));
    let signature = signer.sign_rs256(compact.as_bytes())?;
    compact.push('.');
    compact.push_str(&b64::encode(&signature));
    Ok(SignedAssertion(compact))
}

/// Signs `claims` with an [`AsyncSigner`] (a KMS, or any [`Signer`]) and returns the compact
/// JWS: the same bytes [`sign`] produces with the same key.
///
/// # Errors
/// [`SignError`] if the signer fails.
///
/// ```
/// # fn key() -> sfjwt_core::key::PrivateKey {
/// #     sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem")).unwrap()
/// # }
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::SystemTime;
/// use sfjwt_core::{claims::Claims, jws};
/// let claims = Claims::builder().client_id("3MVG9abc").username("etl@acme.com").build(SystemTime::now())?;
/// let assertion = jws::sign_async(&claims, &key()).await?;
/// assert_eq!(assertion.expose_secret(), jws::sign(&claims, &key())?.expose_secret());
/// # Ok(()) }
/// ```
pub async fn sign_async(
    claims: &Claims,
    signer: &(dyn AsyncSigner + Sync),
) -> Result<SignedAssertion, SignError> {
    let mut compact = Zeroizing::new(signing_input(claims));
    let signature = signer.sign_rs256_async(compact.as_bytes()).await?;
    compact.push('.');
    compact.push_str(&b64::encode(&signature));
    Ok(SignedAssertion(compact))
}
