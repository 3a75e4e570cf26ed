//! [`TokenTarget`]: a token with the origin it may be sent to and its header, derived once,
//! and [`LastTarget`], which keeps it while the manager hands out the same token.

use core::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use http::HeaderValue;

use super::{HostChoice, MiddlewareError, Origin};
use crate::response::TokenResponse;

/// A token with what a middleware derives from it before sending: the [`Origin`] it belongs
/// to and the `Authorization: Bearer …` value (marked sensitive, so `http`'s `Debug` of a
/// header map hides it). Keep it while the manager hands out the same token
/// ([`is_for`](Self::is_for), [`LastTarget`]).
///
/// ```
/// # use std::sync::{Arc, Mutex, PoisonError};
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

impl AsRef<TokenTarget> for TokenTarget {
    fn as_ref(&self) -> &TokenTarget {
        self
    }
}

/// The last token's target (a [`TokenTarget`], or an adapter's type holding one), reused
/// while the manager hands out the same token: deriving it per request (parsing the URL,
/// formatting the header) cost more than the token lookup itself.
///
/// ```
/// # use std::sync::Arc;
/// use sfjwt_core::api::{HostChoice, LastTarget, TokenTarget};
/// # let token = Arc::new(sfjwt_core::response::TokenResponse::from_json(
/// #     br#"{"access_token":"00D000000000001!AQ","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA"}"#)?);
/// let last = LastTarget::<TokenTarget>::default();
/// let first = last.get(Arc::clone(&token), |t| TokenTarget::new(t, HostChoice::Instance))?;
/// let again = last.get(token, |t| TokenTarget::new(t, HostChoice::ApiInstance))?;
/// // The same token: the kept target, not a new one.
/// assert!(Arc::ptr_eq(&first, &again));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct LastTarget<T> {
    last: Mutex<Option<Arc<T>>>,
}

impl<T> Default for LastTarget<T> {
    fn default() -> Self {
        Self {
            last: Mutex::new(None),
        }
    }
}

impl<T: AsRef<TokenTarget>> LastTarget<T> {
    /// The kept target if it was derived from `token`, else `derive(token)`, kept for the
    /// next call.
    ///
    /// # Errors
    /// What `derive` returns.
    pub fn get<E>(
        &self,
        token: Arc<TokenResponse>,
        derive: impl FnOnce(Arc<TokenResponse>) -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(kept) = last.as_ref().filter(|t| T::as_ref(t).is_for(&token)) {
            return Ok(Arc::clone(kept));
        }
        let derived = Arc::new(derive(token)?);
        *last = Some(Arc::clone(&derived));
        Ok(derived)
    }
}

impl<T> fmt::Debug for LastTarget<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What it keeps holds the token: nothing of it is shown.
        f.debug_struct("LastTarget").finish_non_exhaustive()
    }
}
