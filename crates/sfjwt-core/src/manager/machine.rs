//! The vocabulary between the managers' sans-IO logic and the code that does the I/O.
//!
//! Everything a manager does — hand out the current token, grant a new one, report a refused
//! one — is a small state machine ([`Machine`]) that never calls a store, a transport, a sleep
//! or a clock. It says what to do next ([`Action`]); its driver does it and feeds the result
//! back ([`Input`]) together with the current time. The blocking and the async manager are two
//! drivers of the same machines that differ only by `.await`, so the logic exists once and is
//! tested as tables of inputs and expected actions, without threads or real sleeping.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

pub(crate) use super::grant::Grant;
pub(crate) use super::report::{Report, Reset};

use super::async_store::AsyncTokenStore;
use super::error::ManagerError;
use super::regrant::QuickRefusals;
use super::shared::Shared;
use super::store::{GrantLease, GrantLock, StoreError, StoredToken, TokenStore};
use crate::exchange::ExchangeError;
use crate::response::{AccessToken, TokenResponse};

/// What a machine asks its driver to do next.
#[derive(Debug)]
pub(crate) enum Action<O> {
    /// Call the store: answer with what [`StoreCall::run`] returns.
    Store(StoreCall),
    /// Send the token request of this attempt (1-based): answer with [`Input::Response`].
    Send(u32),
    /// Wait this long: answer with [`Input::Slept`].
    Sleep(Duration),
    /// Finished with this result.
    Done(O),
}

/// A store call a machine asks for. Carried out here, once for each kind of store, so the
/// drivers only add the transport and the timer.
#[derive(Debug)]
pub(crate) enum StoreCall {
    /// Read the current token: [`Input::Loaded`].
    Load,
    /// Ask for the fleet's grant lock for this long: [`Input::Lock`].
    AcquireLock(Duration),
    /// Read the fleet's refusal streak: [`Input::Refusals`].
    LoadRefusals,
    /// Renew the lease for this long: [`Input::Extended`].
    ExtendLock(GrantLease, Duration),
    /// Store this token: [`Input::Saved`].
    Save(StoredToken),
    /// Give the lock back: [`Input::Released`].
    Release(GrantLease),
    /// Drop this token if it is still the current one: [`Input::Invalidated`].
    Invalidate(AccessToken),
    /// Store the streak (kept for this long): [`Input::RefusalsSaved`].
    SaveRefusals(Option<QuickRefusals>, Duration),
}

impl StoreCall {
    /// Makes the call on a sync store.
    pub(crate) fn run(self, store: &dyn TokenStore) -> Input {
        match self {
            Self::Load => Input::Loaded(store.load()),
            Self::AcquireLock(ttl) => Input::Lock(store.acquire_grant_lock(ttl)),
            Self::LoadRefusals => Input::Refusals(store.load_refusals()),
            Self::ExtendLock(lease, ttl) => Input::Extended(store.extend_grant_lock(&lease, ttl)),
            Self::Save(token) => Input::Saved(store.save(token)),
            Self::Release(lease) => Input::Released(store.release_grant_lock(lease)),
            Self::Invalidate(stale) => Input::Invalidated(store.invalidate(&stale)),
            Self::SaveRefusals(streak, keep_for) => {
                Input::RefusalsSaved(store.save_refusals(streak, keep_for))
            }
        }
    }

    /// Makes the call on an async store.
    pub(crate) async fn run_async(self, store: &dyn AsyncTokenStore) -> Input {
        match self {
            Self::Load => Input::Loaded(store.load().await),
            Self::AcquireLock(ttl) => Input::Lock(store.acquire_grant_lock(ttl).await),
            Self::LoadRefusals => Input::Refusals(store.load_refusals().await),
            Self::ExtendLock(lease, ttl) => {
                Input::Extended(store.extend_grant_lock(&lease, ttl).await)
            }
            Self::Save(token) => Input::Saved(store.save(token).await),
            Self::Release(lease) => Input::Released(store.release_grant_lock(lease).await),
            Self::Invalidate(stale) => Input::Invalidated(store.invalidate(&stale).await),
            Self::SaveRefusals(streak, keep_for) => {
                Input::RefusalsSaved(store.save_refusals(streak, keep_for).await)
            }
        }
    }
}

/// The result of the last [`Action`], fed back to the machine.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one input per step, moved once: boxing the token response would buy nothing"
)]
pub(crate) enum Input {
    /// The first step: nothing was done yet.
    Start,
    Loaded(Result<Option<StoredToken>, StoreError>),
    Lock(Result<GrantLock, StoreError>),
    Refusals(Result<Option<QuickRefusals>, StoreError>),
    /// The exchange's result, and a uniformly random `u64` for the backoff's jitter.
    Response(Result<TokenResponse, ExchangeError>, u64),
    Slept,
    Extended(Result<bool, StoreError>),
    Saved(Result<(), StoreError>),
    Released(Result<(), StoreError>),
    Invalidated(Result<bool, StoreError>),
    RefusalsSaved(Result<bool, StoreError>),
}

