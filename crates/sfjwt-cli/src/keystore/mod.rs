//! A Java KeyStore that Salesforce's *Import from Keystore* takes on the first try: the key and
//! certificate of the JWT bearer flow, for Apex in one org to call another
//! (`Auth.JWS(jwt, 'alias')`).
//!
//! Every check here prevents an import failure that Salesforce documents or its users report
//! (Salesforce Help, "Export and Import Certificates with a Keystore"; Knowledge Article
//! 000387714; the tutorial readers' "Data Not Available"):
//!
//! | import failure | prevented by |
//! |---|---|
//! | the file is PKCS#12 (what `keytool` writes by default since Java 9) renamed `.jks` | we write JKS (magic `0xFEEDFEED`) |
//! | no PrivateKey entry, or a null certificate | exactly one private-key entry with its chain |
//! | not an RSA key; not PKCS#8 | the core loads RSA keys only; the entry holds PKCS#8 |
//! | key size not 2048, 3072 or 4096 bits | refused ([`SALESFORCE_KEY_BITS`]) |
//! | the private key does not match the certificate chain | refused (the first certificate must be the key's pair) |
//! | the key password differs from the keystore password | one password for both |
//! | an alias that is not a valid Unique Name (`1` from `openssl pkcs12`) | refused, with a valid name ([`Alias`]) |
//! | a mixed-case alias, which Java lists but cannot look up | lower case only |
//! | an expired certificate (Apex's signature would be refused anyway) | refused; not yet valid: warned |
//! | a password shorter than `keytool` accepts | at least [`MIN_PASSWORD_CHARS`] characters |
//!
//! What cannot be checked from here is said in the printed import steps: the name must not
//! already exist in the org, and the user needs the "Manage Certificates" permission.

mod alias;
mod certs;
mod write;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sfjwt_core::key::{Certificate, PrivateKey};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

pub(crate) use alias::Alias;
pub(crate) use certs::{chain_from_pem, read_chain};

use crate::error::{CliError, CliResult};
use crate::jks;

/// The key sizes Salesforce imports (Help: "Imported keys must have a bit size of 2048, 3072,
/// or 4096").
pub(crate) const SALESFORCE_KEY_BITS: [usize; 3] = [2048, 3072, 4096];

/// `keytool`'s minimum for store and key passwords; Salesforce documents none of its own, and
/// a shorter one could not be opened again with `keytool`.
pub(crate) const MIN_PASSWORD_CHARS: usize = 6;

/// Warn when the certificate expires within this long.
const EXPIRY_WARNING: Duration = Duration::from_secs(30 * 86_400);

/// Where and how to write one keystore: validated before any key is read or made, so a bad
/// alias or password costs nothing and leaves nothing behind.
pub(crate) struct Target {
    path: PathBuf,
    alias: Alias,
    password: Zeroizing<String>,
    password_env: String,
    replace: bool,
}

/// A keystore encoded in memory, and what to tell the user about it.
pub(crate) struct Built {
    bytes: Zeroizing<Vec<u8>>,
    /// The leaf certificate's subject, e.g. `CN=sfjwt`.
    pub(crate) subject: String,
    /// `notAfter` of the leaf certificate.
    pub(crate) not_after: SystemTime,
    /// The key size in bits.
    pub(crate) bits: usize,
    /// How many certificates the chain holds (1 for a self-signed certificate).
    pub(crate) chain_len: usize,
    /// SHA-256 of the leaf certificate, as `keytool -list` prints it (`AB:CD:…`).
    pub(crate) fingerprint: String,
    /// Things that will not stop the import but may surprise later.
    pub(crate) warnings: Vec<String>,
}

