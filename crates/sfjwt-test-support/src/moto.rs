//! A local AWS KMS for the tests: `moto` in server mode on a free loopback port, one server
//! per test, stopped when the test ends.
//!
//! moto comes from PyPI (`moto[server]`), installed by `.ci/setup.sh` into `.ci/venv`; a
//! `moto_server` on `PATH` works too. Without either the tests fail and say which command
//! fixes it.
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long moto may take to start (it imports a lot of Python on a loaded machine).
const STARTUP: Duration = Duration::from_secs(90);

/// A running `moto_server`, stopped on drop.
#[derive(Debug)]
pub struct Moto {
    child: Child,
    port: u16,
}

/// `.ci/venv/bin/moto_server` in the checkout, else `moto_server` on `PATH`.
pub fn moto_server() -> PathBuf {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.ci/venv/bin/moto_server");
    if venv.is_file() {
        return venv;
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("moto_server"))
                .find(|candidate| candidate.is_file())
        })
        .unwrap_or_default();
    on_path.unwrap_or_else(|| {
        panic!("moto (a local AWS KMS) is not installed: run `bash .ci/setup.sh`")
    })
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

impl Moto {
    /// Starts one on a free loopback port and waits until it listens.
    pub fn start() -> Self {
        let port = free_port();
        let child = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto_server ({e}): run `bash .ci/setup.sh`"));
        let mut moto = Self { child, port };
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + STARTUP;
        loop {
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return moto;
            }
            if let Some(status) = moto.child.try_wait().unwrap() {
                panic!("moto_server exited ({status}) before listening on port {port}");
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not listen on port {port} within {STARTUP:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `http://127.0.0.1:PORT`: the value for `AWS_ENDPOINT_URL_KMS`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The environment a process needs to reach this KMS through the standard AWS chain.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL_KMS", self.endpoint()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "testing".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "testing".to_owned()),
            // Keep the SDK away from ~/.aws and the instance metadata service.
            ("AWS_CONFIG_FILE", "/nonexistent/aws-config".to_owned()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/aws-credentials".to_owned(),
            ),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ]
    }

    /// A KMS client for this server, configured explicitly (no environment), over
    /// `http_client` (`sfjwt_aws_kms::https_client()`: this crate cannot depend on it).
    pub async fn client(
        &self,
        http_client: aws_sdk_kms::config::SharedHttpClient,
    ) -> aws_sdk_kms::Client {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(http_client)
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(self.endpoint())
            .credentials_provider(aws_sdk_kms::config::Credentials::new(
                "testing", "testing", None, None, "moto",
            ))
            .load()
            .await;
        aws_sdk_kms::Client::new(&config)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates an RSA signing key in `client`'s KMS, with `alias` (e.g. `alias/sfjwt-test`);
/// returns its ARN.
pub async fn create_rsa_key(client: &aws_sdk_kms::Client, alias: &str) -> String {
    use aws_sdk_kms::types::{KeySpec, KeyUsageType};
    let key = client
        .create_key()
        .key_spec(KeySpec::Rsa2048)
        .key_usage(KeyUsageType::SignVerify)
        .description("sfjwt test key")
        .send()
        .await
        .unwrap();
    let metadata = key.key_metadata().unwrap();
    client
        .create_alias()
        .alias_name(alias)
        .target_key_id(metadata.key_id())
        .send()
        .await
        .unwrap();
    metadata.arn().unwrap().to_owned()
}
