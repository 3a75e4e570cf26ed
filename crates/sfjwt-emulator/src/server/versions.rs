//! The REST API's discovery resources, which clients call right after login: the list of
//! API versions and the resources of one version.
//!
//! Shapes from Salesforce's REST API Developer Guide: "List Available REST API Versions"
//! (`GET /services/data/`, no session needed: an array of `{"label","url","version"}`) and
//! "List Available REST Resources" (`GET /services/data/vXX.X/`: an object mapping each
//! resource name to its URL). The Salesforce CLI (jsforce, sfdx-core) calls the first to pick
//! an API version and the second to check a session (`Connection.refreshAuth`), so a login
//! that works but is followed by 404s here looks to the CLI like a broken org.

use http::StatusCode;
use serde::Serialize;

use super::responses::{Resp, json};

/// The oldest version served: 21.0–30.0 were retired in Summer '25 (Salesforce Help,
/// "Salesforce Platform API Versions 21.0 through 30.0 Retirement").
const OLDEST: u32 = 31;
/// The newest version served: 66.0, Spring '26.
const NEWEST: u32 = 66;

/// Whether `segment` (`v62.0`) names a version this org serves.
pub(crate) fn is_served(segment: &str) -> bool {
    parse(segment).is_some()
}

/// `v62.0` → 62, for versions in the served range with minor `0`.
fn parse(segment: &str) -> Option<u32> {
    let (major, minor) = segment.strip_prefix('v')?.split_once('.')?;
    if minor != "0" || major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let major: u32 = major.parse().ok()?;
    (OLDEST..=NEWEST).contains(&major).then_some(major)
}

/// The release name of API version `major`: 20.0 was Winter '11 and each release since adds
/// one (Spring, Summer, Winter), so 62.0 is Winter '25 and 66.0 Spring '26.
fn label(major: u32) -> String {
    let since = major.saturating_sub(20);
    let season = match since % 3 {
        0 => "Winter",
        1 => "Spring",
        _ => "Summer",
    };
    format!("{season} '{:02}", 11 + since / 3)
}

#[derive(Serialize)]
struct Version {
    label: String,
    url: String,
    version: String,
}

/// `GET /services/data`: every served version, oldest first, as Salesforce lists them.
pub(crate) fn list() -> Resp {
    let versions: Vec<Version> = (OLDEST..=NEWEST)
        .map(|major| Version {
            label: label(major),
            url: format!("/services/data/v{major}.0"),
            version: format!("{major}.0"),
        })
        .collect();
    json(StatusCode::OK, &versions)
}

/// The resources a version lists, by name; each URL is `/services/data/vXX.X/{name}`.
const RESOURCES: [&str; 20] = [
    "tooling",
    "metadata",
    "eclair",
    "folders",
    "prechatForms",
    "chatter",
    "tabs",
    "appMenu",
    "quickActions",
    "queryAll",
    "commerce",
    "wave",
    "search",
    "composite",
    "theme",
    "recent",
    "limits",
    "query",
    "sobjects",
    "actions",
];

/// `GET /services/data/vXX.X`: the resource map of that version, with `identity` pointing at
/// the caller's identity URL, as Salesforce sends it.
pub(crate) fn resources(path: &str, identity_url: &str) -> Resp {
    let version = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let mut map = serde_json::Map::new();
    for name in RESOURCES {
        map.insert(
            name.to_owned(),
            format!("/services/data/{version}/{name}").into(),
        );
    }
    map.insert("identity".to_owned(), identity_url.into());
    json(StatusCode::OK, &map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_the_release_train() {
        assert_eq!(label(20), "Winter '11");
        assert_eq!(label(31), "Summer '14");
        assert_eq!(label(62), "Winter '25");
        assert_eq!(label(63), "Spring '25");
        assert_eq!(label(64), "Summer '25");
        assert_eq!(label(66), "Spring '26");
    }

    #[test]
    fn served_versions() {
        assert!(is_served("v62.0"));
        assert!(is_served("v31.0"));
        assert!(is_served("v66.0"));
        for bad in [
            "v30.0", "v67.0", "v62.1", "62.0", "v62", "vX.0", "v.0", "", "v062.0x",
        ] {
            assert!(!is_served(bad), "{bad}");
        }
    }
}
