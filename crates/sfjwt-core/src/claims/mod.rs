//! The assertion's claims (RFC 7519 §4.1, RFC 7523 §3) and Salesforce's rules for them.
//!
//! [`Claims::builder`] validates everything Salesforce would reject *before* anything is
//! signed, so a mistake surfaces as a typed [`ClaimsError`] that names the fix instead of an
//! opaque `invalid_grant` from the server.

mod audience;
mod builder;
mod error;

pub use audience::Audience;
pub use builder::{Claims, ClaimsBuilder, DEFAULT_LIFETIME, MAX_LIFETIME};
pub use error::{ClaimName, ClaimsError};
