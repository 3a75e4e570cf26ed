//! Salesforce's response shapes: OAuth errors, REST API errors, and the success bodies.

use http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;

use super::body::ResponseBody;
use crate::grant::OAuthError;

pub(crate) type Resp = Response<ResponseBody>;

const JSON: &str = "application/json;charset=UTF-8";

/// A response with `status`, `content_type` and `body`.
pub(crate) fn raw(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<bytes::Bytes>,
) -> Resp {
    let mut response = Response::new(ResponseBody::full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A JSON response. Serialising these plain structs cannot fail; if it did, the body would
/// be empty rather than the emulator panicking.
pub(crate) fn json(status: StatusCode, value: &impl Serialize) -> Resp {
    let body = serde_json::to_vec(value).unwrap_or_default();
    raw(status, JSON, body)
}

/// Token-endpoint responses must not be cached (RFC 6749 §5.1); Salesforce also says so.
pub(crate) fn no_store(mut response: Resp) -> Resp {
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache,must-revalidate,max-age=0,no-store,private"),
    );
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// Asks hyper to close the connection after this response.
pub(crate) fn closing(mut response: Resp) -> Resp {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

#[derive(Serialize)]
struct OAuthErrorBody<'a> {
    error: &'a str,
    error_description: &'a str,
}

/// `400 {"error":…,"error_description":…}`: every token-endpoint refusal; `bare` picks the
/// bare codes for the inactive and rate-limit refusals.
pub(crate) fn oauth_error(error: OAuthError, bare: bool) -> Resp {
    no_store(json(
        StatusCode::BAD_REQUEST,
        &OAuthErrorBody {
            error: error.code(bare),
            error_description: error.description(),
        },
    ))
}

/// An OAuth-style error with another status (body limits, timeouts).
pub(crate) fn oauth_error_with(status: StatusCode, error: &str, description: &str) -> Resp {
    no_store(json(
        status,
        &OAuthErrorBody {
            error,
            error_description: description,
        },
    ))
}

#[derive(Serialize)]
struct ApiError<'a> {
    message: &'a str,
    #[serde(rename = "errorCode")]
    error_code: &'a str,
}

/// A REST API error: a JSON array of `{"message","errorCode"}`.
pub(crate) fn api_error(status: StatusCode, error_code: &str, message: &str) -> Resp {
    json(
        status,
        &[ApiError {
            message,
            error_code,
        }],
    )
}

/// `401 [{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`.
pub(crate) fn invalid_session() -> Resp {
    let mut response = api_error(
        StatusCode::UNAUTHORIZED,
        "INVALID_SESSION_ID",
        "Session expired or invalid",
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
    response
}

/// `401 [{"message":"This session is not valid for use with the REST API","errorCode":"INVALID_SESSION_ID"}]`:
/// a session the org does not let use the REST API (an app or profile without API access).
pub(crate) fn session_not_for_rest_api() -> Resp {
    let mut response = api_error(
        StatusCode::UNAUTHORIZED,
        "INVALID_SESSION_ID",
        "This session is not valid for use with the REST API",
    );
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
    response
}

/// `404` for paths the emulator does not serve.
pub(crate) fn not_found() -> Resp {
    api_error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "The requested resource does not exist",
    )
}

/// The token response, fields in Salesforce's order: `access_token`, (`signature`), `scope`,
/// `instance_url`, `id`, `token_type`, (`issued_at`). The JWT bearer flow's documented
/// response has no `signature` and `issued_at`; they appear only when configured.
#[derive(Serialize)]
pub(crate) struct TokenBody<'a> {
    pub(crate) access_token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) signature: Option<&'a str>,
    pub(crate) scope: &'a str,
    pub(crate) instance_url: &'a str,
    pub(crate) id: &'a str,
    pub(crate) token_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) issued_at: Option<&'a str>,
    /// Sent with the `sfap_api` scope; only when configured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) api_instance_url: Option<&'a str>,
}

#[derive(Serialize)]
pub(crate) struct Limit {
    #[serde(rename = "Max")]
    pub(crate) max: u64,
    #[serde(rename = "Remaining")]
    pub(crate) remaining: u64,
}

/// A small, realistic subset of `/services/data/vXX.X/limits`.
#[derive(Serialize)]
pub(crate) struct LimitsBody {
    #[serde(rename = "DailyApiRequests")]
    pub(crate) daily_api_requests: Limit,
    #[serde(rename = "DataStorageMB")]
    pub(crate) data_storage_mb: Limit,
    #[serde(rename = "FileStorageMB")]
    pub(crate) file_storage_mb: Limit,
}

/// The OpenID Connect userinfo / identity response, trimmed to what clients read.
#[derive(Serialize)]
pub(crate) struct UserInfoBody<'a> {
    pub(crate) sub: &'a str,
    pub(crate) user_id: &'a str,
    pub(crate) organization_id: &'a str,
    pub(crate) preferred_username: &'a str,
    pub(crate) nickname: &'a str,
    pub(crate) name: &'a str,
    pub(crate) email: &'a str,
    pub(crate) email_verified: bool,
    pub(crate) active: bool,
    pub(crate) user_type: &'a str,
    pub(crate) language: &'a str,
    pub(crate) locale: &'a str,
    pub(crate) zoneinfo: &'a str,
}
