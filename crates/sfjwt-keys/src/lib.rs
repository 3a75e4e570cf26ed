//! # sfjwt-keys
//!
//! Keys and keystores for the Salesforce OAuth 2.0 JWT Bearer flow: what `sfjwt keygen` and
//! `sfjwt keystore` do, as a library.
//!
//! ## Limits
//!
//! - RSA only, 2048, 3072 or 4096 bits ([`KEY_BITS`]): what Salesforce accepts for the flow
//!   and imports into a keystore. No EC keys, no PKCS#12 output.
//! - Encrypted keys use one scheme, PBES2 with PBKDF2-HMAC-SHA256 ([`PBKDF2_ROUNDS`] rounds)
//!   and AES-256-CBC; reading every other format is the core's job
//!   (`sfjwt_core::key::PrivateKey`).
//! - Certificates are self-signed; for a key kept in an HSM or KMS use the core's
//!   `self_signed_certificate` with that signer.
//! - The JKS writer ([`jks`]) writes exactly one private-key entry with its X.509 chain, the
//!   only shape Salesforce's *Import from Keystore* takes. It writes and never reads.
//! - Blocking file I/O only in [`keystore::write_atomically`]; everything else works in memory.
//!
//! ## Security
//!
//! - Private keys, passphrases, keystore passwords and keystore bytes never appear in `Debug`,
//!   `Display` or an error message; the types holding them are zeroized on drop.
//! - The JKS key protector is SHA-1 obfuscation without a work factor (it is what Java and
//!   Salesforce read): a JKS file is as secret as the key it holds. Write it with mode 0600
//!   ([`keystore::write_atomically`] does) and delete it after the import.
//! - Randomness (keys, salts, IVs, serial numbers) comes from the operating system
//!   (`getrandom`); its failure is an error, never a fallback.
//!
//! ## Example
//!
//! ```no_run
//! use std::time::SystemTime;
//! use sfjwt_core::key::PrivateKey;
//! use sfjwt_keys::keystore::{self, Alias, KeystorePassword};
//! use sfjwt_keys::{KeyPairSpec, generate};
//!
//! let now = SystemTime::now();
//! let pair = generate(&KeyPairSpec::new("acme integration").valid_for_days(730), now)?;
//! let key = PrivateKey::from_pem(pair.key_pem())?;
//! let chain = keystore::parse_chain(pair.certificate_pem().as_bytes())?;
//! let password = KeystorePassword::new(std::env::var("KS_PASS")?.into())?;
//! let built = keystore::build(&Alias::parse("org_to_org")?, &password, &key, &chain, now)?;
//! keystore::write_atomically("server.jks".as_ref(), built.bytes(), false)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod generate;
pub mod jks;
pub mod keystore;

pub use generate::{
    GenerateError, KEY_BITS, KeyPair, KeyPairSpec, PBKDF2_ROUNDS, encrypt_pkcs8_pem, generate,
};
