//! Reading the certificate file: one certificate (PEM or DER), or a PEM chain with the key's
//! own certificate first, kept whole as the keystore entry's chain.

use std::io::Read as _;
use std::path::Path;

use der::{Decode as _, Encode as _};
use sfjwt_core::key::Certificate;

use crate::error::{CliError, CliResult};

/// No certificate chain is anywhere near this large; a bigger file is the wrong file.
const MAX_CERT_FILE: u64 = 1024 * 1024;

const PEM_CERT_BEGIN: &str = "-----BEGIN CERTIFICATE-----";

/// The DER certificates in `path`, in file order.
///
/// # Errors
/// Exit 2 when the file cannot be read or holds something other than certificates (the
/// message says what it found, e.g. a private key).
pub(crate) fn read_chain(path: &Path) -> CliResult<Vec<Vec<u8>>> {
    let shown = path.display();
    let unreadable = |e: std::io::Error| {
        CliError::local(format!("cannot read the certificate {shown}: {e}")).hint(
            "pass --cert PATH, the certificate made with the key (server.crt from `sfjwt keygen`)",
        )
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_CERT_FILE + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_CERT_FILE {
        return Err(
            CliError::local(format!("{shown} is larger than 1 MiB: not a certificate"))
                .hint("pass --cert PATH, the certificate made with the key (server.crt)"),
        );
    }
    parse_chain(&bytes).map_err(|message| {
        CliError::local(format!("cannot use {shown} as the certificate: {message}")).hint(
            "pass the certificate made with the key (server.crt from `sfjwt keygen`), PEM or DER",
        )
    })
}

/// The DER certificates of PEM text (`keygen`'s freshly made certificate).
///
/// # Errors
/// Exit 2 if the text is not a PEM certificate chain.
pub(crate) fn chain_from_pem(pem: &str) -> CliResult<Vec<Vec<u8>>> {
    parse_chain(pem.as_bytes()).map_err(|message| {
        CliError::local(format!("cannot read the certificate back: {message}"))
            .hint("this should not happen; please report it")
    })
}

/// A PEM chain goes through `x509-cert`; anything else through the core's detection, whose
/// errors say what the file is instead (a key, a CSR, …).
fn parse_chain(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let is_pem_chain =
        std::str::from_utf8(bytes).is_ok_and(|text| text.trim_start().starts_with(PEM_CERT_BEGIN));
    if is_pem_chain {
        let certs = x509_cert::Certificate::load_pem_chain(bytes)
            .map_err(|e| format!("a PEM certificate does not parse ({e})"))?;
        return certs
            .iter()
            .map(|cert| cert.to_der().map_err(|e| e.to_string()))
            .collect();
    }
    // One certificate, DER (or PEM the core can explain better).
    Certificate::from_bytes(bytes).map_err(|e| e.to_string())?;
    let cert = x509_cert::Certificate::from_der(bytes).map_err(|e| e.to_string())?;
    Ok(vec![cert.to_der().map_err(|e| e.to_string())?])
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../../../../testdata/keys/rsa2048.crt.pem");
    const KEY: &str = include_str!("../../../../testdata/keys/rsa2048.pkcs8.pem");

    #[test]
    fn single_pem_and_its_der_read_the_same() {
        let pem = parse_chain(CERT.as_bytes()).unwrap();
        assert_eq!(pem.len(), 1);
        assert_eq!(parse_chain(&pem[0]).unwrap(), pem);
    }

    #[test]
    fn a_chain_keeps_its_order() {
        let other = include_str!("../../../../testdata/keys/rsa3072.crt.pem");
        let both = format!("{CERT}{other}");
        let chain = parse_chain(both.as_bytes()).unwrap();
        assert_eq!(chain.len(), 2);
        assert_eq!(chain[0], parse_chain(CERT.as_bytes()).unwrap()[0]);
    }

    #[test]
    fn a_key_is_named_as_a_key() {
        let message = parse_chain(KEY.as_bytes()).unwrap_err();
        assert!(message.contains("private key"), "{message}");
    }
}
