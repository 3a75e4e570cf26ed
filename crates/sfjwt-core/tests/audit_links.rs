//! Keeps AUDIT.md honest: every `[..](path#LN) `code`` link must point at a line that still
//! contains the quoted code.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test code

use std::path::Path;

#[test]
fn audit_links_point_at_the_quoted_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let audit = std::fs::read_to_string(root.join("AUDIT.md")).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut rest = audit.as_str();
    while let Some(start) = rest.find("](crates/") {
        rest = &rest[start + 2..];
        let Some(close) = rest.find(')') else { break };
        let target = &rest[..close];
        let after = rest[close + 1..].trim_start();
        let Some((path, line)) = target.split_once("#L") else {
            continue;
        };
        let Some(code) = after.strip_prefix('`').and_then(|s| s.split('`').next()) else {
            failures.push(format!("{target}: link without a quoted `code` after it"));
            continue;
        };
        let line: usize = line.parse().unwrap();
        let text = std::fs::read_to_string(root.join(path)).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        if lines.get(line - 1).is_none_or(|l| !l.contains(code)) {
            let now = lines.iter().position(|l| l.contains(code)).map(|i| i + 1);
            failures.push(format!(
                "{path}:{line} no longer contains `{code}` (now at line {now:?})"
            ));
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "AUDIT.md links drifted:\n{}",
        failures.join("\n")
    );
    assert!(checked >= 25, "only {checked} links found");
    println!("AUDIT.md: {checked} file:line links checked");
}
