//! [`JwtBearerBuilder`]: the four required settings of a [`JwtBearer`], each named.
//!
//! Client id and username are both strings; a positional constructor let them swap silently
//! (Salesforce then answers `invalid_client_id` or `invalid_grant` for a fault that is in the
//! caller's code). Here each has its own setter, and the type records which settings are given:
//! `build` exists only once all four are, so a forgotten or repeated setting is a compile error,
//! not a run-time one.

use core::fmt;
use std::sync::Arc;

use super::{JwtBearer, SignerSlot};
use crate::endpoint::TokenEndpoint;
use crate::jws::{AsyncSigner, Signer};

/// A required setting of a [`JwtBearerBuilder`] that is not given yet.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unset;

/// A required setting of a [`JwtBearerBuilder`] that is given.
#[derive(Clone)]
pub struct Set<T>(T);

impl<T> fmt::Debug for Set<T> {
    // The value may be a signer (no `Debug`); which settings are given is what matters here.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Set")
    }
}

/// The blocking signer of a built [`JwtBearerBuilder`], shared.
pub type SharedSigner = Arc<dyn Signer + Send + Sync>;

/// A shared async-only signer, as [`JwtBearerBuilder::shared_async_signer`] takes it.
pub type SharedAsyncSigner = Arc<dyn AsyncSigner + Send + Sync>;

/// Builds a [`JwtBearer`]; start with [`JwtBearer::builder`].
///
/// The type parameters record which of endpoint, client id, username and signer are given
/// ([`Unset`] or [`Set`]); [`build`](JwtBearerBuilder::build) needs all four, in any order.
///
/// ```
/// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// use sfjwt_core::{JwtBearer, TokenEndpoint};
/// let client = JwtBearer::builder()
///     .endpoint(TokenEndpoint::production())
///     .client_id("3MVG9_consumer_key")
///     .username("etl@acme.com")
///     .signer(key)
///     .build();
/// assert_eq!((client.client_id(), client.username()), ("3MVG9_consumer_key", "etl@acme.com"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// There is no positional constructor, so client id and username cannot trade places
/// unnoticed:
///
/// ```compile_fail
/// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// use sfjwt_core::{JwtBearer, TokenEndpoint};
/// // username first, client id second: swapped, and refused by the compiler.
/// let client = JwtBearer::new(TokenEndpoint::production(), "etl@acme.com", "3MVG9_consumer_key", key);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// and a client missing one of the four settings does not build:
///
/// ```compile_fail
/// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// use sfjwt_core::{JwtBearer, TokenEndpoint};
/// let client = JwtBearer::builder()
///     .endpoint(TokenEndpoint::production())
///     .client_id("3MVG9_consumer_key")
///     .signer(key)
///     .build(); // no username: `build` does not exist for this type
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// nor does one that sets the client id twice (as a swapped pair of setters would, with the
/// username then missing):
///
/// ```compile_fail
/// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// use sfjwt_core::{JwtBearer, TokenEndpoint};
/// let client = JwtBearer::builder()
///     .endpoint(TokenEndpoint::production())
///     .client_id("3MVG9_consumer_key")
///     .client_id("etl@acme.com")
///     .signer(key)
///     .build();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build`"]
pub struct JwtBearerBuilder<E = Unset, C = Unset, U = Unset, S = Unset> {
    endpoint: E,
    client_id: C,
    username: U,
    signer: S,
}

impl JwtBearerBuilder {
    pub(super) fn new() -> Self {
        Self {
            endpoint: Unset,
            client_id: Unset,
            username: Unset,
            signer: Unset,
        }
    }
}

impl<C, U, S> JwtBearerBuilder<Unset, C, U, S> {
    /// The token endpoint: [`TokenEndpoint::production`], [`TokenEndpoint::sandbox`] or a
    /// parsed My Domain.
    pub fn endpoint(
        self,
        endpoint: TokenEndpoint,
    ) -> JwtBearerBuilder<Set<TokenEndpoint>, C, U, S> {
        JwtBearerBuilder {
            endpoint: Set(endpoint),
            client_id: self.client_id,
            username: self.username,
            signer: self.signer,
        }
    }
}

impl<E, U, S> JwtBearerBuilder<E, Unset, U, S> {
    /// The app's consumer key (the assertion's `iss`).
    pub fn client_id(self, client_id: impl Into<String>) -> JwtBearerBuilder<E, Set<String>, U, S> {
        JwtBearerBuilder {
            endpoint: self.endpoint,
            client_id: Set(client_id.into()),
            username: self.username,
            signer: self.signer,
        }
    }
}

