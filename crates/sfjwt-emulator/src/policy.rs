//! The org's rules that never change after start: audiences, `exp` bounds, IP ranges, the
//! response shape. Read by the grant checks and the token response without locking.

use std::time::{Duration, SystemTime};

use crate::ip::IpRange;
use crate::org::IdentityHost;

/// Immutable org settings the token endpoint applies.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    /// The login servers a connected app accepts as `aud` (normalized).
    pub(crate) login_servers: Vec<String>,
    /// Experience Cloud site URLs every app accepts (normalized).
    pub(crate) sites: Vec<String>,
    /// The org's My Domain URL (normalized), accepted by External Client Apps.
    pub(crate) my_domain: Option<String>,
    /// The emulator's own base URL (`http://127.0.0.1:PORT`, normalized).
    pub(crate) base_url: String,
    /// Whether the base URL plays the My Domain too (an org with a My Domain): a client that
    /// logs in "through the My Domain" on loopback sends it as `aud`.
    pub(crate) my_domain_at_base_url: bool,
    /// How far past `exp` an assertion is still accepted.
    pub(crate) exp_skew: Duration,
    /// How far ahead of now `exp` may be (plus the skew): an opt-in check of the emulator's
    /// own, `None` (Salesforce's behaviour) by default.
    pub(crate) max_lifetime: Option<Duration>,
    /// Login IP ranges; empty means unrestricted.
    pub(crate) ip_ranges: Vec<IpRange>,
    /// When the emulator started (its clock): app propagation delays count from here.
    pub(crate) started_at: SystemTime,
    /// Answer the login rate limit with the bare `rate_limit_exceeded` (else `invalid_grant`).
    pub(crate) bare_codes: bool,
    /// `api_instance_url` to send in token responses, if configured.
    pub(crate) api_instance_url: Option<String>,
    /// Send `issued_at` and `signature` in the token response.
    pub(crate) issued_at_and_signature: bool,
    /// Where `id` points.
    pub(crate) identity_host: IdentityHost,
}
