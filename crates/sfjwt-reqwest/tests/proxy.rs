//! A proxy never sees plain-http loopback traffic: the token request to a local emulator
//! carries the signed assertion in clear text, so it must go direct even when the client has
//! a proxy. The same transport does use the proxy for other hosts (the control case), so the
//! proxy is live and the test can fail.

use sfjwt_test_support::org as common;

use common::*;
use sfjwt_core::transport::AsyncTransport as _;
use sfjwt_reqwest::ReqwestTransport;
use sfjwt_test_support::proxy::{answer_one, assert_bypassed, probe_request, proxy};

#[tokio::test]
async fn a_client_proxy_gets_nothing_from_a_loopback_token_request() {
    let sf = start();
    let (listener, proxy_url) = proxy();
    let with_proxy = reqwest::Client::builder()
        .proxy(reqwest::Proxy::all(&proxy_url).unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let transport = ReqwestTransport::from(with_proxy);

    let token = client(&sf, APPROVED)
        .request_token_async(&transport)
        .await
        .unwrap();
    assert_eq!(token.instance_url(), sf.base_url());
    assert_bypassed(&listener);

    // Control: the same transport sends other hosts through the proxy.
    let seen = answer_one(listener);
    let probe = probe_request();
    let response = transport.send(probe).await.unwrap();
    assert_eq!(response.status(), 502);
    let line = tokio::task::spawn_blocking(move || seen.join().unwrap())
        .await
        .unwrap();
    assert_eq!(line, "GET http://sfjwt-proxy-probe.invalid/ HTTP/1.1");
}
