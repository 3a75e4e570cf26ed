//! Keeps AUDIT.md honest: every `[file](crates/…) `code`` link must name a file that exists and
//! still contains the quoted code.
//!
//! Links anchor on the code (a symbol such as `pub fn sanitize`, or a telling expression), not
//! on a line number, so an edit above the symbol does not break them; renaming or deleting the
//! symbol does.

use std::path::Path;

/// Checks every repository link in `audit` against the files under `root`: returns how many
/// links were checked and what is wrong with the others.
fn check_links(audit: &str, root: &Path) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut rest = audit;
    while let Some(start) = rest.find("](crates/") {
        rest = &rest[start + 2..];
        let Some(close) = rest.find(')') else { break };
        let path = &rest[..close];
        let after = &rest[close + 1..];
        if path.contains("#L") {
            failures.push(format!(
                "{path}: a line-number anchor; quote the code instead"
            ));
            continue;
        }
        let Some(code) = after
            .strip_prefix(" `")
            .and_then(|s| s.split('`').next())
            .filter(|code| !code.is_empty())
        else {
            failures.push(format!("{path}: link without a quoted `code` after it"));
            continue;
        };
        match std::fs::read_to_string(root.join(path)) {
            Err(e) => failures.push(format!("{path}: {e}")),
            Ok(text) if !text.contains(code) => {
                failures.push(format!("{path} no longer contains `{code}`"));
            }
            Ok(_) => {}
        }
        checked += 1;
    }
    (checked, failures)
}

fn workspace_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn audit_links_point_at_the_quoted_code() {
    let root = workspace_root();
    let audit = std::fs::read_to_string(root.join("AUDIT.md")).unwrap();
    let (checked, failures) = check_links(&audit, root);
    assert!(
        failures.is_empty(),
        "AUDIT.md links drifted:\n{}",
        failures.join("\n")
    );
    assert!(checked >= 25, "only {checked} links found");
    println!("AUDIT.md: {checked} links to code checked");
}

#[test]
fn the_check_fails_when_a_symbol_disappears_or_a_file_moves() {
    let root = workspace_root();
    let good = "[sanitize.rs](crates/sfjwt-core/src/response/sanitize.rs) `pub fn sanitize`";
    assert_eq!(check_links(good, root), (1, vec![]));

    let gone = "[sanitize.rs](crates/sfjwt-core/src/response/sanitize.rs) `pub fn sanitise_all`";
    let (_, failures) = check_links(gone, root);
    assert_eq!(
        failures,
        ["crates/sfjwt-core/src/response/sanitize.rs no longer contains `pub fn sanitise_all`"]
    );

    let moved = "[sanitize.rs](crates/sfjwt-core/src/sanitize.rs) `pub fn sanitize`";
    assert_eq!(check_links(moved, root).1.len(), 1);

    let line_anchor =
        "[sanitize.rs:48](crates/sfjwt-core/src/response/sanitize.rs#L48) `pub fn sanitize`";
    assert_eq!(check_links(line_anchor, root).1.len(), 1);

    let no_code = "see [sanitize.rs](crates/sfjwt-core/src/response/sanitize.rs).";
    assert_eq!(check_links(no_code, root).1.len(), 1);
}
