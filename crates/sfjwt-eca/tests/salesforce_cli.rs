//! The Salesforce CLI (pinned, installed by `.ci/setup.sh`) accepts the folder `EcaSpec`
//! writes: `sf project convert source` turns it into Metadata API format offline, with the
//! five External Client App types and the permission set under their metadata names. No
//! network: `sf` runs hermetically (private HOME, loopback-only proxy).

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::time::SystemTime;

use sfjwt_eca::{EcaSpec, Scope};
use sfjwt_test_support::clients::SfCli;

fn write_folder(dir: &Path) {
    let cert = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/keys/rsa2048.crt.pem"
    ))
    .unwrap();
    EcaSpec::new("acme_etl", &cert, SystemTime::now())
        .unwrap()
        .contact_email("admin@acme.example.com")
        .unwrap()
        .scopes(vec![Scope::Api, Scope::RefreshToken])
        .unwrap()
        .write_new(dir)
        .unwrap();
}

#[test]
fn sf_project_convert_source_accepts_the_folder() {
    let sf = SfCli::new();
    let work = tempfile::tempdir().unwrap();
    let project = work.path().join("acme_etl");
    write_folder(&project);
    let out = work.path().join("mdapi");
    let output = sf
        .command(&[
            "project",
            "convert",
            "source",
            "--root-dir",
            project.to_str().unwrap(),
            "--output-dir",
            out.to_str().unwrap(),
            "--json",
        ])
        .current_dir(&project)
        .output()
        .unwrap();
    let stdout = sfjwt_test_support::process::succeeded(&output, "sf project convert source");
    // Metadata API format: one folder per type, the file named after the component with the
    // bare suffix.
    for (folder, file) in [
        ("externalClientApps", "acme_etl.eca"),
        ("extlClntAppOauthSettings", "acme_etl_oauth.ecaOauth"),
        (
            "extlClntAppGlobalOauthSets",
            "acme_etl_glbloauth.ecaGlblOauth",
        ),
        (
            "extlClntAppOauthPolicies",
            "acme_etl_oauthPlcy.ecaOauthPlcy",
        ),
        ("extlClntAppPolicies", "acme_etl_plcy.ecaPlcy"),
        ("permissionsets", "acme_etl.permissionset"),
    ] {
        let path = out.join(folder).join(file);
        assert!(
            path.is_file(),
            "{} missing; sf printed:\n{stdout}",
            path.display()
        );
    }
    let package = std::fs::read_to_string(out.join("package.xml")).unwrap();
    for (ty, member) in [
        ("ExternalClientApplication", "acme_etl"),
        ("ExtlClntAppOauthSettings", "acme_etl_oauth"),
        ("ExtlClntAppGlobalOauthSettings", "acme_etl_glbloauth"),
        ("ExtlClntAppOauthConfigurablePolicies", "acme_etl_oauthPlcy"),
        ("ExtlClntAppConfigurablePolicies", "acme_etl_plcy"),
        ("PermissionSet", "acme_etl"),
    ] {
        let entry = format!("<members>{member}</members>\n        <name>{ty}</name>");
        assert!(
            package.contains(&entry),
            "{entry} not in the converted package.xml:\n{package}"
        );
    }
    assert!(package.contains("<version>66.0</version>"), "{package}");
    let refused = sf.refused_hosts();
    assert!(refused.is_empty(), "sf tried to reach {refused:?}");
}
