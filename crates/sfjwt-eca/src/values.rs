//! The enumerated values the app's fields take, as the Metadata API spells them.

use crate::error::EcaError;

/// An OAuth scope as the Metadata API names it in `commaSeparatedOauthScopes` (the values of
/// the connected app's scope enumeration, which External Client Apps share), with the OAuth
/// name a token response reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scope {
    /// `Api`: the REST and SOAP APIs (`api`). What an integration needs.
    Api,
    /// `RefreshToken`: requests at any time (`refresh_token`, `offline_access`). The JWT
    /// bearer flow issues no refresh token; harmless, and what most setups tick.
    RefreshToken,
    /// `Full`: everything the user can reach (`full`).
    Full,
    /// `Web`: web pages (`web`).
    Web,
    /// `Basic`: the identity URL service (`id`).
    Basic,
    /// `OpenID`: an ID token (`openid`).
    OpenId,
    /// `Profile` (`profile`).
    Profile,
    /// `Email` (`email`).
    Email,
    /// `Address` (`address`).
    Address,
    /// `Phone` (`phone`).
    Phone,
    /// `OfflineAccess` (`offline_access`).
    OfflineAccess,
    /// `Chatter`: the Connect REST API (`chatter_api`).
    Chatter,
    /// `CustomPermissions` (`custom_permissions`).
    CustomPermissions,
}

impl Scope {
    /// Every scope sfjwt knows, in the order it lists them.
    pub const ALL: &'static [Scope] = &[
        Self::Api,
        Self::RefreshToken,
        Self::Full,
        Self::Web,
        Self::Basic,
        Self::OpenId,
        Self::Profile,
        Self::Email,
        Self::Address,
        Self::Phone,
        Self::OfflineAccess,
        Self::Chatter,
        Self::CustomPermissions,
    ];

    /// The Metadata API's name (`Api`, `RefreshToken`).
    pub fn metadata_name(self) -> &'static str {
        match self {
            Self::Api => "Api",
            Self::RefreshToken => "RefreshToken",
            Self::Full => "Full",
            Self::Web => "Web",
            Self::Basic => "Basic",
            Self::OpenId => "OpenID",
            Self::Profile => "Profile",
            Self::Email => "Email",
            Self::Address => "Address",
            Self::Phone => "Phone",
            Self::OfflineAccess => "OfflineAccess",
            Self::Chatter => "Chatter",
            Self::CustomPermissions => "CustomPermissions",
        }
    }

    /// The OAuth name a token response's `scope` carries (`api`, `refresh_token`).
    pub fn oauth_name(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::RefreshToken => "refresh_token",
            Self::Full => "full",
            Self::Web => "web",
            Self::Basic => "id",
            Self::OpenId => "openid",
            Self::Profile => "profile",
            Self::Email => "email",
            Self::Address => "address",
            Self::Phone => "phone",
            Self::OfflineAccess => "offline_access",
            Self::Chatter => "chatter_api",
            Self::CustomPermissions => "custom_permissions",
        }
    }

    /// Whether a session with this scope may call the REST API (`Api` or `Full`).
    pub fn allows_rest_api(self) -> bool {
        matches!(self, Self::Api | Self::Full)
    }

    /// One scope by its Metadata API name (case-insensitive, surrounding spaces ignored).
    ///
    /// # Errors
    /// [`EcaError::UnknownScope`] listing the known names.
    pub fn parse(text: &str) -> Result<Self, EcaError> {
        let text = text.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|s| s.metadata_name().eq_ignore_ascii_case(text))
            .ok_or_else(|| EcaError::UnknownScope {
                scope: text.to_owned(),
            })
    }

    /// A comma-separated list (`Api, RefreshToken`), in order, without duplicates.
    ///
    /// # Errors
    /// [`EcaError::UnknownScope`] for an unknown name, [`EcaError::NoScopes`] for none.
    pub fn parse_list(text: &str) -> Result<Vec<Self>, EcaError> {
        let mut scopes = Vec::new();
        for part in text.split(',').filter(|p| !p.trim().is_empty()) {
            let scope = Self::parse(part)?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            return Err(EcaError::NoScopes);
        }
        Ok(scopes)
    }

    /// The list as `commaSeparatedOauthScopes` spells it: `Api, RefreshToken`.
    pub fn join(scopes: &[Self]) -> String {
        scopes
            .iter()
            .map(|s| s.metadata_name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// ExtlClntAppOauthConfigurablePolicies' `ipRelaxationPolicyType`: whether the org's and
/// profile's IP restrictions apply to logins through the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum IpRelaxation {
    /// `Enforce`: IP restrictions apply (the safe default).
    #[default]
    Enforce,
    /// `Bypass`: IP restrictions do not apply to this app.
    Bypass,
    /// `Bypass_2factor`: relaxed with a second factor (the JWT bearer flow has none, so the
    /// restrictions apply to it).
    BypassWithSecondFactor,
    /// `Enforce_RelaxRefresh`: enforced, relaxed for refresh tokens (which this flow never
    /// uses).
    EnforceRelaxRefresh,
}

impl IpRelaxation {
    /// Every documented value.
    pub const ALL: &'static [IpRelaxation] = &[
        Self::Enforce,
        Self::Bypass,
        Self::BypassWithSecondFactor,
        Self::EnforceRelaxRefresh,
    ];

    /// The Metadata API's value.
    pub fn metadata_name(self) -> &'static str {
        match self {
            Self::Enforce => "Enforce",
            Self::Bypass => "Bypass",
            Self::BypassWithSecondFactor => "Bypass_2factor",
            Self::EnforceRelaxRefresh => "Enforce_RelaxRefresh",
        }
    }

    /// By its Metadata API value (exact).
    pub fn from_metadata_name(text: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.metadata_name() == text)
    }

    /// Whether a JWT bearer login through the app skips the IP restrictions.
    pub fn relaxes_jwt_logins(self) -> bool {
        self == Self::Bypass
    }
}