impl<E, C, S> JwtBearerBuilder<E, C, Unset, S> {
    /// The Salesforce username to act as (the assertion's `sub`).
    pub fn username(self, username: impl Into<String>) -> JwtBearerBuilder<E, C, Set<String>, S> {
        JwtBearerBuilder {
            endpoint: self.endpoint,
            client_id: self.client_id,
            username: Set(username.into()),
            signer: self.signer,
        }
    }
}

impl<E, C, U> JwtBearerBuilder<E, C, U, Unset> {
    /// Signs with `signer`: a [`PrivateKey`](crate::key::PrivateKey), an HSM/KMS signer's
    /// blocking form, or one already shared (an `Arc` of a signer is a signer). Both the
    /// blocking and the async paths can use it.
    pub fn signer(
        self,
        signer: impl Signer + Send + Sync + 'static,
    ) -> JwtBearerBuilder<E, C, U, Set<SharedSigner>> {
        self.with_signer(Arc::new(signer))
    }

    /// Signs with an async-only signer (e.g. `sfjwt_aws_kms::KmsSigner`): the key is awaited,
    /// never blocking the executor, by [`request_token_async`](JwtBearer::request_token_async)
    /// and [`AsyncTokenManager`](crate::manager::AsyncTokenManager).
    ///
    /// The blocking [`request_token`](JwtBearer::request_token) and
    /// [`prepare_request`](JwtBearer::prepare_request) cannot await it and fail with
    /// [`ExchangeError::Sign`](super::ExchangeError::Sign); for blocking code use the signer
    /// crate's blocking wrapper with [`signer`](Self::signer).
    ///
    /// ```
    /// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
    /// use sfjwt_core::{JwtBearer, TokenEndpoint};
    /// // Any `Signer` is an `AsyncSigner` too; a KMS signer goes in the same way.
    /// let client = JwtBearer::builder()
    ///     .endpoint(TokenEndpoint::production())
    ///     .client_id("3MVG9_key")
    ///     .username("etl@acme.com")
    ///     .async_signer(key)
    ///     .build();
    /// assert!(client.prepare_request().is_err()); // async-only: use request_token_async
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn async_signer(
        self,
        signer: impl AsyncSigner + Send + Sync + 'static,
    ) -> JwtBearerBuilder<E, C, U, Set<SharedAsyncSigner>> {
        self.shared_async_signer(Arc::new(signer))
    }

    /// Like [`async_signer`](Self::async_signer), with a signer that is already shared.
    pub fn shared_async_signer(
        self,
        signer: SharedAsyncSigner,
    ) -> JwtBearerBuilder<E, C, U, Set<SharedAsyncSigner>> {
        self.with_signer(signer)
    }

    fn with_signer<T>(self, signer: T) -> JwtBearerBuilder<E, C, U, Set<T>> {
        JwtBearerBuilder {
            endpoint: self.endpoint,
            client_id: self.client_id,
            username: self.username,
            signer: Set(signer),
        }
    }
}

impl<S> JwtBearerBuilder<Set<TokenEndpoint>, Set<String>, Set<String>, Set<S>> {
    fn finish(self, slot: impl FnOnce(S) -> SignerSlot) -> JwtBearer {
        let Self {
            endpoint: Set(endpoint),
            client_id: Set(client_id),
            username: Set(username),
            signer: Set(signer),
        } = self;
        JwtBearer::with_slot(endpoint, client_id, username, slot(signer))
    }
}

impl JwtBearerBuilder<Set<TokenEndpoint>, Set<String>, Set<String>, Set<SharedSigner>> {
    /// The client, with the default audience, lifetime, clock and body limit (change them
    /// with `JwtBearer::with_*`).
    pub fn build(self) -> JwtBearer {
        self.finish(SignerSlot::Sync)
    }
}

impl JwtBearerBuilder<Set<TokenEndpoint>, Set<String>, Set<String>, Set<SharedAsyncSigner>> {
    /// The client with an async-only signer, with the default audience, lifetime, clock and
    /// body limit (change them with `JwtBearer::with_*`).
    pub fn build(self) -> JwtBearer {
        self.finish(SignerSlot::Async)
    }
}
