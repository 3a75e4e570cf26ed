//! The responses of faults that answer (the others delay or reset, see `routes`).

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};

use super::body::ResponseBody;
use super::responses::{Resp, api_error, closing, raw};
use crate::fault::Fault;

const MAINTENANCE_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head>\
<body><h1>Service Unavailable</h1><p>Salesforce is down for maintenance. Please try again later.</p>\
</body></html>\n";

const LOGIN_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>Login | Salesforce</title>\
<meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\"></head><body>\
<form name=\"login\" method=\"post\" action=\"/\"><input type=\"text\" name=\"username\">\
<input type=\"password\" name=\"pw\"><input type=\"submit\" value=\"Log In\"></form>\
</body></html>\n";

/// The start of a token response, for bodies that are not meant to finish.
const JSON_PREFIX: &[u8] = b"{\"access_token\":\"";

/// The response for a fault that answers; `None` for latency and reset.
pub(crate) fn respond(fault: &Fault) -> Option<Resp> {
    let response = match fault {
        Fault::Latency(_) | Fault::ConnectionReset => return None,
        Fault::InternalServerError => api_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)",
        ),
        Fault::ServiceUnavailable => {
            let mut r = raw(
                StatusCode::SERVICE_UNAVAILABLE,
                "text/html;charset=UTF-8",
                MAINTENANCE_PAGE,
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            r
        }
        Fault::HtmlPage => raw(StatusCode::OK, "text/html;charset=UTF-8", LOGIN_PAGE),
        Fault::OversizedBody { bytes } => {
            let mut chunk = Vec::with_capacity(64 * 1024);
            chunk.extend_from_slice(JSON_PREFIX);
            chunk.resize(64 * 1024, b'A');
            let mut r = raw(
                StatusCode::OK,
                "application/json;charset=UTF-8",
                Bytes::new(),
            );
            *r.body_mut() = ResponseBody::Repeat {
                chunk: Bytes::from(chunk),
                remaining: *bytes,
            };
            r
        }
        Fault::StallMidBody { stall } => {
            let full_len = 2 * 1024;
            let mut first = Vec::with_capacity(full_len / 2);
            first.extend_from_slice(JSON_PREFIX);
            first.resize(full_len / 2, b'A');
            let mut r = Response::new(ResponseBody::Stall {
                first: Some(Bytes::from(first)),
                sleep: Box::pin(tokio::time::sleep(*stall)),
            });
            let headers = r.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            );
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(full_len));
            r
        }
        Fault::Redirect { location } => {
            let mut r = raw(StatusCode::FOUND, "text/html;charset=UTF-8", Bytes::new());
            *r.body_mut() = ResponseBody::empty();
            // A location that is not a valid header value still yields a 302 (without
            // Location), which clients must not follow either.
            if let Ok(value) = HeaderValue::from_str(location) {
                r.headers_mut().insert(header::LOCATION, value);
            }
            r
        }
    };
    Some(closing(response))
}
