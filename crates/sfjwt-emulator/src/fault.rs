//! Fault injection: the ways a real network and a real Salesforce misbehave.
//!
//! A client that only ever sees well-formed 200s and 400s is untested where it matters:
//! proxies answer with HTML login pages, load balancers reset connections, maintenance windows
//! return 503, a broken middlebox streams forever or stalls mid-body. Each [`Fault`] reproduces
//! one of these on a real socket, for the next N requests.

use std::collections::VecDeque;
use std::time::Duration;

/// The default size of [`Fault::OversizedBody`]: 8 MiB, far above any sane token response.
pub const DEFAULT_OVERSIZED_BYTES: u64 = 8 * 1024 * 1024;

/// The default stall of [`Fault::StallMidBody`]: long enough that only a client timeout ends it.
pub const DEFAULT_STALL: Duration = Duration::from_secs(3600);

/// The default [`Fault::Redirect`] target: a host under `.invalid` (RFC 2606), which never
/// resolves, so a client that follows the redirect fails instead of leaking the assertion.
pub const DEFAULT_REDIRECT_LOCATION: &str = "https://redirected.invalid/services/oauth2/token";

/// One way to misbehave, applied to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Wait this long, then answer normally.
    Latency(Duration),
    /// Read the request, then reset the TCP connection (`SO_LINGER` 0, so the client sees
    /// `ECONNRESET`, not a clean end of stream) without sending a byte.
    ConnectionReset,
    /// HTTP 500 with a Salesforce `UNKNOWN_EXCEPTION` body.
    InternalServerError,
    /// HTTP 503 with an HTML maintenance page and `Retry-After`.
    ServiceUnavailable,
    /// HTTP 200 with an HTML page (a proxy's or SSO portal's login page): clients must check
    /// the content type, not just the status.
    HtmlPage,
    /// HTTP 200, `application/json`, and a chunked body of this many bytes (no
    /// `Content-Length`, so only a client-side limit stops it).
    OversizedBody {
        /// Body size in bytes.
        bytes: u64,
    },
    /// HTTP 200 with a `Content-Length`, half the body, then nothing for `stall`, then the
    /// connection is dropped. Only a client read timeout ends the wait.
    StallMidBody {
        /// How long to stall before dropping the connection.
        stall: Duration,
    },
    /// HTTP 302 to `location` (another host). Clients must not follow redirects with a
    /// credential in the body.
    Redirect {
        /// The `Location` header.
        location: String,
    },
}

impl Fault {
    /// [`Fault::OversizedBody`] of [`DEFAULT_OVERSIZED_BYTES`].
    pub fn oversized_body() -> Self {
        Self::OversizedBody {
            bytes: DEFAULT_OVERSIZED_BYTES,
        }
    }

    /// [`Fault::StallMidBody`] of [`DEFAULT_STALL`].
    pub fn stall_mid_body() -> Self {
        Self::StallMidBody {
            stall: DEFAULT_STALL,
        }
    }

    /// [`Fault::Redirect`] to [`DEFAULT_REDIRECT_LOCATION`].
    pub fn redirect() -> Self {
        Self::Redirect {
            location: DEFAULT_REDIRECT_LOCATION.to_owned(),
        }
    }
}

/// Which requests a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Target {
    /// Every request, whatever its path.
    #[default]
    Any,
    /// Only `/services/oauth2/token`.
    Token,
    /// Only the protected resources (`/services/data/…`, `/services/oauth2/userinfo`, `/id/…`).
    Api,
}

/// Faults waiting for requests, first armed first served.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    armed: VecDeque<Armed>,
}

#[derive(Debug)]
struct Armed {
    target: Target,
    fault: Fault,
    remaining: u32,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, target: Target, fault: Fault, times: u32) {
        if times > 0 {
            self.armed.push_back(Armed {
                target,
                fault,
                remaining: times,
            });
        }
    }

    /// Takes one use of the first fault that applies to a request for `route`.
    pub(crate) fn take(&mut self, route: Target) -> Option<Fault> {
        let index = self
            .armed
            .iter()
            .position(|a| a.target == Target::Any || a.target == route)?;
        let armed = self.armed.get_mut(index)?;
        armed.remaining = armed.remaining.saturating_sub(1);
        let fault = armed.fault.clone();
        if armed.remaining == 0 {
            self.armed.remove(index);
        }
        Some(fault)
    }

    pub(crate) fn clear(&mut self) {
        self.armed.clear();
    }

    pub(crate) fn pending(&self) -> u64 {
        self.armed.iter().map(|a| u64::from(a.remaining)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_used_in_order_and_by_target() {
        let mut q = FaultQueue::default();
        q.push(Target::Token, Fault::InternalServerError, 2);
        q.push(Target::Any, Fault::HtmlPage, 1);
        q.push(Target::Any, Fault::ConnectionReset, 0);
        assert_eq!(q.pending(), 3);
        assert_eq!(q.take(Target::Api), Some(Fault::HtmlPage));
        assert_eq!(q.take(Target::Api), None);
        assert_eq!(q.take(Target::Token), Some(Fault::InternalServerError));
        assert_eq!(q.take(Target::Token), Some(Fault::InternalServerError));
        assert_eq!(q.take(Target::Token), None);
    }
}
