//! The login URL / audience pairs worth trying when it is not known which one an org wants:
//! the pairs the Salesforce CLI tries (forcedotcom/sfdx-core, `getLoginAudienceCombos`, with
//! the production login server as its default audience).

use super::{EndpointKind, TokenEndpoint};
use crate::claims::Audience;

/// The most pairs [`login_pairs`] returns (it returns at most five today).
pub const MAX_LOGIN_PAIRS: usize = 6;

/// One login URL / audience pair.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoginPair {
    /// Where the assertion is POSTed.
    pub login: TokenEndpoint,
    /// Its `aud`.
    pub audience: Audience,
}

/// The pairs to try for `login`, in the Salesforce CLI's order: the login URL as its own
/// audience (the My Domain/My Domain pair External Client Apps want; a loopback emulator plays
/// one), the test and the login server each as their own audience, then the login URL with
/// the login and with the test audience. Pairs that mix production and sandbox are left out
/// and duplicates appear once, so only `login` and login/test.salesforce.com are ever named.
///
/// ```
/// use sfjwt_core::endpoint::{TokenEndpoint, login_pairs};
///
/// let pairs = login_pairs(&TokenEndpoint::parse("https://acme.my.salesforce.com")?);
/// assert_eq!(pairs.len(), 5);
/// assert_eq!(pairs[0].audience.as_str(), "https://acme.my.salesforce.com");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn login_pairs(login: &TokenEndpoint) -> Vec<LoginPair> {
    let own = Audience::my_domain_of(login)
        .ok()
        .or_else(|| Audience::parse(login.base_url()).ok());
    let candidates = [
        (login.clone(), own),
        (TokenEndpoint::sandbox(), Some(Audience::sandbox())),
        (TokenEndpoint::production(), Some(Audience::production())),
        (login.clone(), Some(Audience::production())),
        (login.clone(), Some(Audience::sandbox())),
    ];
    let mut pairs: Vec<LoginPair> = Vec::new();
    for (login, audience) in candidates {
        let Some(audience) = audience else { continue };
        // sfdx-core filters out the login server of one kind with the audience of the other.
        let mixed = if audience.is_sandbox() {
            login.kind() == EndpointKind::ProductionLogin
        } else {
            audience.is_login_server() && login.kind() == EndpointKind::SandboxLogin
        };
        let pair = LoginPair { login, audience };
        if !mixed && !pairs.contains(&pair) {
            pairs.push(pair);
        }
    }
    pairs.truncate(MAX_LOGIN_PAIRS);
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(login: &str) -> Vec<(String, String)> {
        login_pairs(&TokenEndpoint::parse(login).unwrap())
            .into_iter()
            .map(|p| (p.login.base_url().to_owned(), p.audience.to_string()))
            .collect()
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    const LOGIN: &str = "https://login.salesforce.com";
    const TEST: &str = "https://test.salesforce.com";

    #[test]
    fn a_my_domain_gets_the_cli_s_five_pairs() {
        let md = "https://acme.my.salesforce.com";
        let want = owned(&[
            (md, md),
            (TEST, TEST),
            (LOGIN, LOGIN),
            (md, LOGIN),
            (md, TEST),
        ]);
        assert_eq!(names(md), want);
    }

    #[test]
    fn the_login_servers_get_two_pairs() {
        assert_eq!(names(LOGIN), owned(&[(LOGIN, LOGIN), (TEST, TEST)]));
        assert_eq!(names(TEST), owned(&[(TEST, TEST), (LOGIN, LOGIN)]));
    }

    #[test]
    fn a_loopback_emulator_plays_the_my_domain() {
        let emu = "http://127.0.0.1:8080";
        let got = names(emu);
        assert_eq!(got.first().unwrap(), &(emu.to_owned(), emu.to_owned()));
        assert_eq!(got.len(), 5);
        assert!(got.len() <= MAX_LOGIN_PAIRS);
    }
}
