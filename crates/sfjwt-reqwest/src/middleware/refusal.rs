//! Reading a 401 on reqwest's body type: does it say `INVALID_SESSION_ID` (a new token will
//! help)? The body is handed back intact.

use core::pin::Pin;
use core::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt as _;
use reqwest::{Body, Response, ResponseBuilderExt as _};
use sfjwt_core::api::PEEK_LIMIT;
use sfjwt_core::response::says_invalid_session;

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
