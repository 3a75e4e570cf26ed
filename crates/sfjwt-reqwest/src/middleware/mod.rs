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
//! - No login storm: re-grants are bounded ([`manual::regrant`](sfjwt_core::manual::regrant));
//!   when they stop, requests fail with [`MiddlewareError::Token`].
//!
//! The middleware needs the current token to know the org's host, so a request to another
//! host through the same client still waits for the first grant.

mod refusal;

use http::{Extensions, header::AUTHORIZATION};
use reqwest::{Request, Response, StatusCode, Url};
use reqwest_middleware::{ClientWithMiddleware, Middleware, Next};
use sfjwt_core::api::{HostChoice, LastTarget, PLACEHOLDER_HOST, TokenTarget};
use std::sync::{Arc, LazyLock};

use sfjwt_core::response::TokenResponse;

use crate::SharedTokenManager;
pub use sfjwt_core::api::{MiddlewareError, NotRetried, OrgPathError};

/// A URL on the org's instance, for a path such as `/services/data/v62.0/limits`: the
/// middleware puts the current token's `instance_url` in front of it when the request is
/// sent (the rules and why: [`sfjwt_core::api::org_url`]).
///
/// ```
/// let url = sfjwt_reqwest::org_url("/services/data/v62.0/limits?x=1")?;
/// assert_eq!(url.path(), "/services/data/v62.0/limits");
/// assert!(sfjwt_reqwest::org_url("https://evil.example/").is_err());
/// # Ok::<(), sfjwt_reqwest::OrgPathError>(())
/// ```
///
/// # Errors
/// [`OrgPathError`] when `path` is not an absolute path on one host.
pub fn org_url(path: &str) -> Result<Url, OrgPathError> {
    sfjwt_core::api::check_org_path(path)?;
    // Joined to a base parsed once: parsing the placeholder's domain name again (IDNA
    // processing included) was most of what an `org_url` request cost over a full URL.
    let url = PLACEHOLDER_BASE
        .as_ref()
        .and_then(|base| base.join(path).ok());
    url.filter(|url| url.host_str() == Some(PLACEHOLDER_HOST))
        .ok_or_else(|| OrgPathError::new(path))
}

/// `https://` + [`PLACEHOLDER_HOST`], the base of every [`org_url`] (`None` is unreachable: the
/// constant parses).
static PLACEHOLDER_BASE: LazyLock<Option<Url>> =
    LazyLock::new(|| Url::parse(&format!("https://{PLACEHOLDER_HOST}/")).ok());

/// The middleware's error inside a [`reqwest_middleware::Error`], if it is one (for matching
/// on [`ManagerError::RegrantBlocked`](sfjwt_core::ManagerError::RegrantBlocked) through
/// [`MiddlewareError::manager_error`]).
pub fn middleware_error(error: &reqwest_middleware::Error) -> Option<&MiddlewareError> {
    match error {
        reqwest_middleware::Error::Middleware(e) => e.downcast_ref::<MiddlewareError>(),
        _ => None,
    }
}

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
    /// The last token's target and base URL, reused while the manager hands out the same token.
    last: Arc<LastTarget<Prepared>>,
}

/// A token's target, with its origin as a reqwest URL to rebase placeholder paths on.
#[derive(Debug)]
struct Prepared {
    target: TokenTarget,
    base: Url,
}

impl AsRef<TokenTarget> for Prepared {
    fn as_ref(&self) -> &TokenTarget {
        &self.target
    }
}

impl Prepared {
    /// Whether `url` is on the token's origin.
    fn contains(&self, url: &Url) -> bool {
        url.host_str()
            .is_some_and(|host| self.target.origin().is(url.scheme(), host, url.port()))
    }

    /// `url`'s path and query on the token's origin.
    fn rebase(&self, url: &Url) -> Url {
        let mut rebased = self.base.clone();
        rebased.set_path(url.path());
        rebased.set_query(url.query());
        rebased
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

    /// The current token, where it may go, and its header.
    async fn token(&self) -> Result<Arc<Prepared>, MiddlewareError> {
        let token = self.manager.token().await?;
        self.last.get(token, |token| {
            let target = TokenTarget::new(token, self.host)?;
            let base = Url::parse(&target.origin().to_string()).map_err(|_| {
                MiddlewareError::InstanceUrl {
                    url: self.host.base_of(target.token()).to_owned(),
                }
            })?;
            Ok(Prepared { target, base })
        })
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
        let placeholder = request.url().host_str() == Some(PLACEHOLDER_HOST);
        if placeholder {
            *request.url_mut() = first.rebase(request.url());
        } else if !first.contains(request.url()) {
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
        self.report(first.target.token()).await.map_err(mw_error)?;
        let Some(mut retry) = replay else {
            return Ok(marked(peeked.response, NotRetried::BodyNotReplayable));
        };

        // The manager makes one grant for every request refused with `token`.
        let fresh = self.token().await.map_err(mw_error)?;
        if placeholder {
            *retry.url_mut() = fresh.rebase(retry.url());
        } else if !fresh.contains(retry.url()) {
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
        self.report(fresh.target.token()).await.map_err(mw_error)?;
        Ok(marked(peeked.response, NotRetried::RefusedAfterRegrant))
    }
}

/// Sets `Authorization: Bearer …` (the header value is marked sensitive, kept out of
/// reqwest's `Debug`).
fn set_bearer(request: &mut Request, prepared: &Prepared) {
    request
        .headers_mut()
        .insert(AUTHORIZATION, prepared.target.header().clone());
}

fn marked(mut response: Response, why: NotRetried) -> Response {
    response.extensions_mut().insert(why);
    response
}

fn mw_error(e: MiddlewareError) -> reqwest_middleware::Error {
    reqwest_middleware::Error::middleware(e)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn org_urls_keep_the_cores_rules_and_the_placeholder_host() {
        // Paths the core accepts and refuses, mixed: this URL type must agree on each.
        for path in [
            "/services/data/v62.0/limits?q=SELECT+Id",
            "//evil.example/x",
            "/../../etc/passwd",
            "/a b",
            "/@evil.example/",
            "https://evil.example/",
            "/%2F%2Fevil.example/",
            "/\\evil.example/x",
            "/services/data?next=https://evil.example",
            "services",
            "",
        ] {
            match (org_url(path), sfjwt_core::api::org_url(path)) {
                (Ok(url), Ok(core)) => {
                    assert_eq!(url, Url::parse(&core.to_string()).unwrap(), "{path}");
                    assert_eq!(url.host_str(), Some(PLACEHOLDER_HOST), "{path}");
                }
                (Err(error), Err(core)) => assert_eq!(error, core, "{path}"),
                (ours, core) => panic!("{path}: {ours:?} here, {core:?} in the core"),
            }
        }
    }
}
