//! The HTTP transport every networked command uses: the `sfjwt-ureq` adapter (rustls, no
//! redirects, readable error bodies, bounded body) with `--timeout` as its overall limit.

use std::time::Duration;

pub(crate) use sfjwt_ureq::{Error as HttpError, UreqTransport as Http};

/// A transport giving up after `timeout` (connect, send and read), connecting within at
/// most 10 s.
pub(crate) fn with_timeout(timeout: Duration) -> Http {
    Http::builder()
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .build()
}
