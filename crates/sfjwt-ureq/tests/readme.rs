//! The README's library quick start needs one dependency: `sfjwt-ureq`. The doctests compile
//! the README (see `ReadmeDoctests` in `src/lib.rs`); this test makes sure the quick start
//! stays written against this crate's re-exports rather than reaching into the core.

// Helpers outside `#[test]` functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(clippy::panic, clippy::indexing_slicing)]

/// The first rust block after the "Library quick start" heading.
fn quick_start(readme: &str) -> &str {
    let section = readme
        .split_once("## Library quick start")
        .map(|(_, rest)| rest)
        .unwrap();
    let block = section.split_once("```rust").map(|(_, rest)| rest).unwrap();
    block.split_once("\n```").map(|(code, _)| code).unwrap()
}

#[test]
fn the_quick_start_uses_only_sfjwt_ureq() {
    let readme = include_str!("../../../README.md");
    let code = quick_start(readme);
    assert!(code.contains("sfjwt_ureq::"), "quick start:\n{code}");
    for other in ["sfjwt_core", "sfjwt_reqwest", "sfjwt_emulator"] {
        assert!(
            !code.contains(other),
            "the quick start names `{other}`: re-export what it needs from sfjwt-ureq\n{code}"
        );
    }
    // Hidden doctest lines (`# …`) would let the check above pass while the snippet leans on
    // code a reader does not see.
    assert!(
        !code.lines().any(|l| l.trim_start().starts_with("# ")),
        "the quick start hides lines:\n{code}"
    );
}

#[test]
fn the_quick_start_check_notices_the_core() {
    let readme = "## Library quick start\n\n```rust,no_run\nuse sfjwt_core::JwtBearer;\n```\n";
    assert!(quick_start(readme).contains("sfjwt_core"));
}
