//! Authenticated API calls: a [`ureq::middleware::Middleware`] that attaches the token only on
//! the org's host and re-grants once after 401 `INVALID_SESSION_ID`.
//!
//! The rules (the same as sfjwt-reqwest's middleware), each one a mistake hand-written loops
//! make:
//! - The token goes only where it came from: `Authorization: Bearer …` is set when the
//!   request's scheme, host and port equal those of the token's `instance_url` (or, opted in
//!   with [`SalesforceAuth::api_instance_url`], its `api_instance_url`). A request to any other
//!   host passes through untouched. Redirects are ureq's business: it drops `Authorization`
//!   when one leaves the host.
//! - Only `INVALID_SESSION_ID` means "log in again": any other 401 is handed back as it came,
//!   marked [`NotRetried::NotInvalidSession`].
//! - Only a body that can be sent twice is retried. ureq's [`SendBody`] cannot be copied,
//!   so the middleware reads a request body of up to [`SalesforceAuth::replay_limit`] bytes
//!   (default 64 KiB) into memory first and sends it from there, twice if needed. A longer
//!   body (a file, a reader) is streamed as it comes, chunked, and its 401 is handed back
//!   marked [`NotRetried::BodyNotReplayable`] (the stale token is reported, so the next
//!   request carries a new one).
//! - One re-grant for everyone: concurrent requests refused with the same token report it,
//!   and the manager makes one grant they all wait for.
//! - No login storm: re-grants are bounded ([`manual::regrant`](sfjwt_core::manual::regrant));
//!   when they stop, requests fail with [`MiddlewareError::Token`].
//!
//! Build the agent with [`SalesforceAuth::agent`] or [`SalesforceAuth::agent_with`]:
//! - 401 bodies must reach the middleware: they set `http_status_as_error(false)` (with it on,
//!   ureq turns the 401 into `Error::StatusCode(401)` before the middleware sees the body,
//!   and the middleware passes that error on without a retry);
//! - a ureq middleware can send a request down its chain only once, so the retry is sent by a
//!   second agent with the same configuration (and any other middleware) but without this
//!   one, so it never loops. Added with `.middleware(auth)` to a config of your own, the
//!   middleware retries through an agent with ureq's defaults instead.
//!
//! The manager's own transport must not be built from an agent carrying this middleware: the
//! token request would wait for itself.
//!
//! The middleware needs the current token to know the org's host, so a request to another
//! host through the same agent still waits for the first grant.

mod refusal;

use std::io::{Cursor, Read as _};
use std::sync::Arc;

use http::header::{AUTHORIZATION, CONTENT_LENGTH};
use http::request::Parts;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use ureq::config::ConfigBuilder;
use ureq::middleware::{Middleware, MiddlewareNext};
use ureq::typestate::AgentScope;
use ureq::{Agent, Body, SendBody};

use sfjwt_core::api::{HostChoice, LastTarget, TokenTarget, is_placeholder};
use sfjwt_core::response::TokenResponse;

use crate::UreqTokenManager;
pub use sfjwt_core::api::{MiddlewareError, NotRetried, OrgPathError, org_url};

/// The middleware's error inside a [`ureq::Error`], if it is one (for matching on
/// [`ManagerError::RegrantBlocked`](sfjwt_core::ManagerError::RegrantBlocked) through
/// [`MiddlewareError::manager_error`]).
pub fn middleware_error(error: &ureq::Error) -> Option<&MiddlewareError> {
    match error {
        ureq::Error::Other(e) => e.downcast_ref::<MiddlewareError>(),
        _ => None,
    }
}

/// The default [`SalesforceAuth::replay_limit`]: 64 KiB, far above a REST record or query.
pub const DEFAULT_REPLAY_LIMIT: usize = 64 * 1024;