/// ExtlClntAppOauthConfigurablePolicies' `permittedUsersPolicyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PermittedUsersPolicy {
    /// `AdminApprovedPreAuthorized`: the users of the listed permission sets or profiles are
    /// pre-authorized. What the JWT bearer flow needs.
    AdminApprovedPreAuthorized,
    /// `AllSelfAuthorized`: each user approves the app interactively first; the JWT bearer
    /// flow has no such step, so users get `user hasn't approved this consumer`.
    AllSelfAuthorized,
}

impl PermittedUsersPolicy {
    /// Every documented value.
    pub const ALL: &'static [PermittedUsersPolicy] =
        &[Self::AdminApprovedPreAuthorized, Self::AllSelfAuthorized];

    /// The Metadata API's value.
    pub fn metadata_name(self) -> &'static str {
        match self {
            Self::AdminApprovedPreAuthorized => "AdminApprovedPreAuthorized",
            Self::AllSelfAuthorized => "AllSelfAuthorized",
        }
    }

    /// By its Metadata API value (exact).
    pub fn from_metadata_name(text: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.metadata_name() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_lists() {
        assert_eq!(
            Scope::parse_list("api, RefreshToken,Api").unwrap(),
            vec![Scope::Api, Scope::RefreshToken]
        );
        assert_eq!(
            Scope::join(&[Scope::Api, Scope::RefreshToken]),
            "Api, RefreshToken"
        );
        assert!(matches!(Scope::parse_list(" , "), Err(EcaError::NoScopes)));
        let e = Scope::parse_list("Api, api_full").unwrap_err().to_string();
        assert!(e.contains("api_full") && e.contains("RefreshToken"), "{e}");
    }

    #[test]
    fn enumerations_round_trip() {
        for v in IpRelaxation::ALL {
            assert_eq!(
                IpRelaxation::from_metadata_name(v.metadata_name()),
                Some(*v)
            );
        }
        for v in PermittedUsersPolicy::ALL {
            assert_eq!(
                PermittedUsersPolicy::from_metadata_name(v.metadata_name()),
                Some(*v)
            );
        }
        assert_eq!(IpRelaxation::from_metadata_name("bypass"), None);
    }
}
