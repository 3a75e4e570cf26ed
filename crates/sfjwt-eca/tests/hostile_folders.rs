//! Folders nobody should trust: oversized files, devices, symlink loops, package
//! directories that leave the project, unknown elements. Each is refused with the file named,
//! quickly, and nothing hangs.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use sfjwt_eca::{EcaError, EcaFolder, EcaSpec};

fn written(dir: &Path) -> std::path::PathBuf {
    let cert = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/keys/rsa2048.crt.pem"
    ))
    .unwrap();
    let out = dir.join("eca");
    EcaSpec::new("acme_etl", &cert, SystemTime::now())
        .unwrap()
        .write_new(&out)
        .unwrap();
    out
}

const GLOBAL: &str =
    "force-app/main/default/extlClntAppGlobalOauthSets/acme_etl_glbloauth.ecaGlblOauth-meta.xml";

#[test]
fn an_oversized_metadata_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let eca = written(dir.path());
    std::fs::write(eca.join(GLOBAL), vec![b' '; 300 * 1024]).unwrap();
    let e = EcaFolder::load(&eca).unwrap_err();
    assert!(matches!(e, EcaError::Xml { .. }), "{e}");
    assert!(e.to_string().contains("larger than"), "{e}");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_and_a_device_do_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    let eca = written(dir.path());
    std::os::unix::fs::symlink(&eca, eca.join("force-app/main/loop")).unwrap();
    std::os::unix::fs::symlink(
        "/dev/zero",
        eca.join("force-app/main/default/extlClntAppPolicies/zero_plcy.ecaPlcy-meta.xml"),
    )
    .unwrap();
    let started = Instant::now();
    // Symlinks are not followed: the folder reads as written.
    let folder = EcaFolder::load(&eca).unwrap();
    assert_eq!(folder.name(), "acme_etl");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_package_directory_outside_the_project_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let eca = written(dir.path());
    std::fs::write(
        eca.join("sfdx-project.json"),
        r#"{"packageDirectories":[{"path":"../../etc"}]}"#,
    )
    .unwrap();
    let e = EcaFolder::load(&eca).unwrap_err().to_string();
    assert!(e.contains("leaves the project folder"), "{e}");
}

#[test]
fn an_unknown_element_or_value_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let eca = written(dir.path());
    let path = eca.join(GLOBAL);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "<callbackUrl>",
            "<consumerSecret>x</consumerSecret>\n    <callbackUrl>",
        ),
    )
    .unwrap();
    let e = EcaFolder::load(&eca).unwrap_err().to_string();
    assert!(e.contains("unknown element <consumerSecret>"), "{e}");
    assert!(!e.contains(">x<"), "{e}");
}

#[test]
fn out_dir_refusals_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cert = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/keys/rsa2048.crt.pem"
    ))
    .unwrap();
    let spec = EcaSpec::new("acme_etl", &cert, SystemTime::now()).unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    assert!(matches!(
        spec.write_new(&file),
        Err(EcaError::OutDirNotEmpty { .. })
    ));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
    // An existing empty directory is filled.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(spec.write_new(&empty).unwrap().len(), 8);
}
