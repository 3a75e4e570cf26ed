//! Request dispatch: read the body (bounded), record, apply a fault, route.
//!
//! Routes: `POST /services/oauth2/token` (the grant), and the protected resources
//! `GET /services/data/vXX.X/limits`, `GET /services/oauth2/userinfo` and the identity URL
//! `GET /id/{orgId}/{userId}`. Everything else is a Salesforce-shaped 404.

use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::SystemTime;

use base64::Engine as _;
use bytes::Bytes;
use hmac::{KeyInit as _, Mac as _};
use http::{HeaderMap, Method, Request, StatusCode, header};
use hyper::body::Incoming;

use super::body::{BodyOutcome, read_bounded};
use super::conn::ConnCtl;
use super::faults;
use super::responses::{
    Limit, LimitsBody, Resp, TokenBody, UserInfoBody, api_error, closing, invalid_session, json,
    no_store, not_found, oauth_error, oauth_error_with, session_not_for_rest_api,
};
use super::versions;
use crate::clock::unix_millis;
use crate::fault::{Fault, Target};
use crate::grant::{self, GrantContext, OAuthError, Refusal};
use crate::ids;
use crate::record::RecordedRequest;
use crate::sessions::Session;
use crate::state::Shared;

const TOKEN_PATH: &str = "/services/oauth2/token";
const USERINFO_PATH: &str = "/services/oauth2/userinfo";
const VERSIONS_PATH: &str = "/services/data";
const DAILY_API_REQUESTS: u64 = 15_000;

/// Where a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Token,
    UserInfo,
    /// `/services/data`: the API versions, unauthenticated.
    Versions,
    /// `/services/data/vNN.N`: the resources of one version.
    Resources,
    Limits,
    /// `/id/{org}/{user}`.
    Identity,
    /// `/services/data/vNN.N/…` with a version this org does not serve: 404.
    UnknownVersion,
    /// Another path under `/services/data/vNN.N/`: authenticated, then 404.
    OtherData,
    Unknown,
}

impl Route {
    fn of(path: &str) -> Self {
        let path = if path.len() > 1 {
            path.strip_suffix('/').unwrap_or(path)
        } else {
            path
        };
        if path == TOKEN_PATH {
            return Self::Token;
        }
        if path == USERINFO_PATH {
            return Self::UserInfo;
        }
        if path.starts_with("/id/") {
            return Self::Identity;
        }
        if path == VERSIONS_PATH {
            return Self::Versions;
        }
        if let Some(rest) = path.strip_prefix("/services/data/") {
            let mut parts = rest.split('/');
            let version = parts.next().unwrap_or_default();
            if !versions::is_served(version) {
                return Self::UnknownVersion;
            }
            return match (parts.next(), parts.next()) {
                (None, _) => Self::Resources,
                (Some("limits"), None) => Self::Limits,
                _ => Self::OtherData,
            };
        }
        Self::Unknown
    }

    fn target(self) -> Target {
        match self {
            Self::Token => Target::Token,
            Self::UserInfo
            | Self::Versions
            | Self::Resources
            | Self::Limits
            | Self::Identity
            | Self::UnknownVersion
            | Self::OtherData => Target::Api,
            Self::Unknown => Target::Any,
        }
    }
}

/// Serves one request. Never fails: every problem is an HTTP answer.
pub(crate) async fn handle(
    request: Request<Incoming>,
    peer: IpAddr,
    shared: Arc<Shared>,
    ctl: ConnCtl,
) -> Result<Resp, Infallible> {
    let method = request.method().clone();
    // The path alone: a query string could carry anything, the log must not.
    let path = request.uri().path().to_owned();
    let response = answer(request, peer, Arc::clone(&shared), ctl).await;
    if let Ok(response) = &response {
        log_line(&shared, &method, &path, response);
    }
    response
}

/// One line of the request log: `POST /services/oauth2/token 400 invalid_grant (exp in the past)`.
fn log_line(shared: &Shared, method: &Method, path: &str, response: &Resp) {
    let Some(log) = &shared.request_log else {
        return;
    };
    let status = response.status().as_u16();
    let line = match response.extensions().get::<Refused>() {
        Some(refused) => format!(
            "{method} {path} {status} {} ({})",
            refused.code, refused.rule
        ),
        None => format!("{method} {path} {status}"),
    };
    (log.0)(&line);
}

