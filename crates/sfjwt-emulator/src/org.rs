//! What kind of org the emulator plays, and which `aud` values it accepts.
//!
//! Salesforce's login audience depends on the org and the app, not on the host the token is
//! requested from:
//!
//! - a **production** org answers to `https://login.salesforce.com`, a **sandbox** to
//!   `https://test.salesforce.com`; the other login server gets `audience is invalid`;
//! - a **connected app** accepts those login servers (and Experience Cloud site URLs);
//! - an **External Client App** (the default kind of app in orgs created since Spring '26)
//!   refuses the login servers with `app_not_found` / "External client app is not installed in
//!   this org" and accepts the org's **My Domain URL** as `aud`;
//! - Lightning (`*.lightning.force.com`) and classic instance hosts (`na123.salesforce.com`)
//!   serve the UI and the API but are never audiences, so the emulator refuses to be
//!   configured with them.

use sfjwt_core::claims::Audience;

/// Which login server an org answers to: the `aud` of a connected app's assertions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OrgKind {
    /// A production (or Developer Edition) org: `aud = https://login.salesforce.com`.
    Production,
    /// A sandbox: `aud = https://test.salesforce.com`; usernames carry the sandbox name
    /// (`etl@acme.com.dev`, see
    /// [`EmulatorBuilder::sandbox_name`](crate::EmulatorBuilder::sandbox_name)).
    Sandbox,
}

impl OrgKind {
    /// The login server this kind of org answers to.
    pub fn login_url(self) -> &'static str {
        match self {
            Self::Production => Audience::PRODUCTION_URL,
            Self::Sandbox => Audience::SANDBOX_URL,
        }
    }
}

/// Where the token response's `id` (the identity URL) points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IdentityHost {
    /// On the host of the audience the assertion was granted for, as Salesforce sends it:
    /// `https://login.salesforce.com/id/{org}/{user}` (test, the My Domain or the site URL
    /// likewise). The default. A client that follows it leaves the machine: use
    /// [`IdentityHost::Emulator`] for tests that call the identity URL.
    #[default]
    LoginServer,
    /// On the emulator: `http://127.0.0.1:{port}/id/{org}/{user}`, which it serves.
    Emulator,
}

/// An audience as the emulator compares it: one trailing `/` removed, lower-cased (scheme and
/// host are case-insensitive; the emulator's site paths are configured in lower case too).
pub(crate) fn normalize(aud: &str) -> String {
    aud.strip_suffix('/').unwrap_or(aud).to_ascii_lowercase()
}

/// Whether `aud` is one of the two login servers (whatever the org's kind).
pub(crate) fn is_login_server(aud: &str) -> bool {
    let aud = normalize(aud);
    aud == Audience::PRODUCTION_URL || aud == Audience::SANDBOX_URL
}

/// Why `url` cannot be an audience the emulated org accepts; `None` if it can.
/// `bare_host` requires no path (a My Domain URL is a bare origin).
pub(crate) fn audience_problem(url: &str, bare_host: bool) -> Option<&'static str> {
    if !url
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    {
        return Some("an audience is an https:// URL");
    }
    let after = url.get(8..).unwrap_or_default();
    let (host, path) = after.split_once('/').unwrap_or((after, ""));
    let host = host.to_ascii_lowercase();
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':'))
    {
        return Some("it has no valid host");
    }
    if [
        ".lightning.force.com",
        ".lightning.crmforce.mil",
        ".lightning.sfcrmapps.cn",
        ".my-lightning.com",
    ]
    .iter()
    .any(|suffix| host.ends_with(suffix))
    {
        return Some(
            "a Lightning URL (*.lightning.force.com) is never an audience: use the My Domain URL (https://NAME.my.salesforce.com)",
        );
    }
    if [
        ".salesforce-setup.com",
        ".visualforce.com",
        ".visual.force.com",
    ]
    .iter()
    .any(|suffix| host.ends_with(suffix))
    {
        return Some(
            "a Setup or Visualforce URL is never an audience: use the My Domain URL (https://NAME.my.salesforce.com)",
        );
    }
    if is_instance_host(&host) {
        return Some(
            "an instance URL (na123.salesforce.com) is never an audience: use the My Domain URL (https://NAME.my.salesforce.com)",
        );
    }
    if bare_host && !path.is_empty() {
        return Some("a My Domain URL has no path: give https://NAME.my.salesforce.com");
    }
    if url.contains(['?', '#', '@']) || url.chars().any(char::is_whitespace) {
        return Some("it has a query, fragment, user information or white space");
    }
    None
}

