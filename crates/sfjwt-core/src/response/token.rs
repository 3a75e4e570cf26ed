use core::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use zeroize::Zeroizing;

/// An access token: a bearer credential for the org's API until its session times out.
///
/// Redacted `Debug`, no `Display`, no `PartialEq` (compare with
/// [`same_as`](Self::same_as)), zeroized on drop. Read it with
/// [`expose_secret`](Self::expose_secret) when it goes into an `Authorization: Bearer` header.
#[derive(Clone)]
pub struct AccessToken(Zeroizing<String>);

impl AccessToken {
    /// Wraps a token string (for token stores that load it back).
    pub fn new(token: impl Into<String>) -> Self {
        Self(Zeroizing::new(token.into()))
    }

    /// The token. Whoever holds it can act as the user until the session expires.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Whether both hold the same token, compared without an early exit.
    pub fn same_as(&self, other: &AccessToken) -> bool {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

/// A successful token response (200 from `/services/oauth2/token`).
///
/// Salesforce sends no `expires_in` and no `refresh_token` for this flow: the token lives as
/// long as the org's session timeout, sliding with use. Reuse it until the API answers 401
/// `INVALID_SESSION_ID` (see [`manager`](crate::manager)).
#[derive(Clone)]
pub struct TokenResponse {
    pub(crate) access_token: AccessToken,
    pub(crate) instance_url: String,
    pub(crate) id: String,
    pub(crate) token_type: String,
    pub(crate) scope: Vec<String>,
    pub(crate) issued_at: Option<u64>,
    pub(crate) signature: Option<String>,
    pub(crate) community_url: Option<String>,
    pub(crate) community_id: Option<String>,
    pub(crate) api_instance_url: Option<String>,
    pub(crate) extra: Map<String, Value>,
}

impl TokenResponse {
    /// The access token.
    pub fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    /// The org's instance URL (`https://acme.my.salesforce.com`): where API calls go.
    /// Validated to be https (or http on a loopback host, for emulators).
    pub fn instance_url(&self) -> &str {
        &self.instance_url
    }

    /// The identity URL, `https://login.salesforce.com/id/{org id}/{user id}`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The 15- or 18-character org id (`00D…`) from [`id`](Self::id), if it has the usual shape.
    pub fn org_id(&self) -> Option<&str> {
        self.id_parts().map(|(org, _)| org)
    }

    /// The user id (`005…`) from [`id`](Self::id), if it has the usual shape.
    pub fn user_id(&self) -> Option<&str> {
        self.id_parts().map(|(_, user)| user)
    }

    fn id_parts(&self) -> Option<(&str, &str)> {
        let after_scheme = self.id.split_once("://").map_or(&*self.id, |(_, r)| r);
        let mut segments = after_scheme.trim_end_matches('/').rsplit('/');
        let user = segments.next()?;
        let org = segments.next()?;
        let marker = segments.next()?;
        (marker == "id" && !org.is_empty() && !user.is_empty()).then_some((org, user))
    }

    /// `token_type`, normally `Bearer`.
    pub fn token_type(&self) -> &str {
        &self.token_type
    }

    /// The granted scopes (`scope` split on spaces), e.g. `["api", "web"]`.
    pub fn scopes(&self) -> &[String] {
        &self.scope
    }

    /// `issued_at`: when Salesforce issued the token, if it said so.
    pub fn issued_at(&self) -> Option<SystemTime> {
        self.issued_at
            .and_then(|ms| UNIX_EPOCH.checked_add(Duration::from_millis(ms)))
    }

    /// `signature`: Salesforce's HMAC over `id` and `issued_at`, if present.
    pub fn signature(&self) -> Option<&str> {
        self.signature.as_deref()
    }

    /// `sfdc_community_url`, for tokens obtained through an Experience Cloud site.
    pub fn community_url(&self) -> Option<&str> {
        self.community_url.as_deref()
    }

    /// `sfdc_community_id`, for tokens obtained through an Experience Cloud site.
    pub fn community_id(&self) -> Option<&str> {
        self.community_id.as_deref()
    }

    /// `api_instance_url`: the API host Salesforce returns when the token was granted with
    /// the `sfap_api` scope (Salesforce's Models and Agent APIs, e.g.
    /// `https://api.salesforce.com`). Validated like [`instance_url`](Self::instance_url).
    pub fn api_instance_url(&self) -> Option<&str> {
        self.api_instance_url.as_deref()
    }

    /// Fields this version does not know, kept verbatim.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// The response as JSON again, for token stores that persist it (see
    /// [`TokenStore`](crate::store::TokenStore)). Contains the access token: zeroized on drop.
    pub fn to_json(&self) -> Zeroizing<String> {
        let mut map = self.extra.clone();
        let mut put = |k: &str, v: Value| {
            map.insert(k.to_owned(), v);
        };
        put(
            "access_token",
            Value::String(self.access_token.expose_secret().to_owned()),
        );
        put("instance_url", Value::String(self.instance_url.clone()));
        put("id", Value::String(self.id.clone()));
        put("token_type", Value::String(self.token_type.clone()));
        put("scope", Value::String(self.scope.join(" ")));
        if let Some(ms) = self.issued_at {
            put("issued_at", Value::String(ms.to_string()));
        }
        for (key, value) in [
            ("signature", &self.signature),
            ("sfdc_community_url", &self.community_url),
            ("sfdc_community_id", &self.community_id),
            ("api_instance_url", &self.api_instance_url),
        ] {
            if let Some(v) = value {
                put(key, Value::String(v.clone()));
            }
        }
        Zeroizing::new(Value::Object(map).to_string())
    }

    /// Parses a token response body (the inverse of [`to_json`](Self::to_json)), with the
    /// checks of a 200 response from the token endpoint.
    ///
    /// # Errors
    /// [`ResponseError`](super::ResponseError) when the JSON is not a token response (an
    /// OAuth error object included).
    pub fn from_json(json: &[u8]) -> Result<Self, super::ResponseError> {
        super::parse::token_from_json(json)
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Unknown fields could hold anything, so only their names are shown.
        f.debug_struct("TokenResponse")
            .field("access_token", &self.access_token)
            .field("instance_url", &self.instance_url)
            .field("id", &self.id)
            .field("token_type", &self.token_type)
            .field("scope", &self.scope)
            .field("issued_at", &self.issued_at)
            .field("signature", &self.signature.as_ref().map(|_| "[present]"))
            .field("community_url", &self.community_url)
            .field("community_id", &self.community_id)
            .field("api_instance_url", &self.api_instance_url)
            .field("extra_fields", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}
