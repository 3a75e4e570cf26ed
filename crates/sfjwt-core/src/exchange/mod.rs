//! The JWT bearer exchange: claims → sign → request → send → parse (RFC 7523 §2.1).
//!
//! [`JwtBearer`] holds the configuration; everything except the send is a pure function
//! ([`JwtBearer::prepare_request`], [`JwtBearer::parse_response`]), so the blocking
//! [`request_token`](JwtBearer::request_token) and the async
//! [`request_token_async`](JwtBearer::request_token_async) differ only by one `.await`.
//!
//! The signer is either a [`Signer`] (signs inline; both paths work) or an [`AsyncSigner`]
//! ([`JwtBearerBuilder::async_signer`]: a key behind network I/O, awaited on the async path).

mod builder;
mod error;

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use builder::{JwtBearerBuilder, Set, SharedAsyncSigner, SharedSigner, Unset};
pub use error::ExchangeError;

use crate::claims::{Audience, Claims, ClaimsError, DEFAULT_LIFETIME};
use crate::clock::{Clock, SystemClock};
use crate::endpoint::TokenEndpoint;
use crate::jws::{self, AsyncSigner, SignError, Signer};
use crate::request::token_request;
use crate::response::{DEFAULT_MAX_BODY, TokenResponse, parse_token_response};
use crate::transport::{AsyncTransport, SyncTransport, TransportErrorKind};

/// A JWT bearer client: endpoint, client id, username, audience, lifetime, signer and clock.
///
/// Cheap to clone (the signer and clock are shared).
///
/// ```
/// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
/// use sfjwt_core::{JwtBearer, TokenEndpoint};
/// let client = JwtBearer::builder()
///     .endpoint(TokenEndpoint::parse("https://acme--dev.sandbox.my.salesforce.com")?)
///     .client_id("3MVG9_consumer_key")
///     .username("etl@acme.com.dev")
///     .signer(key)
///     .build();
/// assert_eq!(client.audience().unwrap().as_str(), "https://test.salesforce.com");
///
/// let fake_salesforce = |_req: http::Request<Vec<u8>>| -> Result<_, std::io::Error> {
///     Ok(http::Response::builder().status(200).header("content-type", "application/json").body(
///         br#"{"access_token":"00D000000000001!AQ","instance_url":"https://acme--dev.sandbox.my.salesforce.com",
///             "id":"https://test.salesforce.com/id/00D000000000001AAA/005000000000001AAA","token_type":"Bearer","scope":"api"}"#.to_vec()).unwrap())
/// };
/// let token = client.request_token(&fake_salesforce)?;
/// assert_eq!(token.user_id(), Some("005000000000001AAA"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct JwtBearer {
    endpoint: TokenEndpoint,
    client_id: String,
    username: String,
    audience: Option<Audience>,
    lifetime: Duration,
    signer: SignerSlot,
    clock: Arc<dyn Clock>,
    max_body: usize,
}

/// Which kind of signer a client holds: the blocking path needs a [`Signer`].
#[derive(Clone)]
enum SignerSlot {
    Sync(Arc<dyn Signer + Send + Sync>),
    Async(Arc<dyn AsyncSigner + Send + Sync>),
}

impl JwtBearer {
    /// Starts a client: give it [`endpoint`](JwtBearerBuilder::endpoint),
    /// [`client_id`](JwtBearerBuilder::client_id), [`username`](JwtBearerBuilder::username)
    /// and a [`signer`](JwtBearerBuilder::signer) (or an
    /// [`async_signer`](JwtBearerBuilder::async_signer)), then
    /// [`build`](JwtBearerBuilder::build).
    pub fn builder() -> JwtBearerBuilder {
        JwtBearerBuilder::new()
    }

    fn with_slot(
        endpoint: TokenEndpoint,
        client_id: String,
        username: String,
        signer: SignerSlot,
    ) -> Self {
        Self {
            endpoint,
            client_id,
            username,
            audience: None,
            lifetime: DEFAULT_LIFETIME,
            signer,
            clock: Arc::new(SystemClock),
            max_body: DEFAULT_MAX_BODY,
        }
    }

