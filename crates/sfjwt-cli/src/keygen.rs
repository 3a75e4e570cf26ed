//! Making a key pair for the connected app: what the tutorial's five openssl commands did
//! (`genrsa -des3`, `rsa`, `req`, `x509 -req -sha256`), in one step and without the traps
//! its readers fell into (an unencrypted copy of the key, a CSR nobody needs, DES3).
//!
//! - The key is RSA from the OS random source, written as PKCS#8 PEM (RFC 5208); with a
//!   passphrase it is encrypted with PBES2 (RFC 8018 §6.2): PBKDF2-HMAC-SHA256 with 600 000
//!   rounds (OWASP 2023) and AES-256-CBC, which OpenSSL 1.1+, Java and the sfjwt core read.
//! - The certificate is a self-signed X.509 v3 certificate (RFC 5280) signed
//!   sha256WithRSAEncryption, as Salesforce expects under "Use digital signatures".
//! - Files are created exclusively (never overwritten unless asked), the key with mode 0600.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr as _;
use std::time::{Duration, SystemTime};

use der::EncodePem as _;
use der::pem::LineEnding;
use pkcs8::EncodePrivateKey as _;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder as _, CertificateBuilder};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages, SubjectKeyIdentifier};
use x509_cert::ext::{Extension, ToExtension as _};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use zeroize::Zeroizing;

use crate::error::{CliError, CliResult};

/// The file names the tutorial (and every Salesforce guide) uses.
pub(crate) const KEY_FILE: &str = "server.key";
/// See [`KEY_FILE`].
pub(crate) const CERT_FILE: &str = "server.crt";

/// A freshly generated key (PEM, possibly encrypted) and its certificate (PEM).
pub(crate) struct Generated {
    pub(crate) key_pem: Zeroizing<String>,
    pub(crate) cert_pem: String,
}

/// What to generate.
pub(crate) struct Spec<'a> {
    pub(crate) bits: usize,
    pub(crate) days: u32,
    pub(crate) common_name: &'a str,
    pub(crate) passphrase: Option<&'a str>,
}

fn failed(what: &str, detail: impl std::fmt::Display) -> CliError {
    CliError::local(format!("cannot generate the {what}: {detail}"))
        .hint("this should not happen; check that the system random source (getrandom) works")
}

/// Generates a key and a self-signed certificate for it.
pub(crate) fn generate(spec: &Spec<'_>) -> CliResult<Generated> {
    let mut rng = getrandom::SysRng;
    let key = rsa::PrivateKey::new(&mut rng, spec.bits).map_err(|e| failed("RSA key", e))?;
    let der = key.to_pkcs8_der().map_err(|e| failed("PKCS#8 key", e))?;
    let key_pem = match spec.passphrase {
        None => der
            .to_pem("PRIVATE KEY", LineEnding::LF)
            .map_err(|e| failed("PEM key", e))?,
        Some(passphrase) => {
            let info = pkcs8::PrivateKeyInfoRef::try_from(der.as_bytes())
                .map_err(|e| failed("PKCS#8 key", e))?;
            let params = pkcs8::pkcs5::pbes2::Parameters::generate_pbkdf2(&mut rng)
                .map_err(|e| failed("encryption parameters", e))?;
            info.encrypt_with_params(params, passphrase.as_bytes())
                .map_err(|e| failed("encrypted key", e))?
                .to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
                .map_err(|e| failed("PEM key", e))?
        }
    };
    let cert_pem = certificate(&key, spec)?;
    Ok(Generated { key_pem, cert_pem })
}

fn certificate(key: &rsa::PrivateKey, spec: &Spec<'_>) -> CliResult<String> {
    let subject = Name::from_str(&format!("CN={}", escape_rdn(spec.common_name))).map_err(|e| {
        CliError::local(format!(
            "the subject {:?} is not a usable common name: {e}",
            spec.common_name
        ))
        .hint("use letters, digits, spaces and dashes, e.g. --subject 'acme integration'")
    })?;
    let spki = spki::SubjectPublicKeyInfoOwned::from_key(&key.to_public_key())
        .map_err(|e| failed("certificate's public key", e))?;
    // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets, unique per issuer; 16 random
    // bytes with the top bit cleared are positive and will not repeat.
    let mut serial = [0u8; 16];
    getrandom::fill(&mut serial).map_err(|e| failed("serial number", e))?;
    serial[0] &= 0x7f;
    serial[0] |= 0x01 << 6;
    let serial = SerialNumber::new(&serial).map_err(|e| failed("serial number", e))?;
    // Backdate a minute so a server whose clock is slightly behind accepts it at once.
    let now = SystemTime::now();
    let not_before = now.checked_sub(Duration::from_secs(60)).unwrap_or(now);
    let not_after = now + Duration::from_secs(u64::from(spec.days) * 86_400);
    let validity = Validity::new(
        Time::try_from(not_before).map_err(|e| failed("validity", e))?,
        Time::try_from(not_after).map_err(|e| failed("validity", e))?,
    );
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone());
    let builder = CertificateBuilder::new(SelfSigned { subject }, serial, validity, spki)
        .map_err(|e| failed("certificate", e))?;
    let cert = builder
        .build::<_, rsa::pkcs1v15::Signature>(&signer)
        .map_err(|e| failed("certificate", e))?;
    cert.to_pem(LineEnding::LF)
        .map_err(|e| failed("PEM certificate", e))
}

