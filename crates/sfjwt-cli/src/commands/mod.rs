//! One module per command; each `run` returns the exit code of success or a [`CliError`].
//!
//! [`CliError`]: crate::error::CliError

pub(crate) mod api;
pub(crate) mod assertion;
pub(crate) mod check;
pub(crate) mod demo;
pub(crate) mod demo_eca;
pub(crate) mod eca;
pub(crate) mod emulate;
pub(crate) mod keygen;
pub(crate) mod keystore;
pub(crate) mod logout;
pub(crate) mod probe;
pub(crate) mod token;
pub(crate) mod verify;
