//! The login URL, the claims and the audience: the mistakes the tutorials' readers make
//! (a Lightning URL as login URL, a sandbox/production mix-up, a user id as username).

use std::time::SystemTime;

use super::{Finding, Level};
use crate::claims::{Audience, Claims};
use crate::endpoint::{EndpointKind, TokenEndpoint};

/// The token endpoint and what kind of host it is (topic `endpoint`, always [`Level::Ok`]:
/// an endpoint that parsed is usable).
pub fn endpoint(endpoint: &TokenEndpoint) -> Finding {
    let what = match endpoint.kind() {
        EndpointKind::Loopback => "plain http on loopback (a local emulator)",
        EndpointKind::ProductionLogin => "https, production login server",
        EndpointKind::SandboxLogin => "https, sandbox login server",
        EndpointKind::MyDomain => "https, My Domain",
        EndpointKind::SandboxMyDomain => "https, sandbox My Domain",
        EndpointKind::ExperienceSite => "https, Experience Cloud site",
        _ => "https",
    };
    let message = format!("{} ({what})", endpoint.token_url());
    Finding::new(Level::Ok, "endpoint", message)
}

/// The consumer key (topic `client id`): an error if the claims refuse it, a warning if it
/// does not start with `3MVG` as Salesforce's consumer keys do.
pub fn client_id(id: &str, now: SystemTime) -> Finding {
    let built = Claims::builder()
        .client_id(id)
        .username("probe@example.com")
        .build(now);
    match built {
        Err(e) => Finding::new(Level::Error, "client id", e.to_string()),
        Ok(_) if !id.starts_with("3MVG") => Finding::new(
            Level::Warn,
            "client id",
            format!(
                "{id:?} does not look like a Consumer Key (they start with 3MVG): copy it from the app's \"Manage Consumer Details\""
            ),
        ),
        Ok(_) => {
            let message = format!("{id} ({} characters)", id.chars().count());
            Finding::new(Level::Ok, "client id", message)
        }
    }
}

/// The username (topic `username`): an error if the claims refuse it, a warning without `@`
/// (a Salesforce username looks like an e-mail address; a user id or a name does not).
pub fn username(user: &str, now: SystemTime) -> Finding {
    let built = Claims::builder()
        .client_id("3MVG9probe")
        .username(user)
        .build(now);
    match built {
        Err(e) => Finding::new(Level::Error, "username", e.to_string()),
        Ok(_) if !user.contains('@') => Finding::new(
            Level::Warn,
            "username",
            format!(
                "{user:?} has no @: Salesforce usernames look like e-mail addresses (the username, not the e-mail or the user id)"
            ),
        ),
        Ok(_) => Finding::new(Level::Ok, "username", user),
    }
}

/// Which audience goes with `endpoint` and why (topic `audience`; `given` says whether the
/// caller chose it or it is the endpoint's default): ok for the usual cases, a warning for a
/// My Domain audience (right for External Client Apps since Spring '26, refused by connected
/// apps), an error for a production/sandbox mix-up (`invalid_grant: audience is invalid`).
pub fn audience(endpoint: &TokenEndpoint, audience: &Audience, given: bool) -> Finding {
    let (level, reason) = audience_reason(endpoint, audience, given);
    Finding::new(level, "audience", format!("{audience} ({reason})"))
}

fn audience_reason(endpoint: &TokenEndpoint, audience: &Audience, given: bool) -> (Level, String) {
    let kind = endpoint.kind();
    let sandbox_endpoint = matches!(
        kind,
        EndpointKind::SandboxLogin | EndpointKind::SandboxMyDomain
    );
    let production_endpoint =
        matches!(kind, EndpointKind::ProductionLogin | EndpointKind::MyDomain);
    if audience.is_my_domain() {
        let mut reason = "My Domain audience: right for External Client App orgs after Spring '26 (they answer app_not_found to login/test); otherwise use login/test".to_owned();
        if kind != EndpointKind::Loopback && endpoint.base_url() != audience.as_str() {
            reason
                .push_str("; an ECA wants the same My Domain as login URL, and the login URL is ");
            reason.push_str(endpoint.base_url());
        }
        return (Level::Warn, reason);
    }
    if sandbox_endpoint && audience.as_str() == Audience::PRODUCTION_URL {
        return (
            Level::Error,
            "production login server with a sandbox endpoint: sandboxes need https://test.salesforce.com (leave --audience out)".to_owned(),
        );
    }
    if production_endpoint && audience.is_sandbox() {
        return (
            Level::Error,
            "sandbox login server with a production endpoint: production needs https://login.salesforce.com (leave --audience out, or use --sandbox)".to_owned(),
        );
    }
    let why = match (given, kind) {
        (true, _) if audience.is_login_server() => "given with --audience",
        (true, _) => "given with --audience: a site or custom authorization server",
        (false, EndpointKind::SandboxLogin | EndpointKind::SandboxMyDomain) => {
            "default for a sandbox login URL; use --audience my-domain if an External Client App answers app_not_found"
        }
        (false, EndpointKind::ExperienceSite) => {
            "default for an Experience Cloud site: the site URL"
        }
        (false, EndpointKind::Loopback) => "default for a loopback emulator",
        (false, _) => {
            "default for a production login URL; use --audience my-domain with your My Domain if an External Client App answers app_not_found"
        }
    };
    (Level::Ok, why.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + core::time::Duration::from_secs(1_800_000_000)
    }

    fn graded(login: &str, aud: &Audience, given: bool) -> Level {
        audience(&TokenEndpoint::parse(login).unwrap(), aud, given).level
    }

    #[test]
    fn claims_values_are_graded() {
        assert_eq!(client_id("3MVG9abc", now()).level, Level::Ok);
        assert_eq!(client_id("abc", now()).level, Level::Warn);
        assert_eq!(client_id("", now()).level, Level::Error);
        assert_eq!(username("etl@acme.com", now()).level, Level::Ok);
        let id = username("005000000000001", now());
        assert_eq!((id.topic, id.level), ("username", Level::Warn));
        assert_eq!(username("", now()).level, Level::Error);
    }

    #[test]
    fn a_production_sandbox_mix_up_is_an_error() {
        let sandbox = "https://test.salesforce.com";
        let production = "https://login.salesforce.com";
        assert_eq!(graded(sandbox, &Audience::production(), true), Level::Error);
        assert_eq!(graded(production, &Audience::sandbox(), true), Level::Error);
        assert_eq!(graded(sandbox, &Audience::sandbox(), false), Level::Ok);
        assert_eq!(
            graded(production, &Audience::production(), false),
            Level::Ok
        );
    }

    #[test]
    fn a_my_domain_audience_is_a_warning_naming_the_login_url() {
        let md = "https://acme.my.salesforce.com";
        let aud = Audience::my_domain_of(&TokenEndpoint::parse(md).unwrap()).unwrap();
        let same = audience(&TokenEndpoint::parse(md).unwrap(), &aud, true);
        assert_eq!(same.level, Level::Warn);
        assert!(!same.message.contains("the login URL is"));
        let other = audience(&TokenEndpoint::production(), &aud, true);
        assert!(
            other
                .message
                .ends_with("the login URL is https://login.salesforce.com)")
        );
    }

    #[test]
    fn the_endpoint_names_its_kind() {
        let sandbox = endpoint(&TokenEndpoint::sandbox());
        assert_eq!(sandbox.topic, "endpoint");
        assert_eq!(
            sandbox.message,
            "https://test.salesforce.com/services/oauth2/token (https, sandbox login server)"
        );
    }
}