async fn answer(
    request: Request<Incoming>,
    peer: IpAddr,
    shared: Arc<Shared>,
    ctl: ConnCtl,
) -> Result<Resp, Infallible> {
    let (parts, body) = request.into_parts();
    let route = Route::of(parts.uri.path());
    let limits = shared.limits;
    let outcome = read_bounded(&parts.headers, body, limits.max_body, limits.read_timeout).await;

    let (bytes, refusal) = match outcome {
        BodyOutcome::Complete(bytes) => (bytes, None),
        BodyOutcome::TooLarge => (
            Bytes::new(),
            Some(oauth_error_with(
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request",
                "request body too large",
            )),
        ),
        BodyOutcome::TimedOut => (
            Bytes::new(),
            Some(oauth_error_with(
                StatusCode::REQUEST_TIMEOUT,
                "invalid_request",
                "request body not received in time",
            )),
        ),
        BodyOutcome::Failed => (
            Bytes::new(),
            Some(oauth_error_with(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "malformed request body",
            )),
        ),
    };
    let form = if is_form(&parts.headers) {
        form_urlencoded::parse(&bytes).into_owned().collect()
    } else {
        Vec::new()
    };
    let record = RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        form,
        body_len: bytes.len(),
    };
    let fault = {
        let mut state = shared.lock();
        let fault = if refusal.is_none() {
            state.faults.take(route.target())
        } else {
            None
        };
        state.record(record.clone(), limits.record_limit);
        fault
    };
    if let Some(refusal) = refusal {
        // The rest of the body is unread: the connection cannot carry another request.
        return Ok(closing(refusal));
    }
    match fault {
        Some(Fault::Latency(delay)) => tokio::time::sleep(delay).await,
        Some(Fault::ConnectionReset) => {
            ctl.reset();
            // The connection task drops this future together with the connection.
            std::future::pending::<()>().await;
        }
        Some(other) => {
            if let Some(response) = faults::respond(&other) {
                return Ok(response);
            }
        }
        None => {}
    }
    let request = RequestView {
        method: &parts.method,
        headers: &parts.headers,
        path: parts.uri.path(),
        record: &record,
        client_ip: client_ip(&parts.headers, peer),
    };
    Ok(dispatch(route, &request, &shared))
}

/// What the routes read from a request whose body has been read.
struct RequestView<'a> {
    method: &'a Method,
    headers: &'a HeaderMap,
    path: &'a str,
    record: &'a RecordedRequest,
    /// The address the caller plays: see [`client_ip`].
    client_ip: IpAddr,
}

/// The caller's address for the login IP ranges: the first `X-Forwarded-For` address if the
/// request has one (how a loopback test plays an egress IP), else the TCP peer.
fn client_ip(headers: &HeaderMap, peer: IpAddr) -> IpAddr {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|first| first.trim().parse().ok())
        .unwrap_or(peer)
}

fn dispatch(route: Route, request: &RequestView<'_>, shared: &Shared) -> Resp {
    let (method, path) = (request.method, request.path);
    match route {
        Route::Token => token(request, shared),
        Route::Unknown => not_found(),
        // The versions list needs no session (REST API Developer Guide, "List Available
        // REST API Versions"); an unknown version is 404 before any session check.
        Route::Versions => versions::list(),
        Route::UnknownVersion => refused(not_found(), "NOT_FOUND", "no such API version"),
        Route::UserInfo | Route::Resources | Route::Limits | Route::Identity | Route::OtherData => {
            let rest_api = matches!(route, Route::Limits | Route::Resources | Route::OtherData);
            let session = match authenticate(request, rest_api, shared) {
                Auth::Live(session) => session,
                Auth::Refused(rule) => {
                    return refused(invalid_session(), "INVALID_SESSION_ID", rule);
                }
                Auth::NotForRestApi => {
                    return refused(
                        session_not_for_rest_api(),
                        "INVALID_SESSION_ID",
                        "session not valid for the REST API",
                    );
                }
            };
            if method != Method::GET && method != Method::HEAD {
                return api_error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "METHOD_NOT_ALLOWED",
                    &format!("HTTP Method '{method}' not allowed. Allowed are GET,HEAD"),
                );
            }
            match route {
                Route::Limits => limits(shared),
                Route::Resources => {
                    versions::resources(path, &shared.identity_url(&session.user_id))
                }
                Route::UserInfo => user_info(&session, shared),
                Route::Identity => {
                    let expected = format!("/id/{}/{}", shared.org_id, session.user_id);
                    if path.strip_suffix('/').unwrap_or(path) == expected {
                        user_info(&session, shared)
                    } else {
                        not_found()
                    }
                }
                _ => not_found(),
            }
        }
    }
}

