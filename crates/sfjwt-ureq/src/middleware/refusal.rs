//! Reading a 401: does its body say `INVALID_SESSION_ID` (a new token will help), and the
//! marker put on a 401 handed back without a retry.

use std::io::{Cursor, Read as _};

use sfjwt_core::response::says_invalid_session;
use ureq::Body;

/// How much of a 401 body is read to look for `INVALID_SESSION_ID`. Salesforce's is under
/// 100 bytes; a larger body is something else (a proxy's page) and is handed back whole.
const PEEK_LIMIT: u64 = 16 * 1024;

/// Put on a 401 response the middleware hands back without retrying it (a response
/// extension): why it did not retry.
///
/// ```no_run
/// # fn f(agent: ureq::Agent) -> Result<(), Box<dyn std::error::Error>> {
/// use sfjwt_ureq::NotRetried;
/// let response = agent.get(sfjwt_ureq::org_url("/services/data/v62.0/limits")?).call()?;
/// if let Some(why) = response.extensions().get::<NotRetried>() {
///     eprintln!("401 not retried: {why:?}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotRetried {
    /// The 401 body does not say `INVALID_SESSION_ID`, so a new login would not help (the
    /// credentials are fine, the request is not; or the 401 came from a proxy). The token is
    /// kept.
    NotInvalidSession,
    /// `INVALID_SESSION_ID`, but the request body was larger than the middleware's replay
    /// limit, so it was streamed and cannot be sent twice. The token was reported stale, so
    /// sending the request again uses a new one.
    BodyNotReplayable,
    /// The retry with a freshly granted token was refused `INVALID_SESSION_ID` too: the
    /// session is refused for a reason a login does not fix (sessions locked to another IP,
    /// a session not valid for the REST API). The token was reported; after two such
    /// refusals the manager stops granting ([`ManagerError::RegrantBlocked`](sfjwt_core::ManagerError::RegrantBlocked)).
    RefusedAfterRegrant,
    /// `INVALID_SESSION_ID`, and the new token belongs to another instance than the request's
    /// URL, so it was not sent there. Build the request again (with [`org_url`](crate::org_url)
    /// it follows the token).
    InstanceChanged,
}

/// Reads up to [`PEEK_LIMIT`] bytes of a 401 body, decides whether it is Salesforce's
/// `INVALID_SESSION_ID`, and gives back a body with the same bytes.
pub(crate) fn peek(body: Body) -> Result<(Body, bool), ureq::Error> {
    let mut builder = Body::builder();
    if let Some(mime) = body.mime_type() {
        builder = builder.mime_type(mime);
    }
    if let Some(charset) = body.charset() {
        builder = builder.charset(charset);
    }
    let mut reader = body.into_reader();
    let mut head = Vec::new();
    (&mut reader).take(PEEK_LIMIT + 1).read_to_end(&mut head)?;
    if head.len() as u64 > PEEK_LIMIT {
        return Ok((builder.reader(Cursor::new(head).chain(reader)), false));
    }
    let invalid_session = says_invalid_session(&head);
    Ok((builder.data(head), invalid_session))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peeked_body_keeps_its_bytes() {
        let big = vec![b'x'; 40_000];
        let (mut body, invalid) = peek(Body::builder().data(big.clone())).unwrap();
        assert!(!invalid);
        assert_eq!(
            body.with_config().limit(100_000).read_to_vec().unwrap(),
            big
        );
    }
}
