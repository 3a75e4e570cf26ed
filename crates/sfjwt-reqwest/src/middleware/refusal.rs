//! Reading a 401: does its body say `INVALID_SESSION_ID` (a new token will help), and the
//! marker put on a 401 handed back without a retry.

use core::pin::Pin;
use core::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt as _;
use reqwest::{Body, Response, ResponseBuilderExt as _};
use sfjwt_core::response::says_invalid_session;

/// How much of a 401 body is read to look for `INVALID_SESSION_ID`. Salesforce's is under
/// 100 bytes; a larger body is something else (a proxy's page) and is handed back whole.
const PEEK_LIMIT: usize = 16 * 1024;

/// Put on a 401 response the middleware hands back without retrying it (a response
/// extension): why it did not retry.
///
/// ```
/// # async fn f(api: sfjwt_reqwest::reqwest_middleware::ClientWithMiddleware) -> Result<(), Box<dyn std::error::Error>> {
/// use sfjwt_reqwest::NotRetried;
/// let response = api.get(sfjwt_reqwest::org_url("/services/data/v62.0/limits")?).send().await?;
/// match response.extensions().get::<NotRetried>() {
///     Some(NotRetried::BodyNotReplayable) => { /* send it again: the next token is a new one */ }
///     Some(other) => eprintln!("401: {other:?}"),
///     None => { /* not a 401, or a retried one */ }
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
    /// `INVALID_SESSION_ID`, but the request body is a stream reqwest cannot send twice. The
    /// token was reported stale, so sending the request again uses a new one.
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

/// A 401's verdict and the response, its body intact.
pub(crate) struct Peeked {
    pub(crate) response: Response,
    pub(crate) invalid_session: bool,
}

/// Reads up to [`PEEK_LIMIT`] bytes of `response`'s body, decides whether it is Salesforce's
/// `INVALID_SESSION_ID`, and rebuilds the response with the same status, headers, URL and
/// body bytes.
pub(crate) async fn peek(response: Response) -> Result<Peeked, reqwest::Error> {
    let url = response.url().clone();
    let (mut parts, mut body) = http::Response::<Body>::from(response).into_parts();
    let mut head = BytesMut::new();
    let mut ended = false;
    while head.len() <= PEEK_LIMIT {
        match body.frame().await {
            None => {
                ended = true;
                break;
            }
            Some(frame) => {
                if let Ok(data) = frame?.into_data() {
                    head.extend_from_slice(&data);
                }
            }
        }
    }
    let head = head.freeze();
    let invalid_session = ended && says_invalid_session(&head);
    let body = if ended {
        Body::from(head)
    } else {
        Body::wrap(Prefixed {
            head: Some(head),
            rest: body,
        })
    };
    // `reqwest::Response::from(http::Response)` takes the URL from an extension only reqwest's
    // response builder can write.
    if let Ok(with_url) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(with_url.into_parts().0.extensions);
    }
    Ok(Peeked {
        response: Response::from(http::Response::from_parts(parts, body)),
        invalid_session,
    })
}

/// A body whose first bytes were already read: those, then the rest.
struct Prefixed {
    head: Option<Bytes>,
    rest: Body,
}

impl http_body::Body for Prefixed {
    type Data = Bytes;
    type Error = reqwest::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, reqwest::Error>>> {
        if let Some(head) = self.head.take() {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn size_hint(&self) -> SizeHint {
        let head = self.head.as_ref().map_or(0, |h| h.len() as u64);
        let rest = self.rest.size_hint();
        let mut hint = SizeHint::new();
        hint.set_lower(rest.lower().saturating_add(head));
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper.saturating_add(head));
        }
        hint
    }
}
