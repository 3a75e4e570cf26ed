//! A private SoftHSM2 token per test.
//!
//! SoftHSM2 reads its configuration (and so its token directory) from the file named by
//! `SOFTHSM2_CONF` once, when the module is initialized, and a module is initialized once per
//! process. So each test runs its body in a child process of this test binary, started with
//! `SOFTHSM2_CONF` pointing at a configuration and token directory of its own (a temporary
//! directory, removed afterwards). The parent makes the token and imports keys with
//! `softhsm2-util`, the tool users use; the child runs the body and the parent fails if the
//! child did not run exactly that one test, successfully.
//!
//! SoftHSM2 comes from the Debian package `softhsm2`, installed by `.ci/setup.sh`; without
//! it the tests fail and say so.
use std::path::{Path, PathBuf};
use std::process::Command;

/// Set in the child: the test's token label.
const CHILD_TOKEN: &str = "SFJWT_TEST_SOFTHSM_TOKEN";
/// Set in the child: the test's directory (holds the PIN file).
const CHILD_DIR: &str = "SFJWT_TEST_SOFTHSM_DIR";

/// The user PIN of every test token.
pub const PIN: &str = "4321";
/// The security officer PIN of every test token.
pub const SO_PIN: &str = "87654321";
/// The label of every test token.
pub const TOKEN: &str = "sfjwt-test";

/// Where Debian (and Ubuntu) install the SoftHSM2 module.
pub fn module_path() -> PathBuf {
    let candidates = [
        "/usr/lib/softhsm/libsofthsm2.so",
        "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
        "/usr/local/lib/softhsm/libsofthsm2.so",
    ];
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("SoftHSM2 is not installed (no libsofthsm2.so): run `bash .ci/setup.sh`")
        })
}

/// A path under `testdata/`.
pub use crate::testdata::path as testdata;

/// The parent's view: a token directory with an initialized token.
#[derive(Debug)]
pub struct Token {
    dir: tempfile::TempDir,
}

impl Token {
    /// A new token directory with the token `TOKEN` initialized (PIN `PIN`).
    #[allow(
        clippy::new_without_default,
        reason = "it runs softhsm2-util: not a default"
    )]
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        std::fs::write(
            dir.path().join("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        std::fs::write(dir.path().join("pin"), format!("{PIN}\n")).unwrap();
        let token = Self { dir };
        token.util(&[
            "--init-token",
            "--free",
            "--label",
            TOKEN,
            "--pin",
            PIN,
            "--so-pin",
            SO_PIN,
        ]);
        token
    }

    /// The `SOFTHSM2_CONF` file for this token directory.
    pub fn conf(&self) -> PathBuf {
        self.dir.path().join("softhsm2.conf")
    }

    /// Imports an unencrypted PKCS#8 PEM key from `testdata/` under `label` and `id` (hex).
    pub fn import(&self, key: &str, label: &str, id: &str) {
        let path = testdata(key);
        self.util(&[
            "--import",
            path.to_str().unwrap(),
            "--token",
            TOKEN,
            "--label",
            label,
            "--id",
            id,
            "--pin",
            PIN,
        ]);
    }

    /// The key URI of `object` in this token, with the PIN in a file.
    pub fn uri(&self, object: &str) -> String {
        Hsm {
            token: TOKEN.to_owned(),
            dir: self.dir.path().to_path_buf(),
        }
        .uri(object)
    }

    fn util(&self, args: &[&str]) {
        let output = Command::new("softhsm2-util")
            .args(args)
            .env("SOFTHSM2_CONF", self.conf())
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run softhsm2-util ({e}): SoftHSM2 is not installed; run `bash .ci/setup.sh`")
            });
        assert!(
            output.status.success(),
            "softhsm2-util {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// The child's view: how to name keys on the test's token.
#[derive(Debug)]
pub struct Hsm {
    token: String,
    dir: PathBuf,
}

impl Hsm {
    /// `pkcs11:token=…;object=LABEL?module-path=…&pin-source=file:…`.
    pub fn uri(&self, object: &str) -> String {
        format!(
            "pkcs11:token={};object={object}?module-path={}&pin-source=file:{}",
            self.token,
            module_path().display(),
            self.pin_file().display()
        )
    }

    /// The same without any PIN.
    pub fn uri_without_pin(&self, object: &str) -> String {
        format!(
            "pkcs11:token={};object={object}?module-path={}",
            self.token,
            module_path().display()
        )
    }

    /// The file holding [`PIN`].
    pub fn pin_file(&self) -> PathBuf {
        self.dir.join("pin")
    }

    /// The test's token directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// Runs `body` in a child process with a fresh token prepared by `setup`. `test` must be
/// the calling test's name (its function name: tests live at the top of the file).
pub fn with_token(test: &str, setup: impl FnOnce(&Token), body: impl FnOnce(&Hsm)) {
    if let (Ok(token), Ok(dir)) = (std::env::var(CHILD_TOKEN), std::env::var(CHILD_DIR)) {
        body(&Hsm {
            token,
            dir: PathBuf::from(dir),
        });
        return;
    }
    module_path();
    let token = Token::new();
    setup(&token);
    let output = Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env("SOFTHSM2_CONF", token.conf())
        .env(CHILD_TOKEN, TOKEN)
        .env(CHILD_DIR, token.dir.path())
        .output()
        .unwrap();
    let stdout = crate::process::succeeded(&output, "the test in its SoftHSM2 child process");
    // Guard against a filter that matched nothing (a renamed test): that would pass silently.
    assert!(
        stdout.contains("1 passed"),
        "the child process did not run `{test}` (exactly one test must match):\n{stdout}"
    );
}
