//! Reading an API refusal: does a 401 from the org's REST API mean the session ended, so one
//! new login can help? Only `INVALID_SESSION_ID` does (see the re-grant rule in
//! [`crate::manual::regrant`]); any other 401 (a missing permission, a locked session) is
//! not cured by a new token, and re-granting for it would spend logins for nothing.

use serde_json::Value;

/// Whether a 401 body from the org's REST API says the session ended: Salesforce's error body
/// is a JSON array of `message`/`errorCode` objects
/// (`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`); one such
/// object alone is accepted too. Anything else, including text that merely contains the
/// words, is `false`.
///
/// ```
/// use sfjwt_core::response::says_invalid_session;
/// assert!(says_invalid_session(
///     br#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#
/// ));
/// assert!(!says_invalid_session(br#"[{"errorCode":"INSUFFICIENT_ACCESS"}]"#));
/// assert!(!says_invalid_session(b"INVALID_SESSION_ID"));
/// ```
#[must_use]
pub fn says_invalid_session(body: &[u8]) -> bool {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let is_it =
        |v: &Value| v.get("errorCode").and_then(Value::as_str) == Some("INVALID_SESSION_ID");
    match &value {
        Value::Array(errors) => errors.iter().any(is_it),
        other => is_it(other),
    }
}

#[cfg(test)]
mod tests {
    use super::says_invalid_session;

    #[test]
    fn only_invalid_session_id_counts() {
        assert!(says_invalid_session(
            br#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#
        ));
        assert!(says_invalid_session(
            br#"{"message":"x","errorCode":"INVALID_SESSION_ID"}"#
        ));
        assert!(says_invalid_session(
            br#"[{"errorCode":"INSUFFICIENT_ACCESS"},{"errorCode":"INVALID_SESSION_ID"}]"#
        ));
        assert!(!says_invalid_session(
            br#"[{"message":"no","errorCode":"INSUFFICIENT_ACCESS"}]"#
        ));
        assert!(!says_invalid_session(b"INVALID_SESSION_ID"));
        assert!(!says_invalid_session(b"<html>login</html>"));
        assert!(!says_invalid_session(b""));
    }
}
