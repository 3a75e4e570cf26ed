//! # sfjwt-emulator
//!
//! A local Salesforce login server for tests: a real HTTP server on `127.0.0.1` that answers
//! the OAuth 2.0 JWT bearer grant (RFC 7523) the way Salesforce does, issues tokens, and
//! serves a protected resource that answers 401 `INVALID_SESSION_ID` when a token is revoked
//! or timed out. Nothing leaves the machine.
//!
//! ## What it is not
//!
//! - **Not Salesforce.** It emulates the login server and the few resources a client touches
//!   right after login (the versions list, a version's resources, `limits`,
//!   `userinfo`/identity), not the REST API. It checks what Salesforce checks for this flow
//!   and answers with Salesforce's error codes and texts, but it cannot know undocumented
//!   behaviour: a passing test here is necessary, not sufficient.
//! - **Not secure.** Plain HTTP on loopback, tokens kept in memory, certificates not checked
//!   for expiry. Never expose it on a network.
//! - **Not a mock that accepts anything.** Assertions are verified strictly (RS256 only,
//!   signature against the app's certificate, audience, expiry), so a client that works
//!   against the emulator builds real assertions.
//!
//! ## Quick start: start, sign, request
//!
//! ```
//! # let cert_pem = include_str!("../../../testdata/keys/rsa2048.crt.pem");
//! # let key_pem = include_str!("../../../testdata/keys/rsa2048.pkcs8.pem");
//! use std::time::SystemTime;
//! use sfjwt_core::{claims::Claims, jws, key::PrivateKey};
//! use sfjwt_emulator::{App, Emulator, User};
//!
//! let sf = Emulator::builder()
//!     .app(App::from_pem("3MVG9_test_key", cert_pem)?)
//!     .user(User::new("etl@acme.com"))
//!     .start()?;
//!
//! let claims = Claims::builder()
//!     .client_id("3MVG9_test_key")
//!     .username("etl@acme.com")
//!     .build(SystemTime::now())?;
//! let assertion = jws::sign(&claims, &PrivateKey::from_pem(key_pem)?)?;
//!
//! // Any HTTP client works; this one is ureq.
//! let mut response = ureq::post(sf.token_url()).send_form([
//!     ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
//!     ("assertion", assertion.expose_secret()),
//! ])?;
//! let body = response.body_mut().read_to_string()?;
//! assert!(body.contains(r#""token_type":"Bearer""#));
//! assert_eq!(sf.grant_count(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## What it checks, in Salesforce's order
//!
//! Every refusal is HTTP 400 with `{"error":…,"error_description":…}`:
//!
//! | check | error / error_description |
//! |---|---|
//! | `grant_type` is the JWT bearer URN, body is a form | `unsupported_grant_type` / `grant type not supported` |
//! | `assertion` present, three base64url JSON parts | `invalid_grant` / `invalid assertion` |
//! | header `alg` is `RS256` | `invalid_grant` / `invalid assertion` |
//! | `iss` is the consumer key of an app installed here | `invalid_client_id` / `client identifier invalid` |
//! | … an External Client App installed here | `app_not_found` / `External client app is not installed in this org` |
//! | the app has propagated ([`App::propagation_delay`]) | `invalid_client_id` / `client identifier invalid` |
//! | signature verifies with the app's certificate | `invalid_grant` / `invalid assertion` |
//! | an External Client App gets its My Domain, not login/test | `app_not_found` / `External client app is not installed in this org` |
//! | `aud` is the org's login server, a site URL, or (ECA) the My Domain — or the emulator's own base URL, which plays the My Domain | `invalid_grant` / `audience is invalid` |
//! | `exp` (an integer, or a string of digits) plus a small skew is in the future | `invalid_grant` / `expired authorization code` |
//! | only if asked ([`EmulatorBuilder::max_assertion_lifetime`]): `exp` at most that far ahead | `invalid_grant` / `expired authorization code` |
//! | `sub` is a user of the org (in a sandbox: `user@acme.com.dev`) | `invalid_grant` / `user hasn't approved this consumer` |
//! | the user is active | `inactive_user` / `inactive user` |
//! | the app permits the user | `invalid_grant` / `user hasn't approved this consumer` |
//! | the org is active | `inactive_org` / `inactive organization` |
//! | the caller is inside the login IP ranges | `invalid_grant` / `ip restricted or invalid login hours` |
//! | ≤ N logins for the user in the last rolling hour | `rate_limit_exceeded` / `login rate exceeded` (or `invalid_grant`: [`EmulatorBuilder::bare_error_codes`]) |
//!
//! There is no upper bound on `exp` by default, as at Salesforce: the Salesforce CLI signs
//! `exp` in milliseconds and real orgs grant it. The codes and texts, and the public source
//! of each, are in `sfjwt_core::manual::errors`.
//!
//! A `GET` on the token endpoint gets 400 `invalid_request` / `must use HTTP POST`; bodies
//! over the limit (64 KiB) get 413; unknown paths get 404 — the server keeps serving.
//!
//! ## The REST API a client touches after login
//!
//! Each shape follows Salesforce's REST API Developer Guide:
//!
//! | request | answer | guide section |
//! |---|---|---|
//! | `GET /services/data` (no session) | 200, `[{"label":"Winter '25","url":"/services/data/v62.0","version":"62.0"},…]`, v31.0 to v66.0 | "List Available REST API Versions" |
//! | `GET /services/data/vNN.N` | 200, `{"sobjects":"/services/data/vNN.N/sobjects",…,"identity":…}` | "List Available REST Resources" |
//! | `GET /services/data/vNN.N/limits` | 200, `{"DailyApiRequests":{"Max":…,"Remaining":…},…}` | "List Org Limits" |
//! | `GET /services/oauth2/userinfo`, the identity URL | 200, the OpenID Connect user info | "Identity URLs", "UserInfo Endpoint" (Salesforce Help) |
//! | any of these but the versions list, without a live session | 401 `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]` | "Status Codes and Error Responses" |
//! | a version outside v31.0–v66.0, another path | 404 `[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}]` | "Status Codes and Error Responses" |
//!
//! ## Testing a client you did not write
//!
//! [`EmulatorBuilder::request_log`] (`sfjwt emulate -v`) prints one line per request —
//! method, path, status, and for a refusal the rule that refused it — so a client's login
//! attempts can be followed without a debugger; assertions and tokens never appear. An org
//! with a My Domain also accepts the emulator's base URL as that My Domain audience, so a
//! client that logs in "through the My Domain" on loopback (the Salesforce CLI's first try)
//! is granted as it would be at `https://NAME.my.salesforce.com`.
//!
//! ## The orgs users have
//!
//! - **Production or sandbox** ([`EmulatorBuilder::org_kind`], [`EmulatorBuilder::sandbox_name`]):
//!   the other login server as `aud` is `audience is invalid`; sandbox usernames end in the
//!   sandbox name.
//! - **Connected app or External Client App** ([`App::kind`], [`EmulatorBuilder::my_domain`]):
//!   since Spring '26 new orgs create ECAs, which refuse `aud` = login/test with
//!   `app_not_found` and accept the org's My Domain URL; [`App::installed`] plays an ECA that
//!   is not installed in this org.
//! - **Restrictions**: login IP ranges ([`EmulatorBuilder::login_ip_ranges`]), the login
//!   rate per rolling hour, inactive users and orgs, an app still propagating.
//! - **Sessions a new login does not cure** ([`EmulatorBuilder::ip_locked_sessions`],
//!   [`EmulatorBuilder::sessions_locked_to_origin_ip`],
//!   [`EmulatorBuilder::sessions_not_valid_for_rest_api`]): API calls answer 401
//!   `INVALID_SESSION_ID` right after the grant, to test bounded re-grants.
//! - **The response as Salesforce sends it** for this flow: `access_token`, `scope`,
//!   `instance_url`, `id` (on the login host), `token_type`; `issued_at` and `signature` only
//!   with [`EmulatorBuilder::issued_at_and_signature`].
//!
//! ## Testing failure handling
//!
//! [`Emulator::inject_fault`] arms a [`Fault`] (latency, reset, 500, 503, an HTML page, an
//! endless body, a stall mid-body, a redirect) for the next N requests;
//! [`Emulator::revoke_all`] ends sessions so re-grant logic can be exercised;
//! a [`ManualClock`] moves time for session timeouts and the rate window without sleeping;
//! [`Emulator::requests`] shows what the client sent.
//!
//! ## From an External Client App source folder
//!
//! [`EmulatorBuilder::eca_folder`] plays an org where a folder `sfjwt eca new` wrote (read by
//! [`sfjwt_eca::EcaFolder`]) is deployed: its certificate, permitted users, scopes and IP
//! relaxation, with the emulator's own URL as the org's My Domain. `sfjwt emulate --eca DIR`
//! uses it.
//!
//! ## From a file
//!
//! [`EmulatorConfig::from_file`] reads the same settings from TOML or JSON (see its docs for
//! the format); the `sfjwt emulate --config FILE` command uses it.
#![forbid(unsafe_code)]

