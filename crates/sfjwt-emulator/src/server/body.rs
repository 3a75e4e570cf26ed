//! Request bodies read with a bound, and the response bodies faults need.
//!
//! A token request is a few kilobytes. Reading stops at the configured limit (64 KiB by
//! default), and at a read timeout, so a client streaming gigabytes or sending one byte a
//! minute costs the emulator nothing. The response side needs bodies a plain buffer cannot
//! express: one that streams megabytes, and one that stops halfway and never finishes.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use tokio::time::Sleep;

/// What reading a request body gave.
pub(crate) enum BodyOutcome {
    /// The whole body, within the limit.
    Complete(Bytes),
    /// The body is larger than the limit (declared or actually sent): reading stopped.
    TooLarge,
    /// The client stopped sending before the body was complete.
    TimedOut,
    /// The body was malformed (bad chunked encoding) or the connection broke.
    Failed,
}

/// Reads `body` up to `max` bytes within `timeout`.
pub(crate) async fn read_bounded(
    headers: &HeaderMap,
    mut body: Incoming,
    max: usize,
    timeout: Duration,
) -> BodyOutcome {
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > max as u64) {
        return BodyOutcome::TooLarge;
    }
    let read = async {
        let mut buf = Vec::new();
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else {
                return BodyOutcome::Failed;
            };
            if let Ok(data) = frame.into_data() {
                if buf.len().saturating_add(data.len()) > max {
                    return BodyOutcome::TooLarge;
                }
                buf.extend_from_slice(&data);
            }
        }
        BodyOutcome::Complete(Bytes::from(buf))
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or(BodyOutcome::TimedOut)
}

/// Every response body the emulator sends.
pub(crate) enum ResponseBody {
    /// A complete body (possibly empty).
    Full(Option<Bytes>),
    /// `chunk` repeated until `remaining` bytes were sent.
    Repeat { chunk: Bytes, remaining: u64 },
    /// `first`, then a stall, then an error that makes hyper drop the connection.
    Stall {
        first: Option<Bytes>,
        sleep: Pin<Box<Sleep>>,
    },
}

impl ResponseBody {
    pub(crate) fn full(bytes: impl Into<Bytes>) -> Self {
        Self::Full(Some(bytes.into()))
    }

    pub(crate) fn empty() -> Self {
        Self::Full(None)
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            Self::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            Self::Repeat { chunk, remaining } => {
                if *remaining == 0 {
                    return Poll::Ready(None);
                }
                let n = usize::try_from(*remaining)
                    .unwrap_or(usize::MAX)
                    .min(chunk.len());
                *remaining -= n as u64;
                Poll::Ready(Some(Ok(Frame::data(chunk.slice(..n)))))
            }
            Self::Stall { first, sleep } => {
                if let Some(data) = first.take() {
                    return Poll::Ready(Some(Ok(Frame::data(data))));
                }
                match sleep.as_mut().poll(cx) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(()) => Poll::Ready(Some(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "stall fault: abandoning the response",
                    )))),
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Full(data) => data.is_none(),
            Self::Repeat { remaining, .. } => *remaining == 0,
            Self::Stall { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Full(data) => SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64)),
            // Unknown on purpose: the oversized body goes out chunked, and the stalled one
            // carries its own Content-Length header.
            Self::Repeat { .. } | Self::Stall { .. } => SizeHint::default(),
        }
    }
}
