//! [`MemoryStore`]: the in-process default store.

use std::sync::{Mutex, PoisonError};

use super::interface::{QuickRefusals, StoreError, StoreOp, StoreReply, StoredToken, TokenStore};

/// The in-process default store: the token and the refusal streak, for this process only (or
/// for the managers that share one `Arc<MemoryStore>`, which then share the streak too).
#[derive(Debug, Default)]
pub struct MemoryStore {
    slot: Mutex<Option<StoredToken>>,
    refusals: Mutex<Option<QuickRefusals>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl TokenStore for MemoryStore {
    fn run(&self, op: StoreOp) -> Result<StoreReply, StoreError> {
        // Each operation locks the one field it touches (`Load` runs on every token lookup).
        let slot = || self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        let refusals = || self.refusals.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(match op {
            StoreOp::Load => StoreReply::Token(slot().clone()),
            StoreOp::Save(token) => {
                *slot() = Some(token);
                StoreReply::Saved
            }
            StoreOp::Invalidate(stale) => {
                let mut slot = slot();
                let current = slot
                    .as_ref()
                    .is_some_and(|t| t.token.access_token().same_as(&stale));
                if current {
                    *slot = None;
                }
                StoreReply::Invalidated(current)
            }
            StoreOp::LoadRefusals => StoreReply::Refusals(*refusals()),
            StoreOp::SaveRefusals(streak, _keep_for) => {
                *refusals() = streak;
                StoreReply::RefusalsSaved(true)
            }
            other => return other.default_reply(),
        })
    }
}