/// A sans-IO procedure: fed each [`Input`] with the current time, it answers the next
/// [`Action`] until [`Action::Done`].
pub(crate) trait Machine {
    /// What the procedure ends with.
    type Output;

    /// Takes the result of the last action (at time `now`) and says what to do next.
    fn step(&mut self, shared: &Shared, input: Input, now: SystemTime) -> Action<Self::Output>;
}

/// An input the machine did not ask for: a driver bug. The caller and the waiters get
/// [`ManagerError::GrantAbandoned`] (and may try again) rather than a panic or a hang.
pub(crate) fn out_of_order<O>(_input: &Input) -> Action<Result<O, ManagerError>> {
    #[cfg(feature = "tracing")]
    tracing::error!(input = ?_input, "sfjwt: a manager driver answered the wrong action");
    Action::Done(Err(ManagerError::GrantAbandoned))
}

/// Hands out the stored token if it is fresh; `None` when a grant is needed.
#[derive(Debug, Default)]
pub(crate) struct Lookup;

impl Machine for Lookup {
    type Output = Result<Option<Arc<TokenResponse>>, ManagerError>;

    fn step(&mut self, shared: &Shared, input: Input, now: SystemTime) -> Action<Self::Output> {
        match input {
            Input::Start => Action::Store(StoreCall::Load),
            Input::Loaded(loaded) => Action::Done(shared.current(loaded, now)),
            other => out_of_order(&other),
        }
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Table-test helpers: short names for inputs, and one-line labels for actions.
    #![allow(clippy::unwrap_used, clippy::panic)]

    use std::sync::Arc;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use super::{Action, Input, Machine, StoreCall};
    use crate::endpoint::TokenEndpoint;
    use crate::exchange::{ExchangeError, JwtBearer};
    use crate::key::PrivateKey;
    use crate::manager::error::ManagerError;
    use crate::manager::regrant::QuickRefusals;
    use crate::manager::shared::Shared;
    use crate::manager::store::{GrantLease, GrantLock, StoreError, StoredToken};
    use crate::response::TokenResponse;

    /// A manager's shared state with the default policies.
    pub(crate) fn shared() -> Shared {
        let key = PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))
            .unwrap();
        Shared::new(
            JwtBearer::builder()
                .endpoint(TokenEndpoint::production())
                .client_id("3MVG9_key")
                .username("etl@acme.com")
                .signer(key)
                .build(),
        )
    }

    /// A token named `name` obtained `secs` after the tables' epoch.
    pub(crate) fn stored(name: &str, secs: u64) -> StoredToken {
        StoredToken {
            token: Arc::new(token(name)),
            obtained_at: UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs),
        }
    }

    fn token(name: &str) -> TokenResponse {
        let json = format!(
            r#"{{"access_token":"{name}","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA"}}"#
        );
        TokenResponse::from_json(json.as_bytes()).unwrap()
    }

    fn exchange_error(status: u16, body: &str) -> ExchangeError {
        let response = http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(body.as_bytes().to_vec())
            .unwrap();
        shared().client.parse_response(&response).unwrap_err()
    }

    /// What the store, the endpoint or the timer answered, in short.
    #[derive(Debug, Clone)]
    pub(crate) enum Feed {
        Start,
        NoToken,
        /// A stored token: its name and when it was obtained (seconds after the epoch).
        Token(&'static str, u64),
        /// The store failed, whatever it was asked.
        StoreDown,
        Acquired(&'static str),
        HeldElsewhere,
        Streak(Option<QuickRefusals>),
        Granted(&'static str),
        /// A 503 from the endpoint, with this jitter randomness.
        Unavailable(u64),
        InvalidGrant,
        Slept,
        Extended(bool),
        Saved,
        SaveFailed,
        Released,
        Invalidated(bool),
        StreakSaved(bool),
    }

    impl Feed {
        /// The input for this answer to `after` (the label of the action it answers).
        pub(crate) fn input_after(self, after: &str) -> Input {
            let down = || StoreError::new("down");
            match self {
                Self::Start => Input::Start,
                Self::NoToken => Input::Loaded(Ok(None)),
                Self::Token(name, secs) => Input::Loaded(Ok(Some(stored(name, secs)))),
                Self::StoreDown => match after.split('(').next().unwrap_or_default() {
                    "Load" => Input::Loaded(Err(down())),
                    "AcquireLock" => Input::Lock(Err(down())),
                    "LoadRefusals" => Input::Refusals(Err(down())),
                    "ExtendLock" => Input::Extended(Err(down())),
                    "Save" => Input::Saved(Err(down())),
                    "Release" => Input::Released(Err(down())),
                    "Invalidate" => Input::Invalidated(Err(down())),
                    "SaveRefusals" => Input::RefusalsSaved(Err(down())),
                    other => panic!("no store failure answers {other}"),
                },
                Self::Acquired(owner) => {
                    Input::Lock(Ok(GrantLock::Acquired(GrantLease::new(owner))))
                }
                Self::HeldElsewhere => Input::Lock(Ok(GrantLock::HeldElsewhere)),
                Self::Streak(streak) => Input::Refusals(Ok(streak)),
                Self::Granted(name) => Input::Response(Ok(token(name)), 0),
                Self::Unavailable(random) => Input::Response(Err(exchange_error(503, "")), random),
                Self::InvalidGrant => Input::Response(
                    Err(exchange_error(
                        400,
                        r#"{"error":"invalid_grant","error_description":"user hasn't approved this consumer"}"#,
                    )),
                    0,
                ),
                Self::Slept => Input::Slept,
                Self::Extended(renewed) => Input::Extended(Ok(renewed)),
                Self::Saved => Input::Saved(Ok(())),
                Self::SaveFailed => Input::Saved(Err(down())),
                Self::Released => Input::Released(Ok(())),
                Self::Invalidated(removed) => Input::Invalidated(Ok(removed)),
                Self::StreakSaved(kept) => Input::RefusalsSaved(Ok(kept)),
            }
        }
    }

    /// How a machine's final result reads in a table.
    pub(crate) trait Label {
        fn label(&self) -> String;
    }

    fn error_label(error: &ManagerError) -> String {
        match error {
            ManagerError::Exchange(e) => match (e.oauth(), e.status()) {
                (Some(oauth), _) => oauth.error().to_owned(),
                (None, Some(status)) => status.as_u16().to_string(),
                (None, None) => "exchange".to_owned(),
            },
            ManagerError::Store(_) => "store".to_owned(),
            ManagerError::GrantAbandoned => "abandoned".to_owned(),
            ManagerError::RegrantBlocked { retry_in, .. } => {
                format!("RegrantBlocked {retry_in:?}")
            }
        }
    }

    fn result_label<T>(result: &Result<T, ManagerError>, ok: impl Fn(&T) -> String) -> String {
        match result {
            Ok(value) => format!("Ok {}", ok(value)),
            Err(e) => format!("Err {}", error_label(e)),
        }
    }

    impl Label for Result<Arc<TokenResponse>, ManagerError> {
        fn label(&self) -> String {
            result_label(self, |t| t.access_token().expose_secret().to_owned())
        }
    }

    impl Label for Result<Option<Arc<TokenResponse>>, ManagerError> {
        fn label(&self) -> String {
            result_label(self, |t| match t {
                Some(t) => t.access_token().expose_secret().to_owned(),
                None => "none".to_owned(),
            })
        }
    }

    impl Label for Result<bool, ManagerError> {
        fn label(&self) -> String {
            result_label(self, bool::to_string)
        }
    }

    impl Label for Result<(), ManagerError> {
        fn label(&self) -> String {
            result_label(self, |()| String::new()).trim_end().to_owned()
        }
    }

    /// An action in one line: `Load`, `Sleep(100ms)`, `Save(T)`, `Done(Ok T)`…
    pub(crate) fn label<O: Label>(action: &Action<O>) -> String {
        match action {
            Action::Store(call) => store_label(call),
            Action::Send(attempt) => format!("Send({attempt})"),
            Action::Sleep(pause) => format!("Sleep({pause:?})"),
            Action::Done(output) => format!("Done({})", output.label()),
        }
    }

    fn store_label(call: &StoreCall) -> String {
        match call {
            StoreCall::Load => "Load".to_owned(),
            StoreCall::AcquireLock(ttl) => format!("AcquireLock({ttl:?})"),
            StoreCall::LoadRefusals => "LoadRefusals".to_owned(),
            StoreCall::ExtendLock(lease, ttl) => {
                format!("ExtendLock({}, {ttl:?})", lease.owner())
            }
            StoreCall::Save(stored) => {
                format!("Save({})", stored.token.access_token().expose_secret())
            }
            StoreCall::Release(lease) => format!("Release({})", lease.owner()),
            StoreCall::Invalidate(stale) => format!("Invalidate({})", stale.expose_secret()),
            StoreCall::SaveRefusals(streak, keep) => match streak {
                Some(s) => format!("SaveRefusals({}, {keep:?})", s.count()),
                None => format!("SaveRefusals(none, {keep:?})"),
            },
        }
    }

    /// Feeds `rows` to `machine` at time `now`, checking each answer's label.
    pub(crate) fn run<M: Machine>(
        machine: &mut M,
        shared: &Shared,
        rows: &[(Feed, &str)],
        now: SystemTime,
    ) where
        M::Output: Label,
    {
        let mut after = String::new();
        for (i, (feed, expected)) in rows.iter().enumerate() {
            let action = machine.step(shared, feed.clone().input_after(&after), now);
            after = label(&action);
            assert_eq!(after, *expected, "row {i}: {feed:?}");
        }
    }
}
