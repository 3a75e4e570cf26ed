//! [`TokenTarget`]: a token with the origin it may be sent to and its header, derived once.

use core::fmt;
use std::sync::Arc;

use http::HeaderValue;

use super::{HostChoice, MiddlewareError, Origin};
use crate::response::TokenResponse;

/// A token with what a middleware derives from it before sending: the [`Origin`] it belongs
/// to and the `Authorization: Bearer …` value (marked sensitive, so `http`'s `Debug` of a
/// header map hides it). Cheap to clone; keep it while the manager hands out the same token
/// ([`is_for`](Self::is_for)).
///
/// ```
/// # use std::sync::Arc;
/// use sfjwt_core::api::{HostChoice, TokenTarget};
/// # let token = Arc::new(sfjwt_core::response::parse_token_response(&http::Response::builder().status(200).body(
/// #     br#"{"access_token":"00D000000000001!AQ","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA"}"#.to_vec()).unwrap(), 1 << 20)?);
/// let target = TokenTarget::new(Arc::clone(&token), HostChoice::Instance)?;
/// assert!(target.origin().contains(&"https://acme.my.salesforce.com/services".parse()?));
/// assert!(target.header().is_sensitive());
/// assert!(!format!("{target:?}").contains("00D000000000001!AQ"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct TokenTarget {
    token: Arc<TokenResponse>,
    origin: Origin,
    header: HeaderValue,
}

impl TokenTarget {
    /// Derives the origin (of the URL `choice` names) and the header of `token`.
    ///
    /// # Errors
    /// [`MiddlewareError::InstanceUrl`] when that URL is not absolute,
    /// [`MiddlewareError::MalformedToken`] when the token cannot be a header value.
    pub fn new(token: Arc<TokenResponse>, choice: HostChoice) -> Result<Self, MiddlewareError> {
        let base = choice.base_of(&token);
        let origin = base
            .parse::<http::Uri>()
            .ok()
            .as_ref()
            .and_then(Origin::of)
            .ok_or_else(|| MiddlewareError::InstanceUrl {
                url: base.to_owned(),
            })?;
        let bearer =
            zeroize::Zeroizing::new(format!("Bearer {}", token.access_token().expose_secret()));
        let mut header =
            HeaderValue::from_str(&bearer).map_err(|_| MiddlewareError::MalformedToken)?;
        header.set_sensitive(true);
        Ok(Self {
            token,
            origin,
            header,
        })
    }

    /// Whether this target was derived from `token` (the same `Arc`, as the managers hand
    /// out).
    pub fn is_for(&self, token: &Arc<TokenResponse>) -> bool {
        Arc::ptr_eq(&self.token, token)
    }

    /// The token.
    pub fn token(&self) -> &Arc<TokenResponse> {
        &self.token
    }

    /// Where the token may be sent.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// `Bearer …`, marked sensitive.
    pub fn header(&self) -> &HeaderValue {
        &self.header
    }
}

impl fmt::Debug for TokenTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token and the header are the secret: only where they go is shown.
        f.debug_struct("TokenTarget")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}
