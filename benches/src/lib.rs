//! Shared fixtures for sfjwt's benchmarks and the timing binary used by `benches/compare.sh`.
//!
//! Not published. The keys are the TEST-ONLY keys under `testdata/keys/`, embedded at compile
//! time so a benchmark measures signing, not file I/O.
#![forbid(unsafe_code)]

/// PKCS#8 PEM of a TEST-ONLY RSA key of each benchmarked size, as `(bits, pem)`.
pub const KEYS_PKCS8_PEM: [(usize, &str); 3] = [
    (2048, include_str!("../../testdata/keys/rsa2048.pkcs8.pem")),
    (3072, include_str!("../../testdata/keys/rsa3072.pkcs8.pem")),
    (4096, include_str!("../../testdata/keys/rsa4096.pkcs8.pem")),
];

/// The 2048-bit TEST-ONLY key in PKCS#8 PEM.
pub const RSA2048_PKCS8_PEM: &str = include_str!("../../testdata/keys/rsa2048.pkcs8.pem");

/// A representative signing input: the header and claims of a real-length assertion
/// (an 85-character consumer key, a typical username, the production audience).
pub const SIGNING_INPUT: &[u8] = b"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIzTVZHOU1yME5jQW9naERLVkhlal8wUHNQVG84bzcxNjF6VkpfaXFydFdXdlc4VnZBbVZHM3VwVEgxdFR3VldaNUVLRldJUC5NNGFodmhVcVNrRFdmIiwic3ViIjoiaW50ZWdyYXRpb24udXNlckBhY21lLmNvbSIsImF1ZCI6Imh0dHBzOi8vbG9naW4uc2FsZXNmb3JjZS5jb20iLCJleHAiOjE3MDAwMDAwMDB9";

/// The consumer key used in the benchmarks' claims (85 characters, like a real one).
pub const CLIENT_ID: &str =
    "3MVG9Mr0NcAoghDKVHej_0PsPTo8o7161zVJ_iqrtWWvW8VvAmVG3upTH1tTwVWZ5EKFWIP.M4ahvhUqSkDWf";

/// The username used in the benchmarks' claims.
pub const USERNAME: &str = "integration.user@acme.com";