    /// Sets the audience; default [`TokenEndpoint::default_audience`]. For an External Client
    /// App since Spring '26 (`app_not_found` to login/test), use the My Domain:
    ///
    /// ```
    /// # let key = sfjwt_core::key::PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"))?;
    /// use sfjwt_core::{Audience, JwtBearer, TokenEndpoint};
    /// let endpoint = TokenEndpoint::parse("https://acme.my.salesforce.com")?;
    /// let client = JwtBearer::builder()
    ///     .endpoint(endpoint.clone())
    ///     .client_id("3MVG9_consumer_key")
    ///     .username("etl@acme.com")
    ///     .signer(key)
    ///     .build()
    ///     .with_audience(Audience::my_domain_of(&endpoint)?);
    /// assert_eq!(client.audience().unwrap().as_str(), "https://acme.my.salesforce.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_audience(mut self, audience: Audience) -> Self {
        self.audience = Some(audience);
        self
    }

    /// Sets the assertion lifetime; default [`DEFAULT_LIFETIME`] (180 s), at most
    /// [`MAX_LIFETIME`](crate::claims::MAX_LIFETIME) (300 s): a longer one makes
    /// [`prepare_request`](Self::prepare_request) fail with
    /// [`ClaimsError::LifetimeTooLong`]. Only the claims builder can opt out of the maximum.
    #[must_use]
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// Replaces the clock (tests pin time with it); default [`SystemClock`].
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Sets the response body limit; default [`DEFAULT_MAX_BODY`] (1 MiB).
    #[must_use]
    pub fn with_max_response_bytes(mut self, limit: usize) -> Self {
        self.max_body = limit;
        self
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &TokenEndpoint {
        &self.endpoint
    }

    /// The client id (`iss`).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The username (`sub`).
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The audience in effect: the override, or the endpoint's default; `None` for an
    /// endpoint without a safe default ([`EndpointKind::Other`](crate::endpoint::EndpointKind::Other))
    /// and no override, which [`prepare_request`](Self::prepare_request) refuses with
    /// [`ClaimsError::AudienceRequired`].
    pub fn audience(&self) -> Option<Audience> {
        self.audience
            .clone()
            .or_else(|| self.endpoint.default_audience())
    }

    /// The assertion lifetime.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// The clock in use.
    pub fn current_time(&self) -> std::time::SystemTime {
        self.clock.now()
    }

    /// Builds claims at the clock's `now`, signs them and builds the token request.
    ///
    /// # Errors
    /// [`ExchangeError::Claims`], [`ExchangeError::Sign`] or [`ExchangeError::Request`];
    /// [`ExchangeError::Sign`] too when the signer is async-only
    /// ([`JwtBearerBuilder::async_signer`]): use
    /// [`prepare_request_async`](Self::prepare_request_async).
    pub fn prepare_request(&self) -> Result<http::Request<Vec<u8>>, ExchangeError> {
        let claims = self.claims()?;
        let assertion = match &self.signer {
            SignerSlot::Sync(signer) => jws::sign(&claims, &**signer)?,
            SignerSlot::Async(_) => return Err(async_only().into()),
        };
        token_request(&self.endpoint, &assertion).map_err(|e| ExchangeError::Request(Arc::new(e)))
    }

    /// [`prepare_request`](Self::prepare_request) for any signer: an async-only signer is
    /// awaited, a sync one signs inline.
    ///
    /// # Errors
    /// [`ExchangeError::Claims`], [`ExchangeError::Sign`] or [`ExchangeError::Request`].
    pub async fn prepare_request_async(&self) -> Result<http::Request<Vec<u8>>, ExchangeError> {
        let claims = self.claims()?;
        let assertion = match &self.signer {
            SignerSlot::Sync(signer) => jws::sign(&claims, &**signer)?,
            SignerSlot::Async(signer) => jws::sign_async(&claims, &**signer).await?,
        };
        token_request(&self.endpoint, &assertion).map_err(|e| ExchangeError::Request(Arc::new(e)))
    }

    /// Whether the signer is async-only, so only the async paths can use it.
    pub fn is_async_only(&self) -> bool {
        matches!(self.signer, SignerSlot::Async(_))
    }

    fn claims(&self) -> Result<Claims, ExchangeError> {
        let audience = self
            .audience()
            .ok_or_else(|| ClaimsError::AudienceRequired {
                endpoint: self.endpoint.base_url().to_owned(),
            })?;
        Ok(Claims::builder()
            .client_id(self.client_id.as_str())
            .username(self.username.as_str())
            .audience(audience)
            .lifetime(self.lifetime)
            .build(self.clock.now())?)
    }

    /// Parses the endpoint's response with this client's body limit.
    ///
    /// # Errors
    /// [`ExchangeError::OAuth`] or [`ExchangeError::Response`].
    pub fn parse_response(
        &self,
        response: &http::Response<Vec<u8>>,
    ) -> Result<TokenResponse, ExchangeError> {
        parse_token_response(response, self.max_body)
    }

    /// Requests a token through a blocking transport.
    ///
    /// # Errors
    /// Any [`ExchangeError`]; check [`ExchangeError::is_retryable`] before trying again.
    pub fn request_token<T>(&self, transport: &T) -> Result<TokenResponse, ExchangeError>
    where
        T: SyncTransport + ?Sized,
        T::Error: TransportErrorKind,
    {
        let request = self.prepare_request()?;
        let response = transport.send(request).map_err(transport_error)?;
        self.parse_and_wipe(response)
    }

    /// Requests a token through an async transport. Needs no particular runtime.
    ///
    /// # Errors
    /// Any [`ExchangeError`]; check [`ExchangeError::is_retryable`] before trying again.
    pub async fn request_token_async<T>(
        &self,
        transport: &T,
    ) -> Result<TokenResponse, ExchangeError>
    where
        T: AsyncTransport + ?Sized,
        T::Error: TransportErrorKind,
    {
        let request = self.prepare_request_async().await?;
        let response = transport.send(request).await.map_err(transport_error)?;
        self.parse_and_wipe(response)
    }

    /// Parses, then wipes the body: it holds the access token, which lives on only in the
    /// (zeroized-on-drop) [`TokenResponse`].
    fn parse_and_wipe(
        &self,
        mut response: http::Response<Vec<u8>>,
    ) -> Result<TokenResponse, ExchangeError> {
        let result = self.parse_response(&response);
        zeroize::Zeroize::zeroize(response.body_mut());
        result
    }
}

fn async_only() -> SignError {
    SignError::new(
        "this client's signer is async-only (an AsyncSigner such as a KMS key): \
         use request_token_async or AsyncTokenManager, or the signer's blocking wrapper",
    )
}

fn transport_error<E>(e: E) -> ExchangeError
where
    E: std::error::Error + TransportErrorKind + Send + Sync + 'static,
{
    ExchangeError::Transport {
        retryable: e.is_retryable(),
        source: Arc::new(e),
    }
}

impl fmt::Debug for JwtBearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtBearer")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .field("audience", &self.audience())
            .field("lifetime", &self.lifetime)
            .field(
                "signer",
                &match self.signer {
                    SignerSlot::Sync(_) => "[signer]",
                    SignerSlot::Async(_) => "[async signer]",
                },
            )
            .field("max_body", &self.max_body)
            .finish()
    }
}
