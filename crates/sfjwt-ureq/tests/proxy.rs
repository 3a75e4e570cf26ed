//! A proxy never sees plain-http loopback traffic: the token request to a local emulator
//! carries the signed assertion in clear text, so it must go direct even when a proxy is
//! configured. The same transport does use the proxy for other hosts (the control case), so
//! the proxy is live and the test can fail.

use sfjwt_test_support::org as common;

use std::time::Duration;

use common::*;
use sfjwt_test_support::proxy::{answer_one, assert_bypassed, probe_request, proxy};
use sfjwt_ureq::UreqTransport;

#[test]
fn a_configured_proxy_gets_nothing_from_a_loopback_token_request() {
    let sf = start();
    let (listener, proxy_url) = proxy();
    let transport = UreqTransport::builder()
        .proxy(ureq::Proxy::new(&proxy_url).unwrap())
        .timeout(Duration::from_secs(10))
        .build();

    let token = client(&sf, APPROVED).request_token(&transport).unwrap();
    assert_eq!(token.instance_url(), sf.base_url());
    assert_bypassed(&listener);

    // Control: the same transport sends other hosts through the proxy.
    let seen = answer_one(listener);
    let probe = probe_request();
    // ureq tunnels every proxied request with CONNECT; the 502 refuses the tunnel.
    let result = sfjwt_core::transport::SyncTransport::send(&transport, probe);
    assert!(result.is_err(), "{result:?}");
    assert_eq!(
        seen.join().unwrap(),
        "CONNECT sfjwt-proxy-probe.invalid:80 HTTP/1.1"
    );
}