/// `na123.salesforce.com`, `cs42.salesforce.com`, `eu2.salesforce.com`, `um1.salesforce.com`:
/// letters then digits before `.salesforce.com`.
fn is_instance_host(host: &str) -> bool {
    let Some(pod) = host.strip_suffix(".salesforce.com") else {
        return false;
    };
    let letters = pod.bytes().take_while(u8::is_ascii_alphabetic).count();
    let digits = pod.len().saturating_sub(letters);
    (1..=4).contains(&letters)
        && digits > 0
        && pod.bytes().skip(letters).all(|b| b.is_ascii_digit())
}

/// Why `name` cannot be a sandbox name; `None` if it can. Salesforce sandbox names are up
/// to 10 letters and digits, starting with a letter.
pub(crate) fn sandbox_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.len() > 10 {
        return Some("a sandbox name has 1 to 10 characters");
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric())
        || !name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
    {
        return Some("a sandbox name is letters and digits, starting with a letter");
    }
    None
}

/// A production username as it reads in the sandbox `name`: `etl@acme.com` → `etl@acme.com.dev`
/// (unchanged if it already ends so).
pub(crate) fn sandbox_username(username: &str, name: &str) -> String {
    let suffix = format!(".{name}");
    if username.len() > suffix.len()
        && username
            .get(username.len() - suffix.len()..)
            .is_some_and(|end| end.eq_ignore_ascii_case(&suffix))
    {
        username.to_owned()
    } else {
        format!("{username}{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lightning_and_instance_urls_are_never_audiences() {
        assert!(audience_problem("https://acme.lightning.force.com", true).is_some());
        assert!(audience_problem("https://acme.lightning.sfcrmapps.cn", true).is_some());
        assert!(audience_problem("https://acme.my-lightning.com", true).is_some());
        assert!(audience_problem("https://acme.my.sfcrmproducts.cn", true).is_none());
        assert!(audience_problem("https://na123.salesforce.com", true).is_some());
        assert!(audience_problem("https://CS42.salesforce.com/", false).is_some());
        assert!(audience_problem("https://acme.my.salesforce-setup.com", true).is_some());
        assert!(audience_problem("https://acme--c.vf.force.com.visualforce.com", true).is_some());
        assert!(audience_problem("https://acme.my.salesforce.mil", true).is_none());
        assert!(audience_problem("http://acme.my.salesforce.com", true).is_some());
        assert!(audience_problem("https://acme.my.salesforce.com/x", true).is_some());
        assert!(audience_problem("https://acme.my.salesforce.com", true).is_none());
        assert!(audience_problem("https://acme--dev.sandbox.my.salesforce.com/", true).is_none());
        assert!(audience_problem("https://acme.my.site.com/partners", false).is_none());
        assert!(audience_problem("https://login.salesforce.com", true).is_none());
    }

    #[test]
    fn sandbox_names_and_usernames() {
        assert!(sandbox_name_problem("dev").is_none());
        assert!(sandbox_name_problem("uat2").is_none());
        assert!(sandbox_name_problem("").is_some());
        assert!(sandbox_name_problem("2dev").is_some());
        assert!(sandbox_name_problem("dev.x").is_some());
        assert!(sandbox_name_problem("abcdefghijk").is_some());
        assert_eq!(sandbox_username("etl@acme.com", "dev"), "etl@acme.com.dev");
        assert_eq!(
            sandbox_username("etl@acme.com.DEV", "dev"),
            "etl@acme.com.DEV"
        );
    }

    #[test]
    fn login_servers() {
        assert!(is_login_server("https://login.salesforce.com/"));
        assert!(is_login_server("HTTPS://TEST.salesforce.com"));
        assert!(!is_login_server("https://acme.my.salesforce.com"));
    }
}
