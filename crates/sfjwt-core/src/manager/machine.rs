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

use super::error::ManagerError;
use super::state::Policy;
use crate::exchange::ExchangeError;
use crate::response::TokenResponse;
use crate::store::{StoreError, StoreOp, StoreReply};

/// What a machine asks its driver to do next.
#[derive(Debug)]
pub(crate) enum Action<O> {
    /// Call the store: answer with [`Input::Store`].
    Store(StoreOp),
    /// Send the token request of this attempt (1-based): answer with [`Input::Response`].
    Send(u32),
    /// Wait this long: answer with [`Input::Slept`].
    Sleep(Duration),
    /// Finished with this result.
    Done(O),
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
    /// The store's answer (through the manager's fallback).
    Store(Result<StoreReply, StoreError>),
    /// The exchange's result, and a uniformly random `u64` for the backoff's jitter.
    Response(Result<TokenResponse, ExchangeError>, u64),
    Slept,
}

/// A sans-IO procedure: fed each [`Input`] with the current time, it answers the next
/// [`Action`] until [`Action::Done`]. It reads the manager's [`Policy`] and changes nothing
/// but itself.
pub(crate) trait Machine {
    /// What the procedure ends with.
    type Output;

    /// Takes the result of the last action (at time `now`) and says what to do next.
    fn step(&mut self, policy: &Policy, input: Input, now: SystemTime) -> Action<Self::Output>;
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

    fn step(&mut self, policy: &Policy, input: Input, now: SystemTime) -> Action<Self::Output> {
        match input {
            Input::Start => Action::Store(StoreOp::Load),
            Input::Store(reply) => Action::Done(policy.current(reply, now)),
            other => out_of_order(&other),
        }
    }
}

// Test-only helpers shared by the machines' table tests (grant, report).
#[cfg(test)]
pub(crate) use test_support::{Feed, label, policy, run, stored};

#[cfg(test)]
mod test_support {
    //! Table-test helpers: short names for inputs, and one-line labels for actions.
    #![allow(clippy::unwrap_used, clippy::panic)]

    use std::sync::Arc;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use super::{Action, Input, Machine};
    use crate::endpoint::TokenEndpoint;
    use crate::exchange::{ExchangeError, JwtBearer};
    use crate::key::PrivateKey;
    use crate::manager::error::ManagerError;
    use crate::manager::state::Policy;
    use crate::response::TokenResponse;
    use crate::store::{
        GrantLease, GrantLock, QuickRefusals, StoreError, StoreOp, StoreReply, StoredToken,
    };

    /// A manager's policy with the default settings.
    pub(crate) fn policy() -> Policy {
        let key = PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))
            .unwrap();
        Policy::new(
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
        policy().client.parse_response(&response).unwrap_err()
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
        /// The input for this answer.
        pub(crate) fn input(self) -> Input {
            let store = |reply| Input::Store(Ok(reply));
            match self {
                Self::Start => Input::Start,
                Self::NoToken => store(StoreReply::Token(None)),
                Self::Token(name, secs) => store(StoreReply::Token(Some(stored(name, secs)))),
                Self::StoreDown | Self::SaveFailed => Input::Store(Err(StoreError::new("down"))),
                Self::Acquired(owner) => store(StoreReply::Lock(GrantLock::Acquired(
                    GrantLease::new(owner),
                ))),
                Self::HeldElsewhere => store(StoreReply::Lock(GrantLock::HeldElsewhere)),
                Self::Streak(streak) => store(StoreReply::Refusals(streak)),
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
                Self::Extended(renewed) => store(StoreReply::Extended(renewed)),
                Self::Saved => store(StoreReply::Saved),
                Self::Released => store(StoreReply::Released),
                Self::Invalidated(removed) => store(StoreReply::Invalidated(removed)),
                Self::StreakSaved(kept) => store(StoreReply::RefusalsSaved(kept)),
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

    fn store_label(op: &StoreOp) -> String {
        match op {
            StoreOp::Load => "Load".to_owned(),
            StoreOp::AcquireLock(ttl) => format!("AcquireLock({ttl:?})"),
            StoreOp::LoadRefusals => "LoadRefusals".to_owned(),
            StoreOp::ExtendLock(lease, ttl) => format!("ExtendLock({}, {ttl:?})", lease.owner()),
            StoreOp::Save(stored) => {
                format!("Save({})", stored.token.access_token().expose_secret())
            }
            StoreOp::ReleaseLock(lease) => format!("Release({})", lease.owner()),
            StoreOp::Invalidate(stale) => format!("Invalidate({})", stale.expose_secret()),
            StoreOp::SaveRefusals(streak, keep) => match streak {
                Some(s) => format!("SaveRefusals({}, {keep:?})", s.count()),
                None => format!("SaveRefusals(none, {keep:?})"),
            },
        }
    }

    /// Feeds `rows` to `machine` at time `now`, checking each answer's label.
    pub(crate) fn run<M: Machine>(
        machine: &mut M,
        policy: &Policy,
        rows: &[(Feed, &str)],
        now: SystemTime,
    ) where
        M::Output: Label,
    {
        for (i, (feed, expected)) in rows.iter().enumerate() {
            let action = machine.step(policy, feed.clone().input(), now);
            assert_eq!(label(&action), *expected, "row {i}: {feed:?}");
        }
    }
}
