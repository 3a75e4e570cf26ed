//! One TCP connection: HTTP/1.1 via hyper, a real reset on demand, and a lingering close.
//!
//! Two socket-level behaviours need more than a request handler can do:
//!
//! - **Reset.** [`Fault::ConnectionReset`](crate::Fault::ConnectionReset) must look to the
//!   client like a load balancer killing the connection: `ECONNRESET`, not a polite FIN. The
//!   handler raises a flag and the connection task drops the connection; the stream's `Drop`
//!   sets `SO_LINGER` to zero first, which makes the kernel send RST.
//! - **Lingering close.** When the emulator refuses an oversized body it stops reading, answers
//!   413 and closes. Closing a socket with unread input makes Linux send RST, and the client
//!   may lose the 413 it has not read yet. Like Apache's `lingering_close`, the task half-closes
//!   and discards (without storing) what the client still sends, bounded in bytes and time.

use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;

use super::routes;
use crate::state::Shared;

/// How much a lingering close discards at most.
const LINGER_MAX_BYTES: usize = 32 * 1024 * 1024;
/// How long a lingering close waits at most.
const LINGER_MAX_TIME: Duration = Duration::from_secs(2);

/// Lets a request handler reset its connection.
#[derive(Clone, Default)]
pub(crate) struct ConnCtl {
    reset: Arc<AtomicBool>,
    notify: Arc<Notify>,
}

impl ConnCtl {
    /// Asks the connection task to reset the connection now.
    pub(crate) fn reset(&self) {
        self.reset.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }
}

/// A TCP stream that resets instead of closing when its connection asked for it.
struct ResettableStream {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.reset.load(Ordering::SeqCst) {
            // With a zero linger time, close() discards unsent data and sends RST.
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Serves one connection until the client closes it, a response closes it, or a fault
/// resets it.
pub(crate) async fn serve(stream: TcpStream, peer: IpAddr, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let ctl = ConnCtl::default();
    let io = TokioIo::new(ResettableStream {
        inner: stream,
        reset: Arc::clone(&ctl.reset),
    });
    let service = {
        let ctl = ctl.clone();
        service_fn(move |request| routes::handle(request, peer, Arc::clone(&shared), ctl.clone()))
    };
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        // A client that connects and sends nothing (or half a request line) is dropped.
        .header_read_timeout(super::HEADER_READ_TIMEOUT)
        .serve_connection(io, service)
        .without_shutdown();
    tokio::select! {
        finished = connection => {
            if let Ok(parts) = finished {
                linger(parts.io.into_inner()).await;
            }
        }
        () = ctl.notify.notified() => {
            // Dropping the connection drops the stream, whose Drop sends RST.
        }
    }
}

/// Half-closes, then discards what the client still sends, within bounds.
async fn linger(mut stream: ResettableStream) {
    if stream.reset.load(Ordering::SeqCst) {
        return;
    }
    let _ = stream.shutdown().await;
    let drain = async {
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0usize;
        while total < LINGER_MAX_BYTES {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total = total.saturating_add(n),
            }
        }
    };
    let _ = tokio::time::timeout(LINGER_MAX_TIME, drain).await;
}
