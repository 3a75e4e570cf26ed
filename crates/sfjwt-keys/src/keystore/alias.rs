//! The keystore alias, which Salesforce's import turns into the certificate's Unique Name: the
//! name Apex passes to `new Auth.JWS(jwt, 'name')`.
//!
//! Salesforce's rule for a certificate's Unique Name (Salesforce Help, "Generate a Self-Signed
//! Certificate", and the Tooling API `Certificate.DeveloperName` field): only letters, digits
//! and underscores; it begins with a letter, has no spaces, does not end with an underscore and
//! has no two underscores in a row; and it is unique in the org. Names of this kind
//! (`DeveloperName`) are at most 80 characters.
//!
//! On top of that, JKS keeps aliases in lower case (Java's `JKS` type lower-cases an alias to
//! look it up), so we accept lower case only: the name printed for Apex is then exactly the one
//! Salesforce shows. The tutorial's recipe fails here twice: `openssl pkcs12 -export` names the
//! entry `1`, which starts with a digit, and `keytool -changealias` is the extra step it needs.

use std::fmt;

/// The longest Unique Name Salesforce takes (its API names are limited to 80 characters).
pub const MAX_ALIAS_LEN: usize = 80;

/// A keystore alias that is also a valid Salesforce certificate Unique Name, in lower case.
///
/// ```
/// use sfjwt_keys::keystore::Alias;
/// assert_eq!(Alias::parse("org_to_org")?.as_str(), "org_to_org");
/// let refused = Alias::parse("My Cert").unwrap_err();
/// assert_eq!(refused.suggestion(), "my_cert");
/// # Ok::<(), sfjwt_keys::keystore::AliasError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias(String);

impl Alias {
    /// Checks `alias` against the rules above.
    ///
    /// # Errors
    /// [`AliasError`], naming the first broken rule; [`AliasError::suggestion`] is a name that
    /// follows them all.
    pub fn parse(alias: &str) -> Result<Self, AliasError> {
        match problem(alias) {
            None => Ok(Self(alias.to_owned())),
            Some(problem) => Err(AliasError {
                alias: alias.to_owned(),
                problem,
            }),
        }
    }

    /// The alias.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An alias that cannot be a Salesforce certificate Unique Name. Likely causes: `1` (what
/// `openssl pkcs12 -export` names the entry), spaces or dashes, upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AliasError {
    /// The alias given.
    pub alias: String,
    /// The first rule it breaks, in words.
    pub problem: String,
}

impl AliasError {
    /// A name that follows every rule, as close to the alias as possible: lower case, runs of
    /// other characters as one underscore, a `cert_` prefix when it does not start with a
    /// letter.
    pub fn suggestion(&self) -> String {
        suggest(&self.alias)
    }
}

impl fmt::Display for AliasError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} cannot be a Salesforce certificate name: {}",
            self.alias, self.problem
        )
    }
}

impl std::error::Error for AliasError {}

/// The first rule `alias` breaks, if any.
fn problem(alias: &str) -> Option<String> {
    let Some(first) = alias.chars().next() else {
        return Some("it is empty".to_owned());
    };
    if let Some(bad) = alias
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        let what = if bad == ' ' {
            "a space".to_owned()
        } else {
            format!("{bad:?}")
        };
        return Some(format!(
            "it contains {what} (only letters, digits and underscores are allowed)"
        ));
    }
    if !first.is_ascii_alphabetic() {
        return Some("it must begin with a letter".to_owned());
    }
    if alias.ends_with('_') {
        return Some("it must not end with an underscore".to_owned());
    }
    if alias.contains("__") {
        return Some("it must not contain two underscores in a row".to_owned());
    }
    if alias.len() > MAX_ALIAS_LEN {
        return Some(format!(
            "it is {} characters long (at most {MAX_ALIAS_LEN})",
            alias.len()
        ));
    }
    if alias.chars().any(|c| c.is_ascii_uppercase()) {
        return Some(
            "it has upper-case letters, which a JKS keystore stores in lower case".to_owned(),
        );
    }
    None
}

/// See [`AliasError::suggestion`].
fn suggest(alias: &str) -> String {
    let mut name = String::with_capacity(alias.len() + 5);
    for c in alias.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "cert_");
    }
    name.truncate(MAX_ALIAS_LEN);
    while name.ends_with('_') {
        name.pop();
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_unique_names_pass() {
        for ok in ["sfjwt", "org_to_org", "a", "jwt2", &"a".repeat(80)] {
            assert_eq!(Alias::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn each_rule_is_named_with_a_fix() {
        let cases = [
            ("", "it is empty", "cert"),
            ("1", "begin with a letter", "cert_1"),
            ("_x", "begin with a letter", "x"),
            ("my cert", "contains a space", "my_cert"),
            ("my-cert", "contains '-'", "my_cert"),
            ("café", "contains 'é'", "caf"),
            ("cert_", "end with an underscore", "cert"),
            ("my__cert", "two underscores in a row", "my_cert"),
            ("MyCert", "upper-case", "mycert"),
        ];
        for (alias, problem, fix) in cases {
            let error = Alias::parse(alias).unwrap_err();
            let message = error.to_string();
            assert!(message.contains(problem), "{alias:?}: {message}");
            assert_eq!(error.suggestion(), fix, "{alias:?}");
            assert!(Alias::parse(&suggest(alias)).is_ok(), "{alias:?}");
        }
        let long = "a".repeat(81);
        assert!(
            Alias::parse(&long)
                .unwrap_err()
                .to_string()
                .contains("81 characters")
        );
        assert_eq!(suggest(&long).len(), 80);
    }
}