impl Target {
    /// Checks the alias and the password (from the environment variable `password_env`), and
    /// that `path` can be created (`replace`: whether an existing file may be replaced).
    ///
    /// # Errors
    /// Exit 2 for an invalid alias, an unset or short password, an existing file.
    pub(crate) fn new(
        path: &Path,
        alias: &str,
        password_env: &str,
        replace: bool,
    ) -> CliResult<Self> {
        let alias = Alias::parse(alias)?;
        let password = password_from_env(password_env)?;
        if !replace {
            write::refuse_existing(path)?;
        }
        Ok(Self {
            path: path.to_owned(),
            alias,
            password,
            password_env: password_env.to_owned(),
            replace,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn alias(&self) -> &str {
        self.alias.as_str()
    }

    /// The name of the environment variable that holds the password (never the password).
    pub(crate) fn password_env(&self) -> &str {
        &self.password_env
    }

    /// Encodes the keystore for `key` and `chain` (DER, the key's own certificate first),
    /// checking them as Salesforce's import will.
    ///
    /// # Errors
    /// Exit 2 when the key size is not one Salesforce imports, the first certificate is not
    /// the key's pair, or it has expired.
    pub(crate) fn build(
        &self,
        key: &PrivateKey,
        chain: &[Vec<u8>],
        now: SystemTime,
    ) -> CliResult<Built> {
        if !SALESFORCE_KEY_BITS.contains(&key.bits()) {
            return Err(CliError::local(format!(
                "the key is {} bits; Salesforce imports only 2048-, 3072- and 4096-bit RSA keys",
                key.bits()
            ))
            .hint("make a new pair with `sfjwt keygen --bits 2048` (or 3072, 4096)"));
        }
        let leaf_der = chain
            .first()
            .ok_or_else(|| CliError::local("the certificate file holds no certificate"))?;
        let leaf = Certificate::from_der(leaf_der).map_err(|e| {
            CliError::local(format!("cannot use the certificate: {e}"))
                .hint("pass the certificate made with the key (server.crt from `sfjwt keygen`)")
        })?;
        if !leaf.is_pair_of(key) {
            let message = if chain.len() > 1 {
                "the first certificate in the file is not the pair of the private key"
            } else {
                "the certificate and the private key are not a pair (different public keys)"
            };
            return Err(CliError::local(message).hint(
                "pass the certificate made from this key (its own certificate first in a chain); `sfjwt check --key-file KEY --cert CERT` compares them",
            ));
        }
        let mut warnings = Vec::new();
        let until = crate::commands::check::format_date(leaf.not_after());
        if now > leaf.not_after() {
            return Err(CliError::local(format!(
                "the certificate expired on {until}; Salesforce would refuse every assertion signed with it"
            ))
            .hint("make a new pair with `sfjwt keygen --keystore …` and upload the new certificate to the connected app"));
        }
        if now < leaf.not_before() {
            warnings.push(format!(
                "the certificate is not valid before {} (check this machine's clock)",
                crate::commands::check::format_date(leaf.not_before())
            ));
        } else if leaf.not_after().duration_since(now).unwrap_or_default() < EXPIRY_WARNING {
            warnings.push(format!(
                "the certificate expires soon, on {until}: plan its replacement"
            ));
        }

        let pkcs8 = key.to_pkcs8_der().map_err(|e| {
            CliError::local(format!("cannot encode the private key: {e}"))
                .hint("check the key with `sfjwt check`")
        })?;
        let mut salt = [0u8; jks::protector::SALT_LEN];
        getrandom::fill(&mut salt).map_err(|e| {
            CliError::local(format!("cannot read the system random source: {e}"))
                .hint("this should not happen; check that getrandom works on this system")
        })?;
        let entry = jks::KeyEntry {
            alias: self.alias.as_str(),
            created: now,
            pkcs8: &pkcs8,
            chain,
        };
        let bytes = jks::encode(&entry, &self.password, &salt)
            .map_err(|e| CliError::local(format!("cannot encode the keystore: {e}")))?;
        Ok(Built {
            bytes: Zeroizing::new(bytes),
            subject: leaf.subject().to_owned(),
            not_after: leaf.not_after(),
            bits: key.bits(),
            chain_len: chain.len(),
            fingerprint: fingerprint(leaf_der),
            warnings,
        })
    }

    /// Writes the keystore: a temporary file (mode 0600) in the same directory, renamed into
    /// place once complete, so a failure at any point leaves no file behind.
    ///
    /// # Errors
    /// Exit 2 when the directory is missing or not writable, or the file appeared meanwhile.
    pub(crate) fn write(&self, built: &Built) -> CliResult {
        write::atomically(&self.path, &built.bytes, self.replace)
    }
}

/// Reads the keystore password from the environment variable `var`.
fn password_from_env(var: &str) -> CliResult<Zeroizing<String>> {
    let password = match std::env::var(var) {
        Ok(value) => Zeroizing::new(value),
        Err(std::env::VarError::NotPresent) => {
            return Err(CliError::local(format!(
                "the environment variable {var} (from --password-env) is not set"
            ))
            .hint(format!(
                "export {var}='…' with the keystore password ({MIN_PASSWORD_CHARS} characters or more); --password-env takes the variable's name, not the password"
            )));
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(CliError::local(format!(
                "the environment variable {var} (from --password-env) is not valid UTF-8"
            ))
            .hint("set it to the keystore password as text"));
        }
    };
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(CliError::local(format!(
            "the keystore password in {var} has {chars} character(s); keytool and Salesforce's import need at least {MIN_PASSWORD_CHARS}"
        ))
        .hint(format!(
            "export {var}='…' with a longer password (you type it again in Salesforce's Import from Keystore)"
        )));
    }
    Ok(password)
}

/// SHA-256 of a DER certificate as colon-separated upper-case hex, like `keytool -list`.
fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_keytool_style() {
        assert_eq!(
            fingerprint(b"abc"),
            "BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
        );
    }
}