mod builder;
mod clock;
mod config;
mod directory;
mod eca_folder;
mod error;
mod fault;
mod grant;
mod handle;
mod ids;
mod ip;
mod org;
mod policy;
mod rate;
mod record;
mod server;
mod sessions;
mod state;

pub use builder::{
    DEFAULT_EXP_SKEW, DEFAULT_LOGIN_RATE_PER_HOUR, DEFAULT_MAX_BODY, DEFAULT_RECORD_LIMIT,
    DEFAULT_SESSION_TIMEOUT, EmulatorBuilder,
};
// The core's clock, so one `ManualClock` can drive both the client and the emulator.
pub use config::{EmulatorConfig, MAX_CONFIG_BYTES};
pub use directory::{App, AppKind, PermittedUsers, User};
pub use error::{ConfigError, EmulatorError};
pub use fault::{DEFAULT_OVERSIZED_BYTES, DEFAULT_REDIRECT_LOCATION, DEFAULT_STALL, Fault, Target};
pub use handle::Emulator;
pub use org::{IdentityHost, OrgKind};
pub use record::RecordedRequest;
pub use sfjwt_core::clock::{Clock, ManualClock, SystemClock};
// The folder type `EmulatorBuilder::eca_folder` takes.
pub use sfjwt_eca;