/// Attaches a [`TokenManager`](crate::TokenManager)'s token to requests for the org's host and
/// re-grants once after 401 `INVALID_SESSION_ID` (the rules: [module docs](self)).
///
/// ```
/// # let sf = sfjwt_emulator::Emulator::builder()
/// #     .app(sfjwt_emulator::App::from_pem("3MVG9_consumer_key", include_str!("../../../../testdata/keys/rsa2048.crt.pem"))?)
/// #     .user(sfjwt_emulator::User::new("etl@acme.com"))
/// #     .start()?;
/// # let key = sfjwt_ureq::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// # let client = sfjwt_ureq::JwtBearer::builder()
/// #     .endpoint(sfjwt_ureq::TokenEndpoint::parse(sf.base_url())?)
/// #     .client_id("3MVG9_consumer_key").username("etl@acme.com").signer(key).build();
/// use sfjwt_ureq::{SalesforceAuth, org_url, token_manager};
///
/// let api = SalesforceAuth::new(token_manager(client)).agent();
/// let limits = api.get(org_url("/services/data/v62.0/limits")?).call()?;
/// assert_eq!(limits.status(), 200);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SalesforceAuth {
    manager: Arc<UreqTokenManager>,
    host: HostChoice,
    replay_limit: usize,
    /// Sends the retry: the same configuration, without this middleware.
    retry: Agent,
    /// The last token's target, reused while the manager hands out the same token.
    last: Arc<LastTarget<TokenTarget>>,
}

impl SalesforceAuth {
    /// The middleware for `manager`'s token (a manager, or an `Arc` of one shared with other
    /// code), sent to the token's `instance_url` host only.
    pub fn new(manager: impl Into<Arc<UreqTokenManager>>) -> Self {
        Self {
            manager: manager.into(),
            host: HostChoice::Instance,
            replay_limit: DEFAULT_REPLAY_LIMIT,
            retry: readable_401s(Agent::config_builder()).build().into(),
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

    /// Request bodies up to `bytes` long are read into memory before sending, so they can be
    /// sent again after a re-grant; longer ones are streamed and never retried. 0: only
    /// requests without a body are retried.
    #[must_use]
    pub fn replay_limit(mut self, bytes: usize) -> Self {
        self.replay_limit = bytes;
        self
    }

    /// An agent with ureq's defaults, 401 bodies readable (`http_status_as_error(false)`) and
    /// this middleware.
    pub fn agent(self) -> Agent {
        self.agent_with(|config| config)
    }

    /// An agent configured by `configure` (timeouts, proxy, TLS, other middleware), with 401
    /// bodies readable and this middleware last. `configure` runs twice: once for the agent,
    /// once for the agent that sends retries.
    ///
    /// ```
    /// # let key = sfjwt_ureq::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
    /// # let client = sfjwt_ureq::JwtBearer::builder().endpoint(sfjwt_ureq::TokenEndpoint::production())
    /// #     .client_id("3MVG9_consumer_key").username("etl@acme.com").signer(key).build();
    /// use std::time::Duration;
    /// let api = sfjwt_ureq::SalesforceAuth::new(sfjwt_ureq::token_manager(client))
    ///     .agent_with(|config| config.timeout_global(Some(Duration::from_secs(30))));
    /// # let _ = api;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn agent_with(
        mut self,
        configure: impl Fn(ConfigBuilder<AgentScope>) -> ConfigBuilder<AgentScope>,
    ) -> Agent {
        self.retry = readable_401s(configure(Agent::config_builder()))
            .build()
            .into();
        readable_401s(configure(Agent::config_builder()))
            .middleware(self)
            .build()
            .into()
    }

    /// The shared manager.
    pub fn manager(&self) -> &Arc<UreqTokenManager> {
        &self.manager
    }

    /// The current token, where it may go, and its header.
    fn token(&self) -> Result<Arc<TokenTarget>, ureq::Error> {
        let token = self.manager.token().map_err(into_ureq)?;
        self.last
            .get(token, |token| TokenTarget::new(token, self.host))
            .map_err(into_ureq)
    }

    /// Reports `token` stale to the manager.
    fn report(&self, token: &TokenResponse) -> Result<(), ureq::Error> {
        self.manager
            .invalidate(token.access_token())
            .map_err(into_ureq)?;
        Ok(())
    }

    /// After a 401 `INVALID_SESSION_ID` to a request with a replayable `body`: one grant for
    /// everyone refused with `stale`, one retry.
    fn retry(
        &self,
        refused: Response<Body>,
        stale: &TokenResponse,
        mut parts: Parts,
        placeholder: bool,
        body: &[u8],
    ) -> Result<Response<Body>, ureq::Error> {
        self.report(stale)?;
        let fresh = self.token()?;
        if placeholder {
            parts.uri = fresh
                .origin()
                .rebase(&parts.uri)
                .ok_or_else(|| bad_uri(&parts.uri))?;
        } else if !fresh.origin().contains(&parts.uri) {
            return Ok(marked(refused, NotRetried::InstanceChanged));
        }
        let mut request = Request::from_parts(parts, ());
        set_bearer(request.headers_mut(), &fresh);
        let response = if body.is_empty() && !expects_body(request.method()) {
            self.retry.run(request)?
        } else {
            self.retry.run(request.map(|()| body))?
        };
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let (response, invalid_session) = peek(response)?;
        if !invalid_session {
            return Ok(marked(response, NotRetried::NotInvalidSession));
        }
        // Reported, so the manager counts the refusal and bounds the next re-grants.
        self.report(fresh.token())?;
        Ok(marked(response, NotRetried::RefusedAfterRegrant))
    }
}

impl Middleware for SalesforceAuth {
    fn handle(
        &self,
        request: Request<SendBody<'_>>,
        next: MiddlewareNext<'_>,
    ) -> Result<Response<Body>, ureq::Error> {
        let target = self.token()?;
        let placeholder = is_placeholder(request.uri());
        if !placeholder && !target.origin().contains(request.uri()) {
            return next.handle(request);
        }
        let (mut parts, body) = request.into_parts();
        if placeholder {
            parts.uri = target
                .origin()
                .rebase(&parts.uri)
                .ok_or_else(|| bad_uri(&parts.uri))?;
        }
        set_bearer(&mut parts.headers, &target);

        // Up to `replay_limit` bytes of the body, to send twice if needed.
        let mut reader = body.into_reader();
        let mut head = Vec::new();
        (&mut reader)
            .take((self.replay_limit as u64).saturating_add(1))
            .read_to_end(&mut head)?;
        if head.len() > self.replay_limit {
            let mut stream = Cursor::new(head).chain(reader);
            let request = Request::from_parts(parts, SendBody::from_reader(&mut stream));
            let response = next.handle(request)?;
            if response.status() != StatusCode::UNAUTHORIZED {
                return Ok(response);
            }
            let (response, invalid_session) = peek(response)?;
            if !invalid_session {
                return Ok(marked(response, NotRetried::NotInvalidSession));
            }
            self.report(target.token())?;
            return Ok(marked(response, NotRetried::BodyNotReplayable));
        }

        let has_body = !head.is_empty() || expects_body(&parts.method);
        if has_body {
            // Sent from a reader, the body would go chunked; its length is known now.
            parts
                .headers
                .insert(CONTENT_LENGTH, HeaderValue::from(head.len()));
        }
        let copy = copy_parts(&parts);
        let mut unread = head.as_slice();
        let response = if has_body {
            next.handle(Request::from_parts(
                parts,
                SendBody::from_reader(&mut unread),
            ))?
        } else {
            next.handle(Request::from_parts(parts, SendBody::none()))?
        };
        if response.status() != StatusCode::UNAUTHORIZED {
            return Ok(response);
        }
        let (response, invalid_session) = peek(response)?;
        if !invalid_session {
            return Ok(marked(response, NotRetried::NotInvalidSession));
        }
        self.retry(response, target.token(), copy, placeholder, &head)
    }
}

fn readable_401s(config: ConfigBuilder<AgentScope>) -> ConfigBuilder<AgentScope> {
    config.http_status_as_error(false)
}

/// Whether `method` normally carries a body, so an empty one is sent as `Content-Length: 0`.
fn expects_body(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH)
}

