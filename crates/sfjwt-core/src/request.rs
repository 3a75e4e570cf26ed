//! Building the token request (RFC 7523 §2.1, RFC 6749 §4.1.3 form encoding).
//!
//! A pure function: endpoint + signed assertion in, `http::Request<Vec<u8>>` out. No I/O, so
//! the exact bytes can be asserted in tests and any transport can send them.

use crate::endpoint::TokenEndpoint;
use crate::jws::SignedAssertion;

/// The `grant_type` of the JWT bearer flow (RFC 7523 §2.1).
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The `User-Agent` sent with every token request: `sfjwt/<version>`.
pub const USER_AGENT: &str = concat!("sfjwt/", env!("CARGO_PKG_VERSION"));

/// The form body: `grant_type=…&assertion=…`, `application/x-www-form-urlencoded`.
///
/// The body contains the assertion (a short-lived bearer credential); treat it as secret.
pub fn form_body(assertion: &SignedAssertion) -> Vec<u8> {
    // Sized up front: base64url and `.` need no form encoding, so the body is the assertion
    // plus about 100 bytes, and the string never regrows (which would leave a copy of the
    // assertion in freed memory). The transport wipes the body once it is sent.
    let capacity = assertion.expose_secret().len() + 128;
    form_urlencoded::Serializer::new(String::with_capacity(capacity))
        .append_pair("grant_type", GRANT_TYPE)
        .append_pair("assertion", assertion.expose_secret())
        .finish()
        .into_bytes()
}

/// Builds `POST {endpoint}/services/oauth2/token` with the form body and the headers
/// Salesforce expects (`Content-Type`, `Accept: application/json`, `User-Agent`).
///
/// # Errors
/// [`http::Error`] only if the endpoint URL cannot be a request URI, which
/// [`TokenEndpoint::parse`] already rules out.
///
/// ```
/// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// use std::time::SystemTime;
/// use sfjwt_core::{claims::Claims, endpoint::TokenEndpoint, jws, request::token_request};
/// let claims = Claims::builder().client_id("3MVG9abc").username("etl@acme.com").build(SystemTime::now())?;
/// let assertion = jws::sign(&claims, &key)?;
/// let request = token_request(&TokenEndpoint::production(), &assertion)?;
/// assert_eq!(request.uri(), "https://login.salesforce.com/services/oauth2/token");
/// assert!(request.body().starts_with(b"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJ"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn token_request(
    endpoint: &TokenEndpoint,
    assertion: &SignedAssertion,
) -> Result<http::Request<Vec<u8>>, http::Error> {
    http::Request::builder()
        .method(http::Method::POST)
        .uri(endpoint.token_url())
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(http::header::ACCEPT, "application/json")
        .header(http::header::USER_AGENT, USER_AGENT)
        .body(form_body(assertion))
}
