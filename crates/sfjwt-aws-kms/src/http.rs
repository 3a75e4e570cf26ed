//! The HTTPS client the SDK uses: hyper on rustls with the `ring` provider.
//!
//! The SDK's default client would pick its own TLS crypto (aws-lc, a C build); choosing the
//! provider here keeps one rustls provider (`ring`, which the workspace already builds) and
//! makes the choice explicit, so a second provider elsewhere in an application's graph can
//! never leave rustls unable to pick one. Certificates are checked against the operating
//! system's trust store.

use aws_sdk_kms::config::SharedHttpClient;
use aws_smithy_http_client::Builder;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

/// The HTTPS client [`KmsSigner::from_env`](crate::KmsSigner::from_env) uses (rustls with
/// `ring`, the system's trust store). This crate builds the SDK without a default HTTPS
/// client, so pass this one when you build your own configuration for
/// [`KmsSigner::new`](crate::KmsSigner::new):
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
///     .http_client(sfjwt_aws_kms::https_client())
///     .region(aws_config::Region::new("eu-west-1"))
///     .load()
///     .await;
/// let signer = sfjwt_aws_kms::KmsSigner::new(aws_sdk_kms::Client::new(&config), "alias/sfjwt-prod").await?;
/// # let _ = signer; Ok(()) }
/// ```
pub fn https_client() -> SharedHttpClient {
    Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}
