//! Running a child process in a test: its output when it succeeded, both streams when not.

use std::process::Output;

/// The child's stdout, after asserting it exited 0; on failure the panic shows `what` and
/// both streams, so the test log says why.
#[track_caller]
pub fn succeeded(output: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{what} failed ({}):\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    stdout.into_owned()
}
