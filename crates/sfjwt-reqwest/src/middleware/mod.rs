//! Authenticated API calls: a [`reqwest_middleware::Middleware`] that attaches the token only on
//! the org's host and re-grants once after 401 `INVALID_SESSION_ID`.
//!
//! The rules, each one a mistake hand-written loops make:
//! - The token goes only where it came from: `Authorization: Bearer …` is set when the
//!   request's scheme, host and port equal those of the token's `instance_url` (or, opted in
//!   with [`SalesforceAuth::api_instance_url`], its `api_instance_url`). A request to any other
//!   host passes through untouched. Redirects are reqwest's business: it drops
//!   `Authorization` when one leaves the host.
//! - Only `INVALID_SESSION_ID` means "log in again": any other 401 is handed back as it came,
//!   marked [`NotRetried::NotInvalidSession`].
//! - Only a request reqwest can clone is sent twice. A streaming body is not: its 401 is
//!   handed back marked [`NotRetried::BodyNotReplayable`] (the stale token is reported, so
//!   the next request carries a new one).
//! - One re-grant for everyone: concurrent requests refused with the same token report it,
//!   and the manager makes one grant they all wait for.
//! - No login storm: when new tokens are refused too (sessions locked to another IP), the
//!   manager stops granting after two, and requests fail with
//!   [`MiddlewareError::Token`]`(`[`ManagerError::RegrantBlocked`](sfjwt_core::ManagerError::RegrantBlocked)`)`.
//!
//! The middleware needs the current token to know the org's host, so a request to another
//! host through the same client still waits for the first grant.

mod error;
mod origin;
mod refusal;

use core::fmt;
use http::{Extensions, HeaderValue, header::AUTHORIZATION};
use reqwest::{Request, Response, StatusCode, Url};
use reqwest_middleware::{ClientWithMiddleware, Middleware, Next};
use std::sync::{Arc, Mutex};

use sfjwt_core::response::TokenResponse;

use crate::SharedTokenManager;
pub use error::MiddlewareError;
use origin::HostChoice;
pub use origin::{OrgPathError, org_url};
pub use refusal::NotRetried;

/// Attaches the [`SharedTokenManager`]'s token to requests for the org's host and re-grants
/// once after 401 `INVALID_SESSION_ID` (the rules: [module docs](self)).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let sf = sfjwt_emulator::Emulator::builder()
/// #     .app(sfjwt_emulator::App::from_pem("3MVG9_consumer_key", include_str!("../../../../testdata/keys/rsa2048.crt.pem"))?)
/// #     .user(sfjwt_emulator::User::new("etl@acme.com"))
/// #     .start()?;
/// # let key = sfjwt_reqwest::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// # let client = sfjwt_reqwest::JwtBearer::builder()
/// #     .endpoint(sfjwt_reqwest::TokenEndpoint::parse(sf.base_url())?)
/// #     .client_id("3MVG9_consumer_key").username("etl@acme.com").signer(key).build();
/// use sfjwt_reqwest::{SalesforceAuth, SharedTokenManager, org_url, reqwest};
///
/// let api = SalesforceAuth::new(SharedTokenManager::new(client)).client(reqwest::Client::new());
/// let limits = api.get(org_url("/services/data/v62.0/limits")?).send().await?;
/// assert_eq!(limits.status(), 200);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct SalesforceAuth {
    manager: SharedTokenManager,
    host: HostChoice,
    /// The last token's parsed origin and header, reused while the manager hands out the
    /// same token (parsing them again cost more than the token lookup).
    last: Arc<Mutex<Option<Prepared>>>,
}

/// A token with what the middleware derives from it.
#[derive(Clone)]
struct Prepared {
    token: Arc<TokenResponse>,
    base: Url,
    bearer: HeaderValue,
}

impl fmt::Debug for Prepared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token and the header are the secret: only where they go is shown.
        f.debug_struct("Prepared")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

impl SalesforceAuth {
    /// The middleware for `manager`'s token, sent to the token's `instance_url` host only.
    pub fn new(manager: SharedTokenManager) -> Self {
        Self {
            manager,
            host: HostChoice::Instance,
            last: Arc::default(),
        }
    }

