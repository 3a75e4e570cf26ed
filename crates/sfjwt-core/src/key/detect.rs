//! Format detection: what is this input? Callers never say which format they have.
//!
//! Every loader (private key, public key, certificate) first asks this module what it was
//! given, then accepts the kinds it wants and turns every other kind into the error that
//! names it. Detection looks at the PEM label when there is one (RFC 7468 §4 lists them) and
//! otherwise at the DER structure itself.

use der::{Decode as _, Reader as _, SliceReader, asn1::AnyRef};
use zeroize::Zeroizing;

use super::KeyError;
use super::pem_text::Pem;

/// What an input is, as far as sfjwt cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// PKCS#8 `PrivateKeyInfo` (`PRIVATE KEY`), any algorithm.
    Pkcs8,
    /// PKCS#8 `EncryptedPrivateKeyInfo` (`ENCRYPTED PRIVATE KEY`).
    EncryptedPkcs8,
    /// PKCS#1 `RSAPrivateKey` (`RSA PRIVATE KEY`), maybe with legacy OpenSSL encryption.
    Pkcs1,
    /// SPKI `SubjectPublicKeyInfo` (`PUBLIC KEY`).
    Spki,
    /// PKCS#1 `RSAPublicKey` (`RSA PUBLIC KEY`).
    Pkcs1Public,
    /// An X.509 certificate.
    Certificate,
    /// A PKCS#10 certificate signing request.
    Csr,
    /// `OPENSSH PRIVATE KEY`.
    OpensshPrivate,
    /// An OpenSSH public key line (`ssh-rsa AAAA...`).
    OpensshPublic,
    /// A private key labelled with a non-RSA algorithm (`EC PRIVATE KEY`, ...).
    NonRsaPrivate(&'static str),
    /// Something else; the payload says what, for the message.
    Unknown(&'static str),
    /// A PEM block with a label sfjwt does not know.
    UnknownLabel,
}

/// The four public constructors of a type loaded from whatever it is given (a public key, a
/// certificate): from PEM, DER, bytes of either, or a file. They are the same for each type;
/// only the function named after `via`, which accepts the kinds the type wants from a
/// [`Detected`] input, differs. The doc comment of each constructor is given at the call, so
/// it can name the type's own errors.
macro_rules! detected_constructors {
    (
        via $via:ident;
        $(#[$pem:meta])* from_pem;
        $(#[$der:meta])* from_der;
        $(#[$bytes:meta])* from_bytes;
        $(#[$file:meta])* from_file;
    ) => {
        $(#[$pem])*
        pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
            Self::$via(&$crate::key::detect::detect_text(pem)?)
        }

        $(#[$der])*
        pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
            Self::$via(&$crate::key::detect::detect_der(der)?)
        }

        $(#[$bytes])*
        pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
            Self::$via(&$crate::key::detect::detect_bytes(bytes)?)
        }

        $(#[$file])*
        pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self, KeyError> {
            Self::from_bytes(&$crate::key::file::read(path.as_ref())?)
        }
    };
}
pub(crate) use detected_constructors;

/// Where the bytes of the detected thing are.
pub(crate) enum Source<'a> {
    /// A PEM block (body still encoded).
    Pem(Pem<'a>),
    /// DER bytes, already checked to be exactly one TLV.
    Der(&'a [u8]),
    /// Nothing to decode (the kind says it all).
    None,
}

/// A detected input.
pub(crate) struct Detected<'a> {
    pub(crate) kind: Kind,
    pub(crate) source: Source<'a>,
}

impl Detected<'_> {
    /// The DER bytes: the decoded PEM body or the DER input, checked to be a single TLV.
    ///
    /// # Errors
    /// [`KeyError::BadBase64`], [`KeyError::TrailingDerData`], [`KeyError::Malformed`].
    pub(crate) fn der(&self, what: &'static str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let der = match &self.source {
            Source::Pem(pem) => pem.decode()?,
            Source::Der(der) => Zeroizing::new(der.to_vec()),
            Source::None => return Err(KeyError::Malformed { what }),
        };
        single_tlv(&der).map_err(|e| match e {
            KeyError::Unrecognized { .. } => KeyError::Malformed { what },
            other => other,
        })?;
        Ok(der)
    }

    /// The label of a PEM block sfjwt does not know, sanitised for the message.
    pub(crate) fn describe_unknown(&self) -> String {
        match (&self.kind, &self.source) {
            (Kind::UnknownLabel, Source::Pem(pem)) => {
                format!("a PEM block labelled `{}`", pem.label())
            }
            (Kind::Unknown(what), _) => (*what).to_owned(),
            _ => "an unknown input".to_owned(),
        }
    }
}

/// Like [`detect_bytes`], for callers that promised DER: PEM text is refused with a pointer
/// to the right constructor.
pub(crate) fn detect_der(der: &[u8]) -> Result<Detected<'_>, KeyError> {
    let detected = detect_bytes(der)?;
    if matches!(detected.source, Source::Pem(_)) {
        return Err(KeyError::Unrecognized {
            found: "PEM text where DER was expected (use `from_pem` or `from_bytes`)".into(),
        });
    }
    Ok(detected)
}

/// Detects what `bytes` are: PEM text (possibly with leading explanatory text) or DER.
///
/// # Errors
/// [`KeyError::Empty`] for empty input; PEM structure errors from [`detect_text`];
/// [`KeyError::TrailingDerData`]; [`KeyError::Unrecognized`] for binary junk.
pub(crate) fn detect_bytes(bytes: &[u8]) -> Result<Detected<'_>, KeyError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(KeyError::Empty);
    }
    // DER always starts with a SEQUENCE tag for every structure we read (X.690 §8.9).
    if bytes.first() == Some(&0x30) {
        let der = single_tlv(bytes)?;
        return Ok(Detected {
            kind: der_kind(der),
            source: Source::Der(der),
        });
    }
    match core::str::from_utf8(bytes) {
        Ok(text) => detect_text(text),
        Err(_) => Err(KeyError::Unrecognized {
            found: "binary data that is neither PEM text nor DER".into(),
        }),
    }
}

/// Detects what PEM `text` is, from its label; for text without a BEGIN line, says what the
/// text looks like instead.
///
/// # Errors
/// [`KeyError::Empty`], [`KeyError::TruncatedPem`], [`KeyError::TrailingPemData`],
/// [`KeyError::Unrecognized`].
pub(crate) fn detect_text(text: &str) -> Result<Detected<'_>, KeyError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(KeyError::Empty);
    }
    if let Some(pem) = Pem::find(text)? {
        return Ok(Detected {
            kind: label_kind(pem.label()),
            source: Source::Pem(pem),
        });
    }
    let kind = if trimmed.starts_with("ssh-") || trimmed.starts_with("ecdsa-sha2-") {
        Kind::OpensshPublic
    } else if trimmed.starts_with("PuTTY-User-Key-File") {
        Kind::Unknown(
            "a PuTTY .ppk key (export it with `puttygen key.ppk -O private-openssh -o key.pem`)",
        )
    } else if looks_like_path(trimmed) {
        Kind::Unknown("what looks like a file path, not PEM text (load files with `from_file`)")
    } else {
        Kind::Unknown("text without a `-----BEGIN ...-----` line")
    };
    Ok(Detected {
        kind,
        source: Source::None,
    })
}

