//! API names: the unique names Salesforce gives metadata components.
//!
//! The rules are those the Object Reference states for the External Client App's
//! `DeveloperName` ("the unique name of the object in the API"): 40 characters or fewer,
//! starting with a letter, only letters, digits and underscores, no spaces, not ending with an
//! underscore, no two underscores in a row. A permission set's name follows the same rules
//! with a limit of 80 characters.

use std::fmt;

use crate::error::EcaError;

/// The longest External Client App name (and component name) the guide allows.
pub const MAX_APP_NAME: usize = 40;
/// The longest permission set name.
pub const MAX_PERMISSION_SET_NAME: usize = 80;

/// A name that follows Salesforce's API-name rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiName(String);

impl ApiName {
    /// Checks `name` against the rules, with `max` characters at most. `what` names it in
    /// the error (`app name`).
    ///
    /// # Errors
    /// [`EcaError::InvalidName`] naming the rule it breaks.
    pub fn parse(what: &'static str, name: &str, max: usize) -> Result<Self, EcaError> {
        let fail = |reason: String| EcaError::InvalidName {
            what,
            name: name.to_owned(),
            reason,
        };
        if name.is_empty() {
            return Err(fail("it is empty".to_owned()));
        }
        if name.chars().count() > max {
            return Err(fail(format!(
                "it has {} characters; at most {max} are allowed",
                name.chars().count()
            )));
        }
        if !name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic()) {
            return Err(fail("it must begin with a letter".to_owned()));
        }
        if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
        {
            return Err(fail(format!(
                "{c:?} is not allowed: only letters, digits and underscores"
            )));
        }
        if name.contains("__") {
            return Err(fail("it contains two underscores in a row".to_owned()));
        }
        if name.ends_with('_') {
            return Err(fail("it ends with an underscore".to_owned()));
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApiName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules() {
        for good in ["sfjwt_etl", "A", "Etl2", "a_b_c"] {
            assert!(ApiName::parse("app name", good, 40).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("", "empty"),
            ("1etl", "begin with a letter"),
            ("_etl", "begin with a letter"),
            ("etl_", "ends with an underscore"),
            ("etl__x", "two underscores"),
            ("etl-x", "not allowed"),
            ("etl x", "not allowed"),
            ("étl", "begin with a letter"),
            ("e\u{301}tl", "not allowed"),
        ] {
            let e = ApiName::parse("app name", bad, 40).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
        let long = "a".repeat(41);
        let e = ApiName::parse("app name", &long, 40)
            .unwrap_err()
            .to_string();
        assert!(e.contains("at most 40"), "{e}");
        assert!(ApiName::parse("app name", &"a".repeat(40), 40).is_ok());
    }
}
