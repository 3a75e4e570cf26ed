//! The per-user login rate limit.
//!
//! Salesforce allows a user about 3,600 logins per hour and then answers
//! `invalid_grant` / `login rate exceeded` (with HTTP 400). Clients that request a new token per
//! API call hit this in production; the limit here is configurable so a test can hit it with
//! three requests instead of 3,601.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime};

/// The window the limit counts over.
pub(crate) const WINDOW: Duration = Duration::from_secs(3600);

/// Successful logins per user in the last [`WINDOW`].
pub(crate) struct LoginRate {
    per_hour: u32,
    logins: HashMap<String, VecDeque<SystemTime>>,
}

impl LoginRate {
    pub(crate) fn new(per_hour: u32) -> Self {
        Self {
            per_hour,
            logins: HashMap::new(),
        }
    }

    /// Whether `user` may log in at `now`; counts the login if so.
    pub(crate) fn try_login(&mut self, user: &str, now: SystemTime) -> bool {
        let times = self.logins.entry(user.to_ascii_lowercase()).or_default();
        while let Some(&first) = times.front() {
            // A clock that went backwards keeps the login inside the window.
            let age = now.duration_since(first).unwrap_or(Duration::ZERO);
            if age >= WINDOW {
                times.pop_front();
            } else {
                break;
            }
        }
        if times.len() >= self.per_hour as usize {
            return false;
        }
        times.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_per_user_per_hour() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut r = LoginRate::new(2);
        assert!(r.try_login("a@x.com", t0));
        assert!(r.try_login("A@x.com", t0 + Duration::from_secs(10)));
        assert!(!r.try_login("a@x.com", t0 + Duration::from_secs(20)));
        assert!(r.try_login("b@x.com", t0 + Duration::from_secs(20)));
        assert!(r.try_login("a@x.com", t0 + WINDOW));
        assert!(!r.try_login("a@x.com", t0 + WINDOW));
        assert!(r.try_login("a@x.com", t0 + WINDOW + Duration::from_secs(10)));
    }
}
