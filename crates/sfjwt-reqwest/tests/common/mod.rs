//! Setup shared by the tests that drive an API client (the middleware, cirrus, force).
#![allow(
    dead_code,
    reason = "each test file uses the helpers it needs; the rest are unused there"
)]
#![allow(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a panic there is a failed test"
)]

use std::future::Future;

use sfjwt_core::manager::AsyncTokenManager;
use sfjwt_reqwest::{JwtBearer, ReqwestTransport, SharedTokenManager, TokioSleep};
use sfjwt_test_support::org;

/// A shared manager for `client` that retries failed grants without waiting.
pub(crate) fn manager(client: JwtBearer) -> SharedTokenManager {
    SharedTokenManager::from(
        AsyncTokenManager::new(client, ReqwestTransport::default(), TokioSleep)
            .with_retry(org::fast_retry()),
    )
}

/// Runs `n` tasks made by `task` at once on the runtime; their results, in order.
pub(crate) async fn concurrently<F, T>(n: usize, task: impl Fn() -> F) -> Vec<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|_| tokio::spawn(task())).collect();
    let mut results = Vec::with_capacity(n);
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}
