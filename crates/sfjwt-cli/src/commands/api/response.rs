//! What `sfjwt api` does with the answer: recognise an ended session, print the body (pretty
//! JSON for a person at a terminal, sanitised by [`sfjwt_core::response::terminal_json`]; the exact bytes for a
//! pipe or with `--raw`), and map the status to the exit code (0 for 2xx, 5 otherwise).

use std::io::Write as _;

use http::{Response, StatusCode};
use serde_json::Value;

use crate::error::{CliError, CliResult, Exit};

/// Whether the API refused the token because its session ended: 401 with
/// `[{"errorCode":"INVALID_SESSION_ID",…}]` (the REST API's error body is a JSON array of
/// `message`/`errorCode` objects).
pub(crate) fn is_invalid_session(response: &Response<Vec<u8>>) -> bool {
    response.status() == StatusCode::UNAUTHORIZED
        && sfjwt_core::response::says_invalid_session(response.body())
}

/// Prints the status line and headers (`-i`), then the body: for a person (`terminal`)
/// pretty and sanitised, else its exact bytes.
pub(crate) fn print(response: &Response<Vec<u8>>, include: bool, terminal: bool) -> CliResult {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let write = |out: &mut std::io::StdoutLock<'_>, bytes: &[u8]| {
        out.write_all(bytes).map_err(|e| CliError::output(&e))
    };
    if include {
        let mut head = format!(
            "{:?} {} {}\n",
            response.version(),
            response.status().as_u16(),
            response.status().canonical_reason().unwrap_or("")
        );
        for (name, value) in response.headers() {
            head.push_str(&format!(
                "{name}: {}\n",
                sfjwt_core::response::sanitize(&String::from_utf8_lossy(value.as_bytes()))
            ));
        }
        head.push('\n');
        write(&mut out, head.as_bytes())?;
    }
    let body = response.body();
    if terminal {
        let text = match serde_json::from_slice::<Value>(body) {
            Ok(json) => sfjwt_core::response::terminal_json(&json),
            Err(_) => zeroize::Zeroizing::new(sfjwt_core::response::terminal_text(
                &String::from_utf8_lossy(body),
            )),
        };
        write(&mut out, text.as_bytes())?;
        if !text.is_empty() && !text.ends_with('\n') {
            write(&mut out, b"\n")?;
        }
    } else {
        write(&mut out, body)?;
    }
    out.flush().map_err(|e| CliError::output(&e))
}

/// Exit 0 for 2xx, else exit 5 with the status and a hint (the body was printed already).
pub(crate) fn outcome(response: &Response<Vec<u8>>) -> CliResult {
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let hint = match status.as_u16() {
        300..=399 => {
            "redirects are not followed (the token must not travel to another host); -i shows the Location"
        }
        401 => {
            "the API refused the token even after a new login: check the user's session settings (IP restrictions, Lock sessions to the IP address)"
        }
        403 => "the user lacks a permission for this (API Enabled, object or field access)",
        404 => "check the path and the API version (sfjwt api /services/data lists the versions)",
        _ => "the API's answer is printed above",
    };
    Err(CliError::new(
        Exit::Api,
        format!(
            "the API answered HTTP {} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        )
        .trim_end()
        .to_owned(),
    )
    .hint(hint))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn response(status: u16, body: &str) -> Response<Vec<u8>> {
        Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap()
    }

    #[test]
    fn recognises_an_ended_session_only() {
        let ended =
            r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
        assert!(is_invalid_session(&response(401, ended)));
        assert!(!is_invalid_session(&response(403, ended)));
        assert!(!is_invalid_session(&response(
            401,
            r#"[{"errorCode":"INSUFFICIENT_ACCESS"}]"#
        )));
        assert!(!is_invalid_session(&response(401, "<html>")));
    }

    #[test]
    fn exit_codes() {
        assert!(outcome(&response(204, "")).is_ok());
        assert_eq!(outcome(&response(404, "[]")).unwrap_err().exit(), Exit::Api);
        assert_eq!(outcome(&response(302, "")).unwrap_err().exit(), Exit::Api);
    }
}
