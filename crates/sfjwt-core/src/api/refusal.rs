//! The marker put on a 401 handed back without a retry, and how much of a 401 is read.

/// How much of a 401 body a middleware reads to look for `INVALID_SESSION_ID`. Salesforce's
/// is under 100 bytes; a larger body is something else (a proxy's page) and is handed back
/// whole, without a retry.
pub const PEEK_LIMIT: usize = 16 * 1024;

/// Put on a 401 response the middleware hands back without retrying it (a response
/// extension): why it did not retry.
///
/// ```
/// use sfjwt_core::api::NotRetried;
/// # let mut response = http::Response::new(());
/// # response.extensions_mut().insert(NotRetried::BodyNotReplayable);
/// match response.extensions().get::<NotRetried>() {
///     Some(NotRetried::BodyNotReplayable) => { /* send it again: the next token is a new one */ }
///     Some(other) => eprintln!("401: {other:?}"),
///     None => { /* not a 401, or a retried one */ }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotRetried {
    /// The 401 body does not say `INVALID_SESSION_ID`, so a new login would not help (the
    /// credentials are fine, the request is not; or the 401 came from a proxy). The token is
    /// kept.
    NotInvalidSession,
    /// `INVALID_SESSION_ID`, but the request body cannot be sent twice: a stream the client
    /// cannot clone (reqwest), or a body longer than the middleware's replay limit (ureq). The
    /// token was reported stale, so sending the request again uses a new one.
    BodyNotReplayable,
    /// The retry with a freshly granted token was refused `INVALID_SESSION_ID` too: the
    /// session is refused for a reason a login does not fix (sessions locked to another IP,
    /// a session not valid for the REST API). The token was reported; the re-grant rule
    /// ([`manual::regrant`](crate::manual::regrant)) stops granting after two such refusals.
    RefusedAfterRegrant,
    /// `INVALID_SESSION_ID`, and the new token belongs to another instance than the request's
    /// URL, so it was not sent there. Build the request again (a path written with
    /// [`org_url`](super::org_url) follows the token).
    InstanceChanged,
}