/// Marks `response` as a refusal for the request log.
fn refused(mut response: Resp, code: &'static str, rule: &'static str) -> Resp {
    response.extensions_mut().insert(Refused { code, rule });
    response
}

/// What the request log says about a refusal: the code the client got and the rule behind it.
#[derive(Clone, Copy)]
struct Refused {
    code: &'static str,
    rule: &'static str,
}

/// A token-endpoint refusal, answered and marked for the log.
fn refuse_grant(refusal: Refusal, bare: bool) -> Resp {
    refused(
        oauth_error(refusal.error, bare),
        refusal.error.code(bare),
        refusal.rule,
    )
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            mime.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// `POST /services/oauth2/token`.
fn token(request: &RequestView<'_>, shared: &Shared) -> Resp {
    let bare = shared.policy.bare_codes;
    if request.method != Method::POST {
        return refuse_grant(Refusal::new(OAuthError::MustUsePost, "not a POST"), bare);
    }
    if !is_form(request.headers) {
        // Salesforce reads the grant from a form body; anything else has no grant_type.
        return refuse_grant(
            Refusal::new(OAuthError::UnsupportedGrantType, "body is not a form"),
            bare,
        );
    }
    let now = shared.clock.now();
    let mut state = shared.lock();
    let (username, user_id, secret, audience, scope) = {
        let ctx = GrantContext {
            apps: &shared.apps,
            policy: &shared.policy,
            users: &state.users,
            org_active: state.org_active,
            client_ip: request.client_ip,
        };
        match grant::check(request.record.form(), &ctx, now) {
            Ok(approved) => (
                approved.user.username.clone(),
                approved.user.user_id.clone(),
                approved
                    .app
                    .secret()
                    .map_or_else(|| shared.default_secret.to_vec(), |s| s.as_bytes().to_vec()),
                approved.audience,
                approved.app.scope().to_owned(),
            ),
            Err(refusal) => return refuse_grant(refusal, bare),
        }
    };
    if !state.rate.try_login(&username, now) {
        return refuse_grant(
            Refusal::new(
                OAuthError::RateExceeded,
                "login rate per user per rolling hour",
            ),
            bare,
        );
    }
    let Ok(access_token) = ids::access_token(&shared.org_id) else {
        return oauth_error_with(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "random generator failed",
        );
    };
    state.sessions.insert(
        access_token.clone(),
        Session {
            username,
            user_id: user_id.clone(),
            last_used: now,
            origin_ip: request.client_ip,
        },
    );
    state.grants = state.grants.saturating_add(1);
    drop(state);

    let id = shared.token_identity_url(&audience, &user_id);
    let issued_at = unix_millis(now).to_string();
    let signature = sign_identity(&secret, &id, &issued_at);
    let signed = shared.policy.issued_at_and_signature;
    no_store(json(
        StatusCode::OK,
        &TokenBody {
            access_token: &access_token,
            signature: signed.then_some(signature.as_str()),
            scope: &scope,
            instance_url: &shared.base_url,
            id: &id,
            token_type: "Bearer",
            issued_at: signed.then_some(issued_at.as_str()),
            api_instance_url: shared.policy.api_instance_url.as_deref(),
        },
    ))
}

/// Salesforce's `signature`: base64 HMAC-SHA256 of `id + issued_at`, keyed with the
/// consumer secret, so a client can check the identity URL was not tampered with.
fn sign_identity(secret: &[u8], id: &str, issued_at: &str) -> String {
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret) else {
        // HMAC accepts keys of any length; this branch is unreachable in practice.
        return String::new();
    };
    mac.update(id.as_bytes());
    mac.update(issued_at.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// What an API request's credentials are worth.
enum Auth {
    /// A live session, extended by this use.
    Live(Session),
    /// No, an unknown, a revoked or timed-out token, or an IP-locked session: 401
    /// "Session expired or invalid"; the rule that refused, for the log.
    Refused(&'static str),
    /// A live session the org does not let use the REST API: 401 "This session is not
    /// valid for use with the REST API".
    NotForRestApi,
}

/// The session behind `Authorization: Bearer <token>` (or Salesforce's older
/// `OAuth <token>`), as the session rules let `request` use it; `rest_api` says whether the
/// resource is part of the REST API (`/services/data/…`).
fn authenticate(request: &RequestView<'_>, rest_api: bool, shared: &Shared) -> Auth {
    let now: SystemTime = shared.clock.now();
    let mut state = shared.lock();
    let token = bearer_token(request.headers);
    let session = token.and_then(|token| state.sessions.use_token(token, now));
    let rules = state.session_rules;
    let auth = match session {
        None if token.is_none() => Auth::Refused("no Authorization: Bearer header"),
        None => Auth::Refused("token unknown, revoked or timed out"),
        Some(_) if rules.ip_locked => Auth::Refused("session locked to another IP"),
        Some(session) if rules.locked_to_origin_ip && session.origin_ip != request.client_ip => {
            Auth::Refused("session locked to the IP it was granted to")
        }
        Some(_) if rules.not_for_rest_api && rest_api => Auth::NotForRestApi,
        Some(session) => Auth::Live(session),
    };
    if matches!(auth, Auth::Live(_)) {
        state.api_calls = state.api_calls.saturating_add(1);
    } else {
        state.refused_api_calls = state.refused_api_calls.saturating_add(1);
    }
    auth
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") && !scheme.eq_ignore_ascii_case("oauth") {
        return None;
    }
    Some(token.trim())
}

fn limits(shared: &Shared) -> Resp {
    let used = shared.lock().api_calls;
    json(
        StatusCode::OK,
        &LimitsBody {
            daily_api_requests: Limit {
                max: DAILY_API_REQUESTS,
                remaining: DAILY_API_REQUESTS.saturating_sub(used),
            },
            data_storage_mb: Limit {
                max: 5,
                remaining: 5,
            },
            file_storage_mb: Limit {
                max: 20,
                remaining: 20,
            },
        },
    )
}

fn user_info(session: &Session, shared: &Shared) -> Resp {
    let sub = shared.identity_url(&session.user_id);
    let nickname = session
        .username
        .split_once('@')
        .map_or(session.username.as_str(), |(local, _)| local);
    json(
        StatusCode::OK,
        &UserInfoBody {
            sub: &sub,
            user_id: &session.user_id,
            organization_id: &shared.org_id,
            preferred_username: &session.username,
            nickname,
            name: nickname,
            email: &session.username,
            email_verified: true,
            active: true,
            user_type: "STANDARD",
            language: "en_US",
            locale: "en_US",
            zoneinfo: "America/Los_Angeles",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(Route::of("/services/oauth2/token"), Route::Token);
        assert_eq!(Route::of("/services/oauth2/token/"), Route::Token);
        assert_eq!(Route::of("/services/data/v62.0/limits"), Route::Limits);
        assert_eq!(Route::of("/services/data/v31.0/limits/"), Route::Limits);
        assert_eq!(
            Route::of("/services/data/vX.0/limits"),
            Route::UnknownVersion
        );
        assert_eq!(
            Route::of("/services/data/v99.0/limits"),
            Route::UnknownVersion
        );
        assert_eq!(Route::of("/services/data/v62.0/sobjects"), Route::OtherData);
        assert_eq!(Route::of("/services/data"), Route::Versions);
        assert_eq!(Route::of("/services/data/"), Route::Versions);
        assert_eq!(Route::of("/services/data/v62.0"), Route::Resources);
        assert_eq!(Route::of("/services/data/v62.0/"), Route::Resources);
        assert_eq!(Route::of("/services/oauth2/userinfo"), Route::UserInfo);
        assert_eq!(Route::of("/id/00D/005"), Route::Identity);
        assert_eq!(Route::of("/"), Route::Unknown);
        assert_eq!(Route::of("/services/oauth2/tokenx"), Route::Unknown);
    }

    #[test]
    fn identity_signature_is_hmac_sha256() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let sig = sign_identity(b"Jefe", "what do ya want ", "for nothing?");
        let raw = base64::engine::general_purpose::STANDARD
            .decode(sig)
            .unwrap();
        assert_eq!(
            raw.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
