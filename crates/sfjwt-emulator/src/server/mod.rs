//! The HTTP side: an accept loop on loopback, one task per connection.
//!
//! Built on hyper's HTTP/1.1 server directly rather than a framework: the emulator needs the
//! socket itself (to reset it, to linger on close) and response bodies that misbehave on
//! purpose, and it has only a handful of routes.

mod body;
mod conn;
mod faults;
mod responses;
mod routes;
mod versions;

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::state::Shared;

/// How long a client may take to send a request's headers.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts connections until `shutdown` changes (or its sender is dropped), then aborts the
/// connections still open: stalled responses and sleeping faults end with the emulator.
pub(crate) async fn run(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(conn::serve(stream, peer.ip(), Arc::clone(&shared)));
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}
