//! A deployable folder against the signing key: would the JWT bearer flow work once it is
//! deployed? The same findings `sfjwt check --eca` prints.

use std::time::SystemTime;

use sfjwt_core::diagnose::{Finding, Level};
use sfjwt_core::key::{PublicKey, utc_date};

use crate::{EcaFolder, PermittedUsersPolicy};

impl EcaFolder {
    /// The folder's findings at `now`: what it is (topic `eca`); whether its certificate is
    /// there, pairs with `key` (`None`: the key could not be loaded, a warning) and is not
    /// expired (`eca cert`); whether the policy pre-authorizes a permission set or profile
    /// (`eca users`); whether `sourceApiVersion` is new enough for every field (`eca api`).
    /// Any [`Level::Error`] means Salesforce would refuse the login.
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use sfjwt_core::{diagnose::Level, key::PrivateKey};
    /// use sfjwt_eca::{EcaFolder, EcaSpec};
    ///
    /// # let dir = tempfile::tempdir()?;
    /// # let out = dir.path().join("acme-eca");
    /// let now = SystemTime::now();
    /// let cert = include_bytes!("../../../testdata/keys/rsa2048.crt.pem");
    /// EcaSpec::new("acme_etl", cert, now)?.write_new(&out)?;
    /// let key = PrivateKey::from_pem(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"))?;
    /// let findings = EcaFolder::load(&out)?.check(Some(&key.public_key()), now);
    /// assert!(findings.iter().all(|f| f.level != Level::Error), "{findings:?}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check(&self, key: Option<&PublicKey>, now: SystemTime) -> Vec<Finding> {
        let what = format!(
            "{} in {} ({} metadata types)",
            self.name(),
            self.root().display(),
            self.types().len()
        );
        let mut findings = vec![Finding::new(Level::Ok, "eca", what)];
        self.check_certificate(key, now, &mut findings);
        findings.push(self.check_users());
        self.check_api_version(&mut findings);
        findings
    }

    fn check_certificate(&self, key: Option<&PublicKey>, now: SystemTime, out: &mut Vec<Finding>) {
        let finding = |level, message: String| Finding::new(level, "eca cert", message);
        let Some(cert) = self.certificate() else {
            out.push(finding(Level::Error, "no certificate in ExtlClntAppGlobalOauthSettings: it is the JWT bearer switch, without it the flow is off (write the folder with `sfjwt eca new --cert server.crt`)".to_owned()));
            return;
        };
        let subject = cert.subject();
        out.push(match key {
            Some(key) if cert.public_key() == key => finding(
                Level::Ok,
                format!("{subject} pairs with the key: the JWT bearer flow is on"),
            ),
            Some(_) => finding(
                Level::Error,
                format!("{subject} does NOT pair with the key: Salesforce would answer `invalid_grant: invalid assertion`"),
            ),
            None => finding(Level::Warn, "present; not paired: the key did not load".to_owned()),
        });
        if now > cert.not_after() {
            let until = utc_date(cert.not_after());
            out.push(finding(
                Level::Error,
                format!("expired on {until}: make a new pair (`sfjwt keygen`) and write the folder again"),
            ));
        }
    }

    fn check_users(&self) -> Finding {
        let named: Vec<String> = self
            .permission_sets()
            .iter()
            .map(|p| format!("permission set {p}"))
            .chain(self.profiles().iter().map(|p| format!("profile {p}")))
            .collect();
        let (level, message) = match self.permitted_users() {
            _ if self.pre_authorizes_holders() => (
                Level::Ok,
                format!("admin approved users are pre-authorized: {} (the guide says IDs, its sample uses names; sfjwt writes names)", named.join(", ")),
            ),
            Some(PermittedUsersPolicy::AdminApprovedPreAuthorized) => (
                Level::Error,
                "pre-authorized, but the policy names no permission set or profile: every login gets `user hasn't approved this consumer`".to_owned(),
            ),
            _ => (
                Level::Error,
                "the permitted-users policy is not AdminApprovedPreAuthorized: the JWT bearer flow gets `user hasn't approved this consumer`".to_owned(),
            ),
        };
        Finding::new(level, "eca users", message)
    }

    fn check_api_version(&self, out: &mut Vec<Finding>) {
        let Some(version) = self.api_version() else {
            let message =
                "sfdx-project.json sets no sourceApiVersion: the fields' versions were not checked";
            out.push(Finding::new(Level::Warn, "eca api", message));
            return;
        };
        let too_new = self.fields_newer_than_project();
        if too_new.is_empty() {
            let message = format!(
                "{version}: new enough for every field ({} checked)",
                self.fields().len()
            );
            out.push(Finding::new(Level::Ok, "eca api", message));
        }
        for field in too_new {
            let message = format!(
                "{}.{} needs API {} or later; sourceApiVersion is {version}: raise it in sfdx-project.json",
                field.metadata_type, field.field, field.since
            );
            out.push(Finding::new(Level::Error, "eca api", message));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sfjwt_core::key::PrivateKey;

    use super::*;
    use crate::EcaSpec;

    fn folder(now: SystemTime) -> (tempfile::TempDir, EcaFolder) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("eca");
        let cert = include_bytes!("../../../testdata/keys/rsa2048.crt.pem");
        EcaSpec::new("acme_etl", cert, now)
            .unwrap()
            .write_new(&out)
            .unwrap();
        let folder = EcaFolder::load(&out).unwrap();
        (dir, folder)
    }

    fn key(pem: &str) -> PublicKey {
        PrivateKey::from_pem(pem).unwrap().public_key()
    }

    fn cert_levels(findings: &[Finding]) -> Vec<Level> {
        let cert = findings.iter().filter(|f| f.topic == "eca cert");
        cert.map(|f| f.level).collect()
    }

    #[test]
    fn the_key_of_the_certificate_passes_every_check() {
        let now = SystemTime::now();
        let (_dir, folder) = folder(now);
        let own = key(include_str!("../../../testdata/keys/rsa2048.pkcs8.pem"));
        let findings = folder.check(Some(&own), now);
        let topics: Vec<&str> = findings.iter().map(|f| f.topic).collect();
        assert_eq!(topics, ["eca", "eca cert", "eca users", "eca api"]);
        assert!(
            findings.iter().all(|f| f.level == Level::Ok),
            "{findings:?}"
        );
    }

    #[test]
    fn another_key_a_missing_key_and_an_expiry_are_graded() {
        let now = SystemTime::now();
        let (_dir, folder) = folder(now);
        let other = key(include_str!("../../../testdata/keys/other2048.pkcs8.pem"));
        let mismatch = folder.check(Some(&other), now);
        assert_eq!(cert_levels(&mismatch), [Level::Error]);
        assert!(mismatch.iter().any(|f| f.message.contains("does NOT pair")));
        assert_eq!(cert_levels(&folder.check(None, now)), [Level::Warn]);
        let cert_end = folder.certificate().unwrap().not_after();
        let later = folder.check(None, cert_end + Duration::from_secs(1));
        assert_eq!(cert_levels(&later), [Level::Warn, Level::Error]);
    }
}
