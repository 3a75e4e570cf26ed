//! Many clients at once: 200 grant requests from 16 threads, every answer checked.

use sfjwt_test_support::wire as common;

use std::collections::HashSet;
use std::sync::Mutex;

use common::*;

const CLIENTS: usize = 16;
const REQUESTS: usize = 200;

#[test]
fn two_hundred_grants_from_sixteen_clients() {
    let sf = start();
    let tokens = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for client in 0..CLIENTS {
            let (sf, tokens) = (&sf, &tokens);
            scope.spawn(move || {
                let agent = agent();
                // Requests client, client + 16, client + 32, … up to 200 in all.
                for n in (client..REQUESTS).step_by(CLIENTS) {
                    // Every fifth request is signed with the wrong key and must be refused.
                    let wrong_key = n % 5 == 0;
                    let assertion = if wrong_key {
                        let claims = format!(
                            r#"{{"iss":"{CLIENT_ID}","sub":"{APPROVED}","aud":"{PRODUCTION}","exp":{}}}"#,
                            unix_now() + 120
                        );
                        sign_raw(r#"{"alg":"RS256"}"#, &claims, &other_key())
                    } else {
                        assertion_for(APPROVED)
                    };
                    let mut response = agent
                        .post(sf.token_url())
                        .send_form([("grant_type", JWT_BEARER), ("assertion", &assertion)])
                        .unwrap();
                    let status = response.status().as_u16();
                    let body = response.body_mut().read_to_string().unwrap();
                    if wrong_key {
                        assert_eq!(status, 400, "request {n}: {body}");
                        assert_eq!(body, r#"{"error":"invalid_grant","error_description":"invalid assertion"}"#);
                    } else {
                        assert_eq!(status, 200, "request {n}: {body}");
                        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
                        let token = json["access_token"].as_str().unwrap().to_owned();
                        tokens.lock().unwrap().push(token);
                    }
                }
            });
        }
    });
    let tokens = tokens.into_inner().unwrap();
    assert_eq!(tokens.len(), REQUESTS * 4 / 5);
    assert_eq!(
        tokens.iter().collect::<HashSet<_>>().len(),
        tokens.len(),
        "tokens are unique"
    );
    assert_eq!(sf.grant_count(), tokens.len() as u64);
    assert_eq!(sf.requests().len(), REQUESTS);
    // Every token works.
    for token in tokens.iter().step_by(16) {
        assert_eq!(
            get(&sf, "/services/data/v62.0/limits", Some(token)).status,
            200
        );
    }
}
