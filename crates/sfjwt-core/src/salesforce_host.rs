//! Which kind of Salesforce host a name is: one classification shared by the token endpoint and
//! the audience, so the two can never disagree about what a My Domain or a Lightning host is.
//!
//! The suffixes and why each is accepted or refused are in
//! [`manual::audience`](crate::manual::audience).

/// What a (lower-cased) host name is to the JWT bearer flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostKind {
    /// `login.salesforce.com`.
    ProductionLogin,
    /// `test.salesforce.com`.
    SandboxLogin,
    /// A My Domain login host; `sandbox` for sandboxes and scratch orgs, which log in through
    /// `test.salesforce.com`.
    MyDomain { sandbox: bool },
    /// An Experience Cloud site host (`*.my.site.com`, legacy `*.force.com` sites).
    Site,
    /// A host that serves an org's UI or API but never logs in: Lightning, Visualforce, Setup
    /// and classic instance (`na123.salesforce.com`) hosts.
    NotALoginHost,
    /// `localhost`, `127.0.0.0/8`, `[::1]`.
    Loopback,
    /// Anything else: a custom domain, or not Salesforce at all.
    Unknown,
}

/// My Domain login hosts end with one of these: commercial cloud, Government Cloud Plus,
/// Salesforce on Alibaba Cloud (China, `*.my.sfcrmproducts.cn`) and `*.my-salesforce.com`
/// (the suffixes sfdx-core's `SfdcUrl.toLightningDomain` knows as My Domains).
const MY_DOMAIN_SUFFIXES: [&str; 4] = [
    ".my.salesforce.com",
    ".my.salesforce.mil",
    ".my.sfcrmproducts.cn",
    ".my-salesforce.com",
];

/// Partitioned My Domains (sandboxes, scratch orgs) that log in through `test.salesforce.com`.
const SANDBOX_PARTITIONS: [&str; 2] = [".sandbox.my.salesforce.com", ".scratch.my.salesforce.com"];

/// Lightning, Visualforce and Setup hosts: UI only, never a login or an audience. The
/// Lightning suffixes are sfdx-core's (`SfdcUrl.isLightningDomain`, `toLightningDomain`).
const UI_SUFFIXES: [&str; 8] = [
    ".lightning.force.com",
    ".lightning.crmforce.mil",
    ".lightning.sfcrmapps.cn",
    ".my-lightning.com",
    ".vf.force.com",
    ".visual.force.com",
    ".visualforce.com",
    ".salesforce-setup.com",
];

/// Experience Cloud site hosts with enhanced domains.
const SITE_SUFFIXES: [&str; 2] = [".my.site.com", ".my.salesforce-sites.com"];

/// Classifies a lower-cased host name.
pub(crate) fn classify(host: &str) -> HostKind {
    if crate::url::is_loopback_host(host) {
        return HostKind::Loopback;
    }
    match host {
        "login.salesforce.com" => return HostKind::ProductionLogin,
        "test.salesforce.com" => return HostKind::SandboxLogin,
        _ => {}
    }
    if let Some(name) = my_domain_name(host) {
        // Without enhanced domains a sandbox My Domain is `name--sandbox.my.salesforce.com`;
        // production My Domain names cannot contain `--`.
        let sandbox = SANDBOX_PARTITIONS.iter().any(|s| host.ends_with(s)) || name.contains("--");
        return HostKind::MyDomain { sandbox };
    }
    if UI_SUFFIXES.iter().any(|s| host.ends_with(s)) {
        return HostKind::NotALoginHost;
    }
    if SITE_SUFFIXES.iter().any(|s| host.ends_with(s)) || host.ends_with(".force.com") {
        return HostKind::Site;
    }
    if host == "salesforce.com" || host.ends_with(".salesforce.com") {
        // Every other salesforce.com host is an instance (`na123`, `cs42`, `usa77`…) or a web
        // page, not a login server.
        return HostKind::NotALoginHost;
    }
    HostKind::Unknown
}

/// The first label of a My Domain host (`acme` of `acme.my.salesforce.com`, `acme--dev` of
/// `acme--dev.sandbox.my.salesforce.com`), or `None` if `host` is not a My Domain.
fn my_domain_name(host: &str) -> Option<&str> {
    let rest = MY_DOMAIN_SUFFIXES
        .iter()
        .find_map(|suffix| host.strip_suffix(suffix))?;
    let name = rest.split('.').next().unwrap_or_default();
    (!name.is_empty()).then_some(name)
}

