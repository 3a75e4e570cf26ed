//! Self-signed certificates made *through a signer*: the certificate for a key that never
//! leaves its vault (a PKCS#11 token, a cloud KMS), which cannot be handed to a certificate
//! library as key material.
//!
//! Salesforce only needs the certificate for its public key: it checks assertions against it
//! and ignores the issuer and chain (a self-signed certificate is what its docs show). So the
//! certificate is an X.509 v3 end-entity certificate (RFC 5280) whose issuer is its subject,
//! signed `sha256WithRSAEncryption` (RFC 4055 §5) — the same RSASSA-PKCS1-v1_5/SHA-256
//! operation as an RS256 JWS, so any [`Signer`] can sign it. The TBS part is built first, the
//! signer signs its DER, and the signature is checked against the public key before the
//! certificate is returned: a signer that is not the public key's pair (a wrong key URI) is
//! reported, not written out as a certificate Salesforce would never match.

use std::str::FromStr as _;
use std::time::{Duration, SystemTime};

use der::EncodePem as _;
use der::pem::LineEnding;
use rsa::signature::Keypair;
use spki::{AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder as _, CertificateBuilder};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::ext::{Extension, ToExtension as _};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use super::PublicKey;
use crate::jws::{AsyncSigner, SignError, Signer, verify_rs256_signature};

/// What goes into a self-signed certificate besides the key.
///
/// ```
/// use std::time::Duration;
/// use sfjwt_core::key::CertificateSpec;
/// let spec = CertificateSpec::new("acme integration").valid_for(Duration::from_secs(730 * 86_400));
/// assert_eq!(spec.common_name(), "acme integration");
/// ```
#[derive(Debug, Clone)]
pub struct CertificateSpec {
    common_name: String,
    valid_for: Duration,
}

impl CertificateSpec {
    /// A certificate for the common name (CN) `common_name`, valid for 365 days.
    pub fn new(common_name: impl Into<String>) -> Self {
        Self {
            common_name: common_name.into(),
            valid_for: Duration::from_secs(365 * 86_400),
        }
    }

    /// Sets how long the certificate is valid from now. Salesforce refuses assertions once
    /// the uploaded certificate has expired.
    #[must_use]
    pub fn valid_for(mut self, valid_for: Duration) -> Self {
        self.valid_for = valid_for;
        self
    }

    /// The common name.
    pub fn common_name(&self) -> &str {
        &self.common_name
    }
}

/// Why a self-signed certificate could not be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum CertificateError {
    /// The common name cannot be encoded as an X.509 name (it is empty, or too long).
    /// Use letters, digits, spaces and dashes.
    Subject {
        /// The common name given.
        common_name: String,
    },
    /// The validity period does not fit an X.509 time (before 1950 or after 9999), or the
    /// serial number could not be drawn (the system random source failed).
    Parameters {
        /// What was wrong.
        what: &'static str,
    },
    /// The signer failed (an unreachable HSM or KMS, a refused key, a wrong PIN). The cause
    /// is in `source()`.
    Sign(SignError),
    /// The signer's signature does not verify with the public key given: the signer holds
    /// another key (a key URI that names a different key than the public key was read from).
    NotThePair,
    /// The certificate could not be encoded (not expected; a bug if it happens).
    Encoding {
        /// The encoder's message.
        detail: String,
    },
}

impl core::fmt::Display for CertificateError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Subject { common_name } => write!(
                f,
                "the common name {common_name:?} cannot be used in a certificate: use 1 to 64 \
                 letters, digits, spaces and dashes"
            ),
            Self::Parameters { what } => write!(f, "cannot make the certificate: {what}"),
            Self::Sign(_) => f.write_str("the signer could not sign the certificate"),
            Self::NotThePair => f.write_str(
                "the signer's signature does not verify with the public key: the signer and \
                 the public key are not one key pair (check the key URI)",
            ),
            Self::Encoding { detail } => write!(f, "cannot encode the certificate: {detail}"),
        }
    }
}

impl std::error::Error for CertificateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Sign(e) => Some(e),
            _ => None,
        }
    }
}

/// Makes a self-signed certificate (PEM) for `public_key`, signed by `signer`, which must
/// hold the matching private key. Valid from a minute before `now` (servers whose clock lags
/// accept it at once) for `spec`'s duration.
///
/// # Errors
/// [`CertificateError`]: a bad common name, a failing signer, or a signer that is not the
/// public key's pair.
///
/// ```
/// use std::time::SystemTime;
/// use sfjwt_core::key::{Certificate, CertificateSpec, PrivateKey, self_signed_certificate};
/// let key = PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// let pem = self_signed_certificate(&key, &key.public_key(), &CertificateSpec::new("acme"), SystemTime::now())?;
/// assert!(Certificate::from_pem(&pem)?.is_pair_of(&key));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn self_signed_certificate(
    signer: &dyn Signer,
    public_key: &PublicKey,
    spec: &CertificateSpec,
    now: SystemTime,
) -> Result<String, CertificateError> {
    let (tbs, to_sign) = Tbs::new(public_key, spec, now)?;
    let signature = signer.sign_rs256(&to_sign);
    tbs.finish(&to_sign, signature)
}

/// [`self_signed_certificate`] with an [`AsyncSigner`] (a KMS key): the signature is awaited.
///
/// # Errors
/// As [`self_signed_certificate`].
pub async fn self_signed_certificate_async(
    signer: &(dyn AsyncSigner + Sync),
    public_key: &PublicKey,
    spec: &CertificateSpec,
    now: SystemTime,
) -> Result<String, CertificateError> {
    let (tbs, to_sign) = Tbs::new(public_key, spec, now)?;
    let signature = signer.sign_rs256_async(&to_sign).await;
    tbs.finish(&to_sign, signature)
}

