//! Token reuse: Salesforce sends no `expires_in`, and logins are capped at 3,600 per user per
//! hour, so a token must be kept and shared until the API rejects it.
//!
//! - [`TokenManager`] (threads) and [`AsyncTokenManager`] (tasks, any runtime) hand out the
//!   current token without a grant while it is valid.
//! - When the API answers 401 `INVALID_SESSION_ID`, report the token with `invalidate`: it is
//!   compare-and-invalidate, so reporting a token that was already replaced keeps the new one.
//! - One logic, two drivers: lookup, grant (lock, recheck, retry, the re-grant rule) and
//!   reporting are sans-IO state machines; the two managers only carry out what they ask for,
//!   one blocking, one awaiting.
//! - Single flight: while a grant is in the air, other callers wait for it and get its outcome.
//! - Retries: capped exponential backoff with full jitter ([`RetryPolicy`]) for retryable
//!   failures only. Sleep and clock are injectable, so tests never really sleep.
//! - Bounded re-grants: tokens refused right after their grant (sessions locked to another
//!   IP, sessions not valid for the API) stop the re-granting after two in a row
//!   ([`RegrantPolicy`]), instead of turning every API call into a login.
//! - A store that fails costs no extra grant: the manager wraps every store in one fallback
//!   that keeps the token for its own process, logs the failure and counts it
//!   (`store_failures`).
//! - [`TokenStore`] / [`AsyncTokenStore`] (in [`crate::store`]): where the token lives; in
//!   memory by default, shareable across processes. A store answers one operation enum
//!   ([`StoreOp`]) with one method, `run`. Every `TokenStore` is an `AsyncTokenStore` too, so
//!   both managers take either kind where it fits. A shared store also hands out a
//!   cross-process grant lock, so a whole fleet makes one grant ([`LockPolicy`] sets its
//!   timing).
//! - `grants()` counts the tokens a manager obtained from the endpoint: a caller compares it
//!   before and after a call to know whether the call logged in.
//!
//! The modules, from the top: the drivers (`blocking`, `nonblocking`) run the machines
//! (`machine`, `grant`, `report`) against the fallback-wrapped store (`fallback`) and the
//! transport; the machines read the manager's `Policy` (`state`). No module imports one above
//! it. The store interface is a sibling module, [`crate::store`]: the manager depends on it,
//! never the reverse.
//!
//! [`TokenStore`]: crate::store::TokenStore
//! [`AsyncTokenStore`]: crate::store::AsyncTokenStore
//! [`StoreOp`]: crate::store::StoreOp

mod blocking;
mod error;
mod fallback;
mod flight;
mod grant;
mod lock;
mod machine;
mod nonblocking;
mod regrant;
mod report;
mod retry;
mod sleep;
mod state;

pub use blocking::{BlockingIo, TokenManager};
pub use error::ManagerError;
pub use lock::LockPolicy;
pub use nonblocking::{AsyncIo, AsyncTokenManager};
pub use regrant::RegrantPolicy;
pub use retry::RetryPolicy;
pub use sleep::{AsyncSleep, Sleep, ThreadSleep};
pub use state::Manager;
