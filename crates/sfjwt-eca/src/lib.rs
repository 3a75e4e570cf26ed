//! # sfjwt-eca
//!
//! The Salesforce side of the JWT bearer flow as code: an **External Client App** (ECA) as the
//! Metadata API source the Salesforce CLI deploys, instead of a dozen Setup screens clicked by
//! hand per org and per sandbox refresh.
//!
//! ## What it does not do
//!
//! - **No deploy.** It writes and reads files; `sf project deploy start` deploys them.
//! - **No consumer secret, no consumer key.** Salesforce generates both on deploy; nothing
//!   secret is ever written. The private key never enters this crate: only the certificate.
//! - **Only documented fields, with documented values.** Each field it writes or reads is in
//!   [`fields`], transcribed from the Metadata API Developer Guide; a folder holding any other
//!   element is refused by name (`sfjwt_core::manual::eca_metadata` cites each fact).
//!
//! ## What it does
//!
//! - [`EcaSpec`]: validate an app (API names, an RSA certificate that has not expired, scopes,
//!   API version) and write it as a Salesforce DX folder: `sfdx-project.json`, the five ECA
//!   types, a permission set for the integration user, `manifest/package.xml`.
//! - [`EcaFolder`]: read such a folder back (the certificate, the permitted-users policy and
//!   the permission sets or profiles it names, the scopes, the IP relaxation), for
//!   `sfjwt-emulator` to play the org and `sfjwt check --eca` to cross-check it.
//!
//! ```
//! # let cert = include_bytes!("../../../testdata/keys/rsa2048.crt.pem");
//! # let dir = tempfile::tempdir()?;
//! use std::time::SystemTime;
//! use sfjwt_eca::{EcaFolder, EcaSpec};
//!
//! let out = dir.path().join("acme_etl");
//! EcaSpec::new("acme_etl", cert, SystemTime::now())?.write_new(&out)?;
//! let eca = EcaFolder::load(&out)?;
//! assert_eq!(eca.permission_sets(), ["acme_etl"]);
//! assert!(eca.certificate().is_some()); // the JWT bearer switch
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod check;
mod error;
pub mod fields;
mod folder;
mod name;
mod spec;
mod values;
mod version;
mod write;
mod xml;

pub use error::EcaError;
pub use folder::{EcaFolder, FieldUse};
pub use name::{ApiName, MAX_APP_NAME, MAX_PERMISSION_SET_NAME};
pub use spec::EcaSpec;
pub use values::{IpRelaxation, PermittedUsersPolicy, Scope};
pub use version::ApiVersion;
pub use write::{CALLBACK_URL, MANIFEST, PACKAGE_DIR, SOURCE_DIR, SourceFile};
pub use xml::METADATA_NS;