    /// Sends the token to the host of the token's `api_instance_url` instead (Salesforce
    /// returns one with the `sfap_api` scope, for the Models and Agent APIs); a token without
    /// one still goes to its `instance_url`. [`org_url`] paths then resolve there too.
    #[must_use]
    pub fn api_instance_url(mut self) -> Self {
        self.host = HostChoice::ApiInstance;
        self
    }

    /// `client` with this middleware: the one-line setup. To stack other middleware (retries,
    /// tracing), add `self` to a [`reqwest_middleware::ClientBuilder`] yourself.
    pub fn client(self, client: reqwest::Client) -> ClientWithMiddleware {
        reqwest_middleware::ClientBuilder::new(client)
            .with(self)
            .build()
    }

    /// The shared manager.
    pub fn manager(&self) -> &SharedTokenManager {
        &self.manager
    }

    /// The current token, the URL whose origin it belongs to, and its header.
    async fn token(&self) -> Result<Prepared, MiddlewareError> {
        let token = self.manager.token().await?;
        if let Ok(last) = self.last.lock() {
            if let Some(prepared) = last.as_ref().filter(|p| Arc::ptr_eq(&p.token, &token)) {
                return Ok(prepared.clone());
            }
        }
        let base = origin::token_base(&token, self.host);
        let base = Url::parse(base).map_err(|_| MiddlewareError::InstanceUrl {
            url: base.to_owned(),
        })?;
        let bearer = format!("Bearer {}", token.access_token().expose_secret());
        let mut bearer =
            HeaderValue::from_str(&bearer).map_err(|_| MiddlewareError::MalformedToken)?;
        bearer.set_sensitive(true);
        let prepared = Prepared {
            token,
            base,
            bearer,
        };
        if let Ok(mut last) = self.last.lock() {
            *last = Some(prepared.clone());
        }
        Ok(prepared)
    }

    /// Reports `token` stale to the manager.
    async fn report(&self, token: &TokenResponse) -> Result<(), MiddlewareError> {
        self.manager.invalidate(token.access_token()).await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl Middleware for SalesforceAuth {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let first = self.token().await.map_err(mw_error)?;
        let placeholder = origin::is_placeholder(request.url());
        if placeholder {
            *request.url_mut() = origin::rebase(request.url(), &first.base);
        } else if !origin::same_origin(request.url(), &first.base) {
            return next.run(request, extensions).await;
        }

        let replay = request.try_clone();
        set_bearer(&mut request, &first);
        let response = next.clone().run(request, extensions).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let peeked = refusal::peek(response).await?;
        if !peeked.invalid_session {
            return Ok(marked(peeked.response, NotRetried::NotInvalidSession));
        }
        self.report(&first.token).await.map_err(mw_error)?;
        let Some(mut retry) = replay else {
            return Ok(marked(peeked.response, NotRetried::BodyNotReplayable));
        };

        // The manager makes one grant for every request refused with `token`.
        let fresh = self.token().await.map_err(mw_error)?;
        if placeholder {
            *retry.url_mut() = origin::rebase(retry.url(), &fresh.base);
        } else if !origin::same_origin(retry.url(), &fresh.base) {
            return Ok(marked(peeked.response, NotRetried::InstanceChanged));
        }
        set_bearer(&mut retry, &fresh);
        let response = next.run(retry, extensions).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let peeked = refusal::peek(response).await?;
        if !peeked.invalid_session {
            return Ok(marked(peeked.response, NotRetried::NotInvalidSession));
        }
        // Reported, so the manager counts the refusal and bounds the next re-grants.
        self.report(&fresh.token).await.map_err(mw_error)?;
        Ok(marked(peeked.response, NotRetried::RefusedAfterRegrant))
    }
}

/// Sets `Authorization: Bearer …` (the header value is marked sensitive, kept out of
/// reqwest's `Debug`).
fn set_bearer(request: &mut Request, prepared: &Prepared) {
    request
        .headers_mut()
        .insert(AUTHORIZATION, prepared.bearer.clone());
}

fn marked(mut response: Response, why: NotRetried) -> Response {
    response.extensions_mut().insert(why);
    response
}

fn mw_error(e: MiddlewareError) -> reqwest_middleware::Error {
    reqwest_middleware::Error::middleware(e)
}