/// A copy of the request head for the retry (`Parts` is not `Clone`).
fn copy_parts(parts: &Parts) -> Parts {
    let mut request = Request::new(());
    *request.method_mut() = parts.method.clone();
    *request.uri_mut() = parts.uri.clone();
    *request.version_mut() = parts.version;
    *request.headers_mut() = parts.headers.clone();
    *request.extensions_mut() = parts.extensions.clone();
    request.into_parts().0
}

/// Sets `Authorization: Bearer …` (marked sensitive).
fn set_bearer(headers: &mut http::HeaderMap, target: &TokenTarget) {
    headers.insert(AUTHORIZATION, target.header().clone());
}

/// Peeks at a 401's body; the response comes back with the same bytes.
fn peek(response: Response<Body>) -> Result<(Response<Body>, bool), ureq::Error> {
    let (parts, body) = response.into_parts();
    let (body, invalid_session) = refusal::peek(body)?;
    Ok((Response::from_parts(parts, body), invalid_session))
}

fn marked(mut response: Response<Body>, why: NotRetried) -> Response<Body> {
    response.extensions_mut().insert(why);
    response
}

fn bad_uri(uri: &http::Uri) -> ureq::Error {
    ureq::Error::BadUri(uri.to_string())
}

fn into_ureq(e: impl Into<MiddlewareError>) -> ureq::Error {
    ureq::Error::Other(Box::new(e.into()))
}