fn looks_like_path(text: &str) -> bool {
    !text.contains('\n')
        && (text.starts_with('/')
            || text.starts_with("./")
            || text.starts_with("~/")
            || text.contains(":\\")
            || [".pem", ".key", ".der", ".crt", ".p8"]
                .iter()
                .any(|ext| text.ends_with(ext)))
}

/// The kind a PEM label announces (RFC 7468 §4–§13, plus the OpenSSL and OpenSSH ones).
fn label_kind(label: &str) -> Kind {
    match label {
        "PRIVATE KEY" => Kind::Pkcs8,
        "ENCRYPTED PRIVATE KEY" => Kind::EncryptedPkcs8,
        "RSA PRIVATE KEY" => Kind::Pkcs1,
        "PUBLIC KEY" => Kind::Spki,
        "RSA PUBLIC KEY" => Kind::Pkcs1Public,
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => Kind::Certificate,
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => Kind::Csr,
        "OPENSSH PRIVATE KEY" => Kind::OpensshPrivate,
        "EC PRIVATE KEY" => Kind::NonRsaPrivate("EC (ECDSA)"),
        "DSA PRIVATE KEY" => Kind::NonRsaPrivate("DSA"),
        "PGP PRIVATE KEY BLOCK" => {
            Kind::Unknown("a PGP private key (Salesforce needs an RSA key in PEM)")
        }
        _ => Kind::UnknownLabel,
    }
}

/// Checks that `bytes` is exactly one DER TLV and returns it.
///
/// # Errors
/// [`KeyError::TrailingDerData`] when bytes follow it; [`KeyError::Unrecognized`] when it is
/// not DER at all.
fn single_tlv(bytes: &[u8]) -> Result<&[u8], KeyError> {
    let not_der = || KeyError::Unrecognized {
        found: "binary data that is neither PEM text nor DER".into(),
    };
    let mut reader = SliceReader::new(bytes).map_err(|_| not_der())?;
    let _tlv: AnyRef<'_> = reader.decode().map_err(|_| not_der())?;
    let extra = usize::try_from(reader.remaining_len()).map_err(|_| not_der())?;
    if extra > 0 {
        return Err(KeyError::TrailingDerData { extra });
    }
    Ok(bytes)
}

/// The kind of a DER structure, by trying each structure sfjwt knows. These are distinct ASN.1
/// shapes, so at most one matches.
fn der_kind(der: &[u8]) -> Kind {
    if pkcs8::PrivateKeyInfoRef::from_der(der).is_ok() {
        Kind::Pkcs8
    } else if pkcs1::RsaPrivateKeyRef::from_der(der).is_ok() {
        Kind::Pkcs1
    } else if super::pkcs8_encrypted::looks_encrypted(der) {
        Kind::EncryptedPkcs8
    } else if spki::SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        Kind::Spki
    } else if pkcs1::RsaPublicKeyRef::from_der(der).is_ok() {
        Kind::Pkcs1Public
    } else if x509_cert::Certificate::from_der(der).is_ok() {
        Kind::Certificate
    } else if x509_cert::request::CertReq::from_der(der).is_ok() {
        Kind::Csr
    } else if is_sec1_ec_key(der) {
        Kind::NonRsaPrivate("EC (ECDSA)")
    } else {
        Kind::Unknown("DER that is not a key, certificate or certificate request")
    }
}

/// SEC1 `ECPrivateKey` (RFC 5915 §3): `SEQUENCE { INTEGER 1, OCTET STRING, ... }`.
fn is_sec1_ec_key(der: &[u8]) -> bool {
    let Ok(any) = AnyRef::from_der(der) else {
        return false;
    };
    any.sequence(|r| {
        let version: u8 = r.decode()?;
        let _key: &der::asn1::OctetStringRef = r.decode()?;
        // Skip the optional parameters and public key.
        while !r.is_finished() {
            let _: AnyRef<'_> = r.decode()?;
        }
        Ok::<_, der::Error>(version == 1)
    })
    .unwrap_or(false)
}
