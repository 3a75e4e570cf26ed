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
use std::time::{Duration, SystemTime};

use der::pem::LineEnding;
use pkcs8::EncodePrivateKey as _;
use sfjwt_core::key::{CertificateError, CertificateSpec, PrivateKey, self_signed_certificate};
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
    let key = PrivateKey::from_der(der.as_bytes()).map_err(|e| failed("PKCS#8 key", e))?;
    let cert_pem = certificate(&key, spec)?;
    Ok(Generated { key_pem, cert_pem })
}

/// The self-signed certificate of `key`, made by the core as for a key kept in a vault.
fn certificate(key: &PrivateKey, spec: &Spec<'_>) -> CliResult<String> {
    let valid_for = Duration::from_secs(u64::from(spec.days) * 86_400);
    let cert_spec = CertificateSpec::new(spec.common_name).valid_for(valid_for);
    self_signed_certificate(key, &key.public_key(), &cert_spec, SystemTime::now()).map_err(|e| {
        match e {
            CertificateError::Subject { .. } => CliError::local(e.to_string())
                .hint("use letters, digits, spaces and dashes, e.g. --subject 'acme integration'"),
            _ => failed("certificate", e),
        }
    })
}

/// Writes `server.key` (0600) and `server.crt` into `dir` (made by [`create_out_dir`]);
/// refuses to replace either unless `force`. Returns their paths. A failure leaves neither.
pub(crate) fn write(
    dir: &Path,
    generated: &Generated,
    force: bool,
) -> CliResult<(PathBuf, PathBuf)> {
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
    write_file(&cert_path, generated.cert_pem.as_bytes(), 0o644, force).inspect_err(|_| {
        // A key without its certificate is half a pair: not left behind.
        let _ = std::fs::remove_file(&key_path);
    })?;
    Ok((key_path, cert_path))
}

/// Writes `server.crt` alone into `dir` (made by [`create_out_dir`]; for a key kept in a
/// vault); refuses to replace it unless `force`. Returns its path.
pub(crate) fn write_certificate(dir: &Path, cert_pem: &str, force: bool) -> CliResult<PathBuf> {
    let cert_path = dir.join(CERT_FILE);
    if !force && cert_path.exists() {
        return Err(CliError::local(format!("{} already exists; not overwriting it", cert_path.display()))
            .hint("pass --force to replace it (upload the new one to the app), or choose another --out-dir"));
    }
    write_file(&cert_path, cert_pem.as_bytes(), 0o644, force)?;
    Ok(cert_path)
}

/// The directories [`create_out_dir`] made (deepest first). Dropped, it removes those that
/// are still empty: a command that failed (and removed what it wrote) leaves no directory
/// behind, while one that succeeded has filled them, so they stay.
#[derive(Debug)]
pub(crate) struct OutDir {
    created: Vec<PathBuf>,
}

impl Drop for OutDir {
    fn drop(&mut self) {
        for dir in &self.created {
            // Only an empty directory is removed: never anything someone put there.
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Creates `dir` and its missing parents with mode 0700 — a key is about to be written there,
/// and under `umask 000` the default would be 0777 — remembering which ones it made.
pub(crate) fn create_out_dir(dir: &Path) -> CliResult<OutDir> {
    let created: Vec<PathBuf> = dir
        .ancestors()
        .take_while(|d| !d.as_os_str().is_empty() && std::fs::symlink_metadata(d).is_err())
        .map(Path::to_path_buf)
        .collect();
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    // The umask can only take bits away from 0700: never more open, whatever it is.
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    let guard = OutDir { created };
    builder.create(dir).map_err(|e| {
        CliError::local(format!(
            "cannot create the directory {}: {e}",
            dir.display()
        ))
        .hint("choose another --out-dir")
    })?;
    Ok(guard)
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
    fn generated_pair_loads_in_the_core() {
        let generated = generate(&Spec {
            bits: 2048,
            days: 2,
            common_name: "unit, test",
            passphrase: Some("pw"),
        })
        .unwrap();
        let pass = sfjwt_core::key::Passphrase::from("pw");
        let key = PrivateKey::from_pem_with_passphrase(&generated.key_pem, &pass).unwrap();
        let cert = sfjwt_core::key::Certificate::from_pem(&generated.cert_pem).unwrap();
        assert!(cert.is_pair_of(&key));
        assert_eq!(cert.subject(), "CN=unit\\, test");
        assert!(cert.is_valid_at(SystemTime::now()));
        assert!(!cert.is_valid_at(SystemTime::now() + Duration::from_secs(3 * 86_400)));
    }
}
