//! Metadata API versions (`66.0`): what the project declares and what each field needs.

use std::fmt;

use crate::error::EcaError;

/// A Salesforce API version. Salesforce numbers them `N.0`, three a year (66.0 is Spring '26).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion(u16);

impl ApiVersion {
    /// The version `sfjwt eca new` writes by default (Spring '26).
    pub const DEFAULT: Self = Self(66);
    /// The first version with the External Client App types.
    pub const ECA_TYPES: Self = Self(59);
    /// The first version with ExtlClntAppGlobalOauthSettings' `certificate` field, the switch
    /// of the JWT bearer flow (and with the ExtlClntAppConfigurablePolicies type).
    pub const CERTIFICATE: Self = Self(60);

    /// The version `major.0`.
    pub const fn new(major: u16) -> Self {
        Self(major)
    }

    /// The major number.
    pub const fn major(self) -> u16 {
        self.0
    }

    /// Parses `66.0` (or `66`).
    ///
    /// # Errors
    /// [`EcaError::ApiVersion`] for anything else.
    pub fn parse(text: &str) -> Result<Self, EcaError> {
        let bad = |reason: &str| EcaError::ApiVersion {
            given: text.to_owned(),
            reason: reason.to_owned(),
        };
        let major = text.strip_suffix(".0").unwrap_or(text);
        if major.is_empty() || major.len() > 3 || !major.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("write it as Salesforce does, e.g. 66.0"));
        }
        let n: u16 = major
            .parse()
            .map_err(|_| bad("write it as Salesforce does, e.g. 66.0"))?;
        if n == 0 {
            return Err(bad("write it as Salesforce does, e.g. 66.0"));
        }
        Ok(Self(n))
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.0", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_salesforce_versions_only() {
        assert_eq!(ApiVersion::parse("66.0").unwrap(), ApiVersion::new(66));
        assert_eq!(ApiVersion::parse("60").unwrap().to_string(), "60.0");
        for bad in ["", "66.1", "v66.0", "0.0", "1000.0", "66.0.0", " 66.0"] {
            assert!(ApiVersion::parse(bad).is_err(), "{bad}");
        }
        assert!(ApiVersion::CERTIFICATE > ApiVersion::ECA_TYPES);
    }
}
