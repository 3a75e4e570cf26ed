//! # sfjwt-test-support
//!
//! Fixtures shared by the tests of the sfjwt crates, so each exists once: the test keys of
//! `testdata/`, the known-answer vectors every signer is held to, canned Salesforce
//! responses, the emulated orgs the adapters and the CLI log in to, and local stand-ins for
//! the services some crates talk to (Redis, AWS KMS through moto, a PKCS#11 token through
//! SoftHSM2), the real clients the emulator is checked against (the Salesforce CLI,
//! simple-salesforce), a small API stub for the adapters' middleware tests, and an independent
//! Java KeyStore reader for `sfjwt-keys`' round trips.
//!
//! A dev-dependency only (`publish = false`), depending on nothing of sfjwt but the core and
//! the emulator, so any crate of the workspace can use it without a dependency cycle. Groups
//! with heavier dependencies sit behind features (`emulator`, `wire`, `redis`, `cli`,
//! `softhsm`, `moto`, `clients`, `jks`).
//!
//! A helper that cannot do its job (a missing `redis-server`, a bad fixture) panics with what
//! to fix: in a test, that is a failed test, never a skipped one.
#![forbid(unsafe_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test fixtures: a panic here is a failed test, as in a #[test] function"
)]

pub mod api_stub;
pub mod canned;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "clients")]
pub mod clients;
pub mod fake;
#[cfg(feature = "jks")]
pub mod jks;
pub mod kat;
pub mod loopback_proxy;
#[cfg(feature = "moto")]
pub mod moto;
#[cfg(feature = "emulator")]
pub mod org;
pub mod process;
pub mod proxy;
#[cfg(feature = "redis")]
pub mod redis;
#[cfg(feature = "softhsm")]
pub mod softhsm;
pub mod testdata;
#[cfg(feature = "wire")]
pub mod wire;