/// RFC 4514 §2.4 escaping, so any common name parses as exactly one CN attribute.
fn escape_rdn(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && matches!(c, '#' | ' '))
            || (i == last && c == ' ');
        if special {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A self-signed end-entity certificate: issuer = subject, not a CA, for digital signatures.
struct SelfSigned {
    subject: Name,
}

impl BuilderProfile for SelfSigned {
    fn get_issuer(&self, subject: &Name) -> Name {
        subject.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        tbs: &x509_cert::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut extensions = Vec::new();
        let ski = SubjectKeyIdentifier::try_from(spk)?;
        extensions.push(
            BasicConstraints {
                ca: false,
                path_len_constraint: None,
            }
            .to_extension(tbs.subject(), &extensions)?,
        );
        extensions.push(
            KeyUsage(KeyUsages::DigitalSignature.into())
                .to_extension(tbs.subject(), &extensions)?,
        );
        extensions.push(ski.to_extension(tbs.subject(), &extensions)?);
        Ok(extensions)
    }
}

/// Writes `server.key` (0600) and `server.crt` into `dir`; refuses to replace either unless
/// `force`. Returns their paths.
pub(crate) fn write(
    dir: &Path,
    generated: &Generated,
    force: bool,
) -> CliResult<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir).map_err(|e| {
        CliError::local(format!(
            "cannot create the directory {}: {e}",
            dir.display()
        ))
        .hint("choose another --out-dir")
    })?;
    let key_path = dir.join(KEY_FILE);
    let cert_path = dir.join(CERT_FILE);
    // Check both before writing either, so a refusal leaves no half-written pair.
    if !force {
        for path in [&key_path, &cert_path] {
            if path.exists() {
                return Err(CliError::local(format!("{} already exists; not overwriting it", path.display()))
                    .hint("pass --force to replace the pair (the old key stops working once its certificate is replaced in the app), or choose another --out-dir"));
            }
        }
    }
    write_file(&key_path, generated.key_pem.as_bytes(), 0o600, force)?;
    write_file(&cert_path, generated.cert_pem.as_bytes(), 0o644, force)?;
    Ok((key_path, cert_path))
}

/// Writes `server.crt` alone into `dir` (for a key kept in a vault); refuses to replace it
/// unless `force`. Returns its path.
pub(crate) fn write_certificate(dir: &Path, cert_pem: &str, force: bool) -> CliResult<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| {
        CliError::local(format!(
            "cannot create the directory {}: {e}",
            dir.display()
        ))
        .hint("choose another --out-dir")
    })?;
    let cert_path = dir.join(CERT_FILE);
    if !force && cert_path.exists() {
        return Err(CliError::local(format!("{} already exists; not overwriting it", cert_path.display()))
            .hint("pass --force to replace it (upload the new one to the app), or choose another --out-dir"));
    }
    write_file(&cert_path, cert_pem.as_bytes(), 0o644, force)?;
    Ok(cert_path)
}

fn write_file(path: &Path, contents: &[u8], mode: u32, force: bool) -> CliResult {
    let fail = |e: std::io::Error| {
        CliError::local(format!("cannot write {}: {e}", path.display()))
            .hint("check the directory's permissions, or choose another --out-dir")
    };
    if force {
        // Remove first: the mode of an existing file would survive a truncating open.
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(fail(e)),
        }
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(fail)?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rdn_escaping() {
        assert_eq!(escape_rdn("acme, inc"), "acme\\, inc");
        assert_eq!(escape_rdn("#1 "), "\\#1\\ ");
        assert_eq!(escape_rdn("a=b+c"), "a\\=b\\+c");
    }

    #[test]
    fn generated_pair_loads_in_the_core() {
        let generated = generate(&Spec {
            bits: 2048,
            days: 2,
            common_name: "unit, test",
            passphrase: Some("pw"),
        })
        .unwrap();
        let pass = sfjwt_core::key::Passphrase::from("pw");
        let key = sfjwt_core::key::PrivateKey::from_pem_with_passphrase(&generated.key_pem, &pass)
            .unwrap();
        let cert = sfjwt_core::key::Certificate::from_pem(&generated.cert_pem).unwrap();
        assert!(cert.is_pair_of(&key));
        assert_eq!(cert.subject(), "CN=unit\\, test");
        assert!(cert.is_valid_at(SystemTime::now()));
        assert!(!cert.is_valid_at(SystemTime::now() + Duration::from_secs(3 * 86_400)));
    }
}
