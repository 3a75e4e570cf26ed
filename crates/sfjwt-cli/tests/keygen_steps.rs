//! `sfjwt keygen` prints the External Client App setup first and the connected-app steps
//! second, each step as `sfjwt_core::manual::setup` lists it with its sources.

#[test]
fn keygen_prints_the_eca_steps_before_the_connected_app_steps() {
    let out = sfjwt_test_support::cli::keygen_stdout();
    let position = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("keygen output lacks {needle:?}:\n{out}"))
    };
    // The ECA steps, in order.
    let eca = [
        "External Client App Manager > New External Client App",
        "Enable OAuth",
        "Enable JWT Bearer Flow",
        "Upload Files",
        "Admin approved users are pre-authorized",
        "profile or permission set",
        "Consumer Key and Secret",
        "--login-url https://NAME.my.salesforce.com --audience my-domain",
    ];
    let mut last = 0;
    for step in eca {
        let at = position(step);
        assert!(at >= last, "{step:?} out of order:\n{out}");
        last = at;
    }
    // Then the connected app.
    let connected = position("New Connected App");
    assert!(
        connected > last,
        "connected-app steps must come second:\n{out}"
    );
    assert!(position("Use digital signatures") > connected);
    assert!(position("Manage Consumer Details") > connected);
}
