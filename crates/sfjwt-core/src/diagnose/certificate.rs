//! The certificate uploaded to the app against the signing key and the clock.

use std::time::SystemTime;

use super::{EXPIRY_WARNING, Finding, Level};
use crate::key::{Certificate, PublicKey, utc_date};

/// Two findings about `cert` (called `name` in the messages, e.g. its path): is it the
/// certificate of `key` (topic `pair`; a warning when the key could not be loaded), and is it
/// valid at `now` (topic `validity`: not yet valid or expired is an error, expiring within
/// [`EXPIRY_WARNING`] a warning).
pub fn certificate(
    name: &str,
    cert: &Certificate,
    key: Option<&PublicKey>,
    now: SystemTime,
) -> Vec<Finding> {
    let subject = cert.subject();
    let pair = match key {
        Some(key) if cert.public_key() == key => Finding::new(
            Level::Ok,
            "pair",
            format!("{name} ({subject}) is the certificate of the key"),
        ),
        Some(_) => Finding::new(
            Level::Error,
            "pair",
            format!(
                "{name} ({subject}) is NOT the certificate of this key: Salesforce answers `invalid_grant: invalid assertion`; upload the certificate made from this key (or use the key it was made from)"
            ),
        ),
        None => Finding::new(Level::Warn, "pair", "not checked: the key did not load"),
    };
    vec![pair, validity(cert, now)]
}

fn validity(cert: &Certificate, now: SystemTime) -> Finding {
    let until = utc_date(cert.not_after());
    let (level, message) = if now < cert.not_before() {
        let from = utc_date(cert.not_before());
        let message =
            format!("not valid before {from}: check the clock, or make a new certificate");
        (Level::Error, message)
    } else if now > cert.not_after() {
        let message = format!(
            "expired on {until}: make a new pair (`sfjwt keygen`) and upload the certificate"
        );
        (Level::Error, message)
    } else {
        let left = cert.not_after().duration_since(now).unwrap_or_default();
        let days = left.as_secs() / 86_400;
        if left < EXPIRY_WARNING {
            let message = format!(
                "expires in {days} day(s), on {until}: plan a new certificate (`sfjwt keygen`)"
            );
            (Level::Warn, message)
        } else {
            (Level::Ok, format!("valid until {until} ({days} days)"))
        }
    };
    Finding::new(level, "validity", message)
}

#[cfg(test)]
mod tests {
    use core::time::Duration;

    use super::*;
    use crate::key::PrivateKey;

    fn cert(pem: &str) -> Certificate {
        Certificate::from_pem(pem).unwrap()
    }

    fn levels(findings: &[Finding]) -> Vec<(&'static str, Level)> {
        findings.iter().map(|f| (f.topic, f.level)).collect()
    }

    #[test]
    fn the_pair_is_graded_against_the_key() {
        let cert = cert(include_str!("../../../../testdata/keys/rsa2048.crt.pem"));
        let own = PrivateKey::from_pem(include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem"));
        let other = PrivateKey::from_pem(include_str!(
            "../../../../testdata/keys/other2048.pkcs8.pem"
        ));
        let now = cert.not_before() + Duration::from_secs(60);
        let own = own.unwrap().public_key();
        let ok = certificate("server.crt", &cert, Some(&own), now);
        assert_eq!(levels(&ok)[0], ("pair", Level::Ok));
        assert!(ok[0].message.starts_with("server.crt ("), "{ok:?}");
        let other = other.unwrap().public_key();
        let bad = certificate("server.crt", &cert, Some(&other), now);
        assert_eq!(levels(&bad)[0], ("pair", Level::Error));
        assert!(bad[0].message.contains("invalid_grant: invalid assertion"));
        let unknown = certificate("server.crt", &cert, None, now);
        assert_eq!(levels(&unknown)[0], ("pair", Level::Warn));
    }

    #[test]
    fn the_validity_is_graded_against_now() {
        let cert = cert(include_str!("../../../../testdata/keys/rsa2048.crt.pem"));
        let at = |now| certificate("c", &cert, None, now).remove(1);
        let early = at(cert.not_before() - Duration::from_secs(1));
        assert_eq!((early.topic, early.level), ("validity", Level::Error));
        assert!(early.message.starts_with("not valid before "));
        let soon = at(cert.not_after() - Duration::from_secs(86_400 * 3 + 10));
        assert_eq!(soon.level, Level::Warn);
        assert!(
            soon.message.starts_with("expires in 3 day(s), on "),
            "{soon:?}"
        );
        let expired = at(cert.not_after() + Duration::from_secs(1));
        assert_eq!(expired.level, Level::Error);
        assert!(expired.message.starts_with("expired on "));
        let fine = at(cert.not_after() - EXPIRY_WARNING - Duration::from_secs(86_400));
        assert_eq!(fine.level, Level::Ok);
        assert!(fine.message.starts_with("valid until "), "{fine:?}");
    }
}
