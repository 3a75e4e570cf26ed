//! API calls with a token, whatever the HTTP client: where the token may go, paths on the org
//! written before its instance is known, the `Authorization` header, and what a 401 means.
//!
//! The middleware of `sfjwt-reqwest` and `sfjwt-ureq` are each a trait impl over these; a
//! middleware for another client needs nothing else from sfjwt. The rules:
//!
//! - The token goes only to the [`Origin`] (scheme, host, port) of the token's `instance_url`,
//!   or of its `api_instance_url` where the caller opts in ([`HostChoice`]).
//! - A path written with [`org_url`] names a placeholder host under `.invalid`; the middleware
//!   puts the token's origin in front of it ([`Origin::rebase`]) when the request is sent, so
//!   a request that bypasses the middleware resolves nowhere.
//! - Only a 401 whose body says `INVALID_SESSION_ID`
//!   ([`says_invalid_session`](crate::response::says_invalid_session), reading at most
//!   [`PEEK_LIMIT`] bytes) leads to one re-grant and one retry; a 401 handed back without a
//!   retry carries a [`NotRetried`] response extension. When the re-grant rule
//!   ([`manual::regrant`](crate::manual::regrant)) stops granting, the request fails with
//!   [`MiddlewareError::Token`].

mod error;
mod origin;
mod refusal;
mod target;

pub use error::MiddlewareError;
pub use origin::{
    HostChoice, OrgPathError, Origin, PLACEHOLDER_HOST, check_org_path, is_placeholder, org_url,
};
pub use refusal::{NotRetried, PEEK_LIMIT};
pub use target::{LastTarget, TokenTarget};
