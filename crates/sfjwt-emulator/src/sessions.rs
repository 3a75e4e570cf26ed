//! Issued access tokens and their sliding timeout.
//!
//! Salesforce access tokens from the JWT bearer flow carry no `expires_in`: a token is a
//! session that lives until the org's session timeout elapses *without use* (each API call
//! extends it), or until an admin revokes it. Clients therefore keep a token until the API
//! answers 401 `INVALID_SESSION_ID`; this store lets tests produce that answer on demand.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, SystemTime};

/// One live session.
#[derive(Clone)]
pub(crate) struct Session {
    /// The username as configured (canonical case).
    pub(crate) username: String,
    pub(crate) user_id: String,
    pub(crate) last_used: SystemTime,
    /// The address the session was granted to (for sessions locked to it).
    pub(crate) origin_ip: IpAddr,
}

/// How the org lets sessions be used; changeable at run time from the handle.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SessionRules {
    /// Every API call is refused: the caller left through another egress IP than the one
    /// the session is locked to.
    pub(crate) ip_locked: bool,
    /// API calls from another address than the grant's are refused.
    pub(crate) locked_to_origin_ip: bool,
    /// REST API calls are refused as "not valid for use with the REST API".
    pub(crate) not_for_rest_api: bool,
}

/// Live sessions by access token.
pub(crate) struct Sessions {
    by_token: HashMap<String, Session>,
    timeout: Duration,
}

impl Sessions {
    pub(crate) fn new(timeout: Duration) -> Self {
        Self {
            by_token: HashMap::new(),
            timeout,
        }
    }

    pub(crate) fn insert(&mut self, token: String, session: Session) {
        self.by_token.insert(token, session);
    }

    /// The session for `token` if it is live at `now`, extending it (sliding timeout).
    /// A timed-out session is removed.
    pub(crate) fn use_token(&mut self, token: &str, now: SystemTime) -> Option<Session> {
        let session = self.by_token.get_mut(token)?;
        // A clock that went backwards counts as "just used".
        let idle = now
            .duration_since(session.last_used)
            .unwrap_or(Duration::ZERO);
        if idle >= self.timeout {
            self.by_token.remove(token);
            return None;
        }
        session.last_used = now.max(session.last_used);
        Some(session.clone())
    }

    pub(crate) fn revoke(&mut self, token: &str) -> bool {
        self.by_token.remove(token).is_some()
    }

    pub(crate) fn revoke_all(&mut self) -> usize {
        let n = self.by_token.len();
        self.by_token.clear();
        n
    }

    /// Ends every session of `username` (a deactivated user loses their sessions).
    pub(crate) fn revoke_user(&mut self, username: &str) {
        self.by_token
            .retain(|_, s| !s.username.eq_ignore_ascii_case(username));
    }

    pub(crate) fn len(&self) -> usize {
        self.by_token.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(at: SystemTime) -> Session {
        Session {
            username: "u@x.com".into(),
            user_id: "005".into(),
            last_used: at,
            origin_ip: IpAddr::from([127, 0, 0, 1]),
        }
    }

    #[test]
    fn timeout_slides_with_use() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut s = Sessions::new(Duration::from_secs(100));
        s.insert("tok".into(), session(t0));
        assert!(s.use_token("tok", t0 + Duration::from_secs(99)).is_some());
        assert!(s.use_token("tok", t0 + Duration::from_secs(198)).is_some());
        assert!(s.use_token("tok", t0 + Duration::from_secs(298)).is_none());
        assert!(
            s.use_token("tok", t0).is_none(),
            "a timed-out session stays gone"
        );
        assert_eq!(s.len(), 0);
    }

    #[test]
    fn revocation() {
        let t0 = SystemTime::UNIX_EPOCH;
        let mut s = Sessions::new(Duration::from_secs(100));
        s.insert("a".into(), session(t0));
        s.insert("b".into(), session(t0));
        assert!(s.revoke("a"));
        assert!(!s.revoke("a"));
        s.revoke_user("U@X.COM");
        assert_eq!(s.len(), 0);
        s.insert("c".into(), session(t0));
        assert_eq!(s.revoke_all(), 1);
    }
}
