//! The process's own copy of the token and of the refusal streak: what the store serves while
//! Redis is unreachable.
//!
//! It mirrors the last record read from or written to Redis, so a Redis outage costs no grant
//! while the token still works; a token granted during the outage lives here alone, and so
//! does a streak counted during it (re-grants stay bounded per process).

use std::sync::{Mutex, PoisonError};

use sfjwt_core::manager::{QuickRefusals, StoredToken};
use sfjwt_core::response::AccessToken;
use zeroize::Zeroizing;

use crate::record::{self, Corrupt};

#[derive(Debug, Default)]
pub(crate) struct Local(Mutex<Option<StoredToken>>, Mutex<Option<QuickRefusals>>);

impl Local {
    pub(crate) fn refusals(&self) -> Option<QuickRefusals> {
        *self.1.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set_refusals(&self, streak: Option<QuickRefusals>) -> Option<QuickRefusals> {
        *self.1.lock().unwrap_or_else(PoisonError::into_inner) = streak;
        streak
    }

    pub(crate) fn get(&self) -> Option<StoredToken> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set(&self, token: Option<StoredToken>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = token;
    }

    /// Compare-and-clear, like Redis's; returns whether `stale` was the local token.
    pub(crate) fn invalidate(&self, stale: &AccessToken) -> bool {
        let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let hit = slot
            .as_ref()
            .is_some_and(|t| t.token.access_token().same_as(stale));
        if hit {
            *slot = None;
        }
        hit
    }

    /// Takes what `HMGET token at` returned as the truth, and returns it. A record that does
    /// not parse (written by something else) reads as "no token": the next grant overwrites it.
    pub(crate) fn adopt(&self, token: Option<Vec<u8>>, at: Option<Vec<u8>>) -> Option<StoredToken> {
        let stored = match record::decode(token.map(Zeroizing::new), at) {
            Ok(stored) => stored,
            Err(corrupt) => {
                let field = match corrupt {
                    Corrupt::Token => record::TOKEN,
                    Corrupt::Time => record::AT,
                };
                tracing::warn!(
                    field,
                    "sfjwt-redis: stored token record does not parse; treating it as absent"
                );
                None
            }
        };
        self.set(stored.clone());
        stored
    }
}
