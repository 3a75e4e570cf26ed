//! Parsing the token endpoint's answer.
//!
//! Pure functions over `http::Response<Vec<u8>>`: a 200 becomes a [`TokenResponse`], a
//! Salesforce error JSON an [`OAuthError`] with the remediation from [`manual::errors`](crate::manual::errors), and
//! anything else (a proxy's HTML page, an empty or truncated body, JSON of the wrong shape…) a
//! [`ResponseError`] quoting a short, sanitised excerpt — never an access token.
//!
//! Every piece of server-chosen text that a `Display` or `Debug` impl shows goes through
//! [`sanitize`] first: no terminal escapes, no line breaks, a bounded length.

mod api_error;
mod error;
mod oauth_error;
mod parse;
mod sanitize;
mod terminal;
mod token;

pub use api_error::says_invalid_session;
pub use error::ResponseError;
pub use oauth_error::{OAuthError, OAuthErrorCode};
pub use parse::{DEFAULT_MAX_BODY, parse_token_response};
pub use sanitize::{DISPLAY_CHARS, is_unsafe_char, sanitize};
pub use terminal::{json_escaped, terminal_json, terminal_text};
pub use token::{AccessToken, TokenResponse};