/// The My Domain login URL that serves the same org as a Lightning or Setup host, when the
/// host name says it: `acme.lightning.force.com` → `https://acme.my.salesforce.com`,
/// `acme--dev.sandbox.lightning.force.com` → `https://acme--dev.sandbox.my.salesforce.com`.
pub(crate) fn my_domain_for(host: &str) -> Option<String> {
    const MAP: [(&str, &str); 5] = [
        (".lightning.force.com", ".my.salesforce.com"),
        (".lightning.crmforce.mil", ".my.salesforce.mil"),
        (".lightning.sfcrmapps.cn", ".my.sfcrmproducts.cn"),
        (".my-lightning.com", ".my-salesforce.com"),
        (".my.salesforce-setup.com", ".my.salesforce.com"),
    ];
    MAP.iter().find_map(|(from, to)| {
        let prefix = host.strip_suffix(from)?;
        let candidate = format!("{prefix}{to}");
        matches!(classify(&candidate), HostKind::MyDomain { .. })
            .then(|| format!("https://{candidate}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind() {
        for (host, kind) in [
            ("login.salesforce.com", HostKind::ProductionLogin),
            ("test.salesforce.com", HostKind::SandboxLogin),
            (
                "acme.my.salesforce.com",
                HostKind::MyDomain { sandbox: false },
            ),
            (
                "acme--dev.sandbox.my.salesforce.com",
                HostKind::MyDomain { sandbox: true },
            ),
            (
                "acme--dev.my.salesforce.com",
                HostKind::MyDomain { sandbox: true },
            ),
            (
                "acme-dev-ed.develop.my.salesforce.com",
                HostKind::MyDomain { sandbox: false },
            ),
            (
                "site-1234.scratch.my.salesforce.com",
                HostKind::MyDomain { sandbox: true },
            ),
            (
                "agency.my.salesforce.mil",
                HostKind::MyDomain { sandbox: false },
            ),
            (
                "acme.my.sfcrmproducts.cn",
                HostKind::MyDomain { sandbox: false },
            ),
            (
                "acme--uat.sandbox.my.sfcrmproducts.cn",
                HostKind::MyDomain { sandbox: true },
            ),
            (
                "acme.my-salesforce.com",
                HostKind::MyDomain { sandbox: false },
            ),
            ("acme.lightning.sfcrmapps.cn", HostKind::NotALoginHost),
            ("acme.my-lightning.com", HostKind::NotALoginHost),
            ("my.sfcrmproducts.cn", HostKind::Unknown),
            ("my.salesforce.com", HostKind::NotALoginHost),
            ("acme.lightning.force.com", HostKind::NotALoginHost),
            ("acme.lightning.crmforce.mil", HostKind::NotALoginHost),
            ("acme--c.vf.force.com", HostKind::NotALoginHost),
            ("acme.my.salesforce-setup.com", HostKind::NotALoginHost),
            ("na123.salesforce.com", HostKind::NotALoginHost),
            ("acme.my.site.com", HostKind::Site),
            ("acme.force.com", HostKind::Site),
            ("127.0.0.1", HostKind::Loopback),
            ("localhost", HostKind::Loopback),
            ("auth.example.org", HostKind::Unknown),
            ("acme.my.salesforce.com.evil.example", HostKind::Unknown),
            ("evilsalesforce.com", HostKind::Unknown),
        ] {
            assert_eq!(classify(host), kind, "{host}");
        }
    }

    #[test]
    fn my_domain_suggestions() {
        for (host, want) in [
            (
                "acme.lightning.force.com",
                Some("https://acme.my.salesforce.com"),
            ),
            (
                "acme--dev.sandbox.lightning.force.com",
                Some("https://acme--dev.sandbox.my.salesforce.com"),
            ),
            (
                "agency.lightning.crmforce.mil",
                Some("https://agency.my.salesforce.mil"),
            ),
            (
                "acme.my.salesforce-setup.com",
                Some("https://acme.my.salesforce.com"),
            ),
            (
                "acme.lightning.sfcrmapps.cn",
                Some("https://acme.my.sfcrmproducts.cn"),
            ),
            (
                "acme.my-lightning.com",
                Some("https://acme.my-salesforce.com"),
            ),
            ("na123.salesforce.com", None),
            ("acme--c.vf.force.com", None),
        ] {
            assert_eq!(my_domain_for(host).as_deref(), want, "{host}");
        }
    }
}