/// A certificate waiting for its signature.
struct Tbs {
    builder: CertificateBuilder<SelfSigned>,
    key: CertKey,
    public_key: PublicKey,
}

// `Tbs` only holds owned DER values; assert it can cross an `.await` in a `Send` future.
const _: fn() = || {
    fn send<T: Send>() {}
    send::<Tbs>();
};

fn encoding(e: impl core::fmt::Display) -> CertificateError {
    CertificateError::Encoding {
        detail: e.to_string(),
    }
}

impl Tbs {
    /// The certificate without its signature, and the DER `TBSCertificate` the signer signs
    /// (RFC 5280 §4.1.1.3).
    fn new(
        public_key: &PublicKey,
        spec: &CertificateSpec,
        now: SystemTime,
    ) -> Result<(Self, Vec<u8>), CertificateError> {
        let subject_error = || CertificateError::Subject {
            common_name: spec.common_name.clone(),
        };
        let length = spec.common_name.chars().count();
        // RFC 5280 Appendix A.1: ub-common-name is 64.
        if length == 0 || length > 64 {
            return Err(subject_error());
        }
        let subject = Name::from_str(&format!("CN={}", escape_rdn(&spec.common_name)))
            .map_err(|_| subject_error())?;
        let spki_der = public_key.to_spki_der().map_err(encoding)?;
        let spki = <spki::SubjectPublicKeyInfoOwned as der::Decode>::from_der(&spki_der)
            .map_err(encoding)?;
        // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets, unique per issuer; 16
        // random bytes with the top bit cleared (positive) and the next set (no leading zero
        // octet to strip) will not repeat.
        let mut serial = [0u8; 16];
        getrandom::fill(&mut serial).map_err(|_| CertificateError::Parameters {
            what: "the system random source failed drawing the serial number",
        })?;
        if let Some(first) = serial.first_mut() {
            *first = (*first & 0x7f) | 0x40;
        }
        let serial = SerialNumber::new(&serial).map_err(encoding)?;
        let bad_time = || CertificateError::Parameters {
            what: "the validity period does not fit an X.509 date (1950 to 9999)",
        };
        let not_before = now.checked_sub(Duration::from_secs(60)).unwrap_or(now);
        let not_after = now.checked_add(spec.valid_for).ok_or_else(bad_time)?;
        let validity = Validity::new(
            Time::try_from(not_before).map_err(|_| bad_time())?,
            Time::try_from(not_after).map_err(|_| bad_time())?,
        );
        let builder = CertificateBuilder::new(SelfSigned { subject }, serial, validity, spki)
            .map_err(encoding)?;
        let mut tbs = Self {
            builder,
            key: CertKey(rsa::pkcs1v15::VerifyingKey::new(public_key.rsa().clone())),
            public_key: public_key.clone(),
        };
        let to_sign = tbs.builder.finalize(&tbs.key).map_err(encoding)?;
        Ok((tbs, to_sign))
    }

    /// The certificate with the signer's answer, once it verifies with the public key.
    fn finish(
        self,
        to_sign: &[u8],
        signature: Result<Vec<u8>, SignError>,
    ) -> Result<String, CertificateError> {
        let signature = signature.map_err(CertificateError::Sign)?;
        let signature = signature.as_slice();
        if verify_rs256_signature(&self.public_key, to_sign, signature).is_err() {
            return Err(CertificateError::NotThePair);
        }
        let signature = der::asn1::BitString::from_bytes(signature).map_err(encoding)?;
        let certificate = self
            .builder
            .assemble(signature, &self.key)
            .map_err(encoding)?;
        certificate.to_pem(LineEnding::LF).map_err(encoding)
    }
}

/// The public half, as the certificate builder wants it: it reads the algorithm identifier
/// (sha256WithRSAEncryption) from here; the signature itself comes from the [`Signer`].
struct CertKey(rsa::pkcs1v15::VerifyingKey<sha2::Sha256>);

impl Keypair for CertKey {
    type VerifyingKey = rsa::pkcs1v15::VerifyingKey<sha2::Sha256>;

    fn verifying_key(&self) -> Self::VerifyingKey {
        self.0.clone()
    }
}

impl DynSignatureAlgorithmIdentifier for CertKey {
    fn signature_algorithm_identifier(&self) -> spki::Result<AlgorithmIdentifierOwned> {
        self.0.signature_algorithm_identifier()
    }
}

/// RFC 4514 §2.4 escaping, so any common name parses as exactly one CN attribute.
fn escape_rdn(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && matches!(c, '#' | ' '))
            || (i == last && c == ' ');
        if special {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A self-signed end-entity certificate: issuer = subject, not a CA, for digital signatures.
struct SelfSigned {
    subject: Name,
}

impl BuilderProfile for SelfSigned {
    fn get_issuer(&self, subject: &Name) -> Name {
        subject.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        tbs: &x509_cert::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut extensions = Vec::new();
        let ski = SubjectKeyIdentifier::try_from(spk)?;
        extensions.push(
            BasicConstraints {
                ca: false,
                path_len_constraint: None,
            }
            .to_extension(tbs.subject(), &extensions)?,
        );
        extensions.push(
            KeyUsage(KeyUsages::DigitalSignature.into())
                .to_extension(tbs.subject(), &extensions)?,
        );
        extensions.push(ski.to_extension(tbs.subject(), &extensions)?);
        Ok(extensions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rdn_escaping() {
        assert_eq!(escape_rdn("acme, inc"), "acme\\, inc");
        assert_eq!(escape_rdn("#1 "), "\\#1\\ ");
        assert_eq!(escape_rdn("a=b+c"), "a\\=b\\+c");
    }
}
