//! # The sfjwt manual
//!
//! Documentation only: no code lives here. These pages hold the protocol facts sfjwt's code
//! relies on, written for this project, with the public sources each fact comes from. Code
//! comments and error messages point here instead of to material outside the repository;
//! being rustdoc, every intra-doc link in these pages is checked by `cargo doc`.
//!
//! | page | what it answers |
//! | --- | --- |
//! | [`audience`] | which `aud` and which login URL, for which org; My Domain, Lightning, sites |
//! | [`errors`] | every OAuth error Salesforce answers, what it means, the fix, and the sources |
//! | [`spring26`] | what changed in Spring '26 (External Client Apps, the My Domain audience) |
//! | [`lifetimes`] | assertion lifetime, login rate limit, retries, and why each number |
//! | [`regrant`] | when a token the API refused is re-granted, and the bound that stops a login storm |
//! | [`stores`] | where the token lives between calls, the grant lock, and store failures |
//! | [`setup`] | the External Client App (and connected app) steps `sfjwt keygen` prints |
//! | [`eca_metadata`] | the External Client App as deployable metadata: `sfjwt eca new`, the fields and their sources |
//!
//! Sources are named by their public identifiers: Salesforce Help article ids, GitHub issue
//! and pull request numbers (`owner/repo#N`), RFC sections.

#[doc = include_str!("audience.md")]
pub mod audience {}

#[doc = include_str!("errors.md")]
pub mod errors {}

#[doc = include_str!("spring26.md")]
pub mod spring26 {}

#[doc = include_str!("lifetimes.md")]
pub mod lifetimes {}

#[doc = include_str!("regrant.md")]
pub mod regrant {}
#[doc = include_str!("stores.md")]
pub mod stores {}

#[doc = include_str!("setup.md")]
pub mod setup {}

#[doc = include_str!("eca_metadata.md")]
pub mod eca_metadata {}
