//! [`KeyError`]: one variant per thing that goes wrong when people load keys.
//!
//! The messages are the product here: each says what was found and what to do. They are built
//! only from fixed text, PEM labels, OIDs, sizes, line numbers and file paths, never from key
//! bytes or the passphrase (tests/keys.rs checks that).
//!
//! Each message holds the whole fact and `source()` is `None`
//! ([error convention](crate::manual::errors#error-convention)).

use std::io::ErrorKind;
use std::path::PathBuf;

use super::MIN_RSA_BITS;

/// Why a key or certificate could not be loaded.
///
/// Every variant says what was found and what to do about it. No variant ever contains key
/// material or a passphrase.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The input was empty or only whitespace. Usually an unset environment variable or a
    /// variable set to the empty string.
    Empty,
    /// The key file does not exist. Usually a relative path resolved against an unexpected
    /// working directory, or a typo.
    FileNotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// The key file exists but could not be read: permissions, a directory.
    FileUnreadable {
        /// The path as given.
        path: PathBuf,
        /// What the operating system said.
        kind: ErrorKind,
    },
    /// The file is larger than [`MAX_FILE_BYTES`](super::MAX_FILE_BYTES) (1 MiB), more than
    /// any key or certificate could be: the wrong file, or a device such as `/dev/zero`.
    /// Reading stopped at the limit.
    FileTooLarge {
        /// The path as given.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The key file is empty (or only whitespace). Usually a failed `openssl` run that
    /// redirected its (empty) output into the file.
    FileEmpty {
        /// The path as given.
        path: PathBuf,
    },
    /// A PEM `-----BEGIN ...-----` line without its matching `-----END ...-----` line. Usually a
    /// copy-paste that stopped early, or an environment variable cut at the first newline.
    TruncatedPem {
        /// The label of the BEGIN line.
        label: String,
    },
    /// The PEM body is not valid base64. Usually an edit in the middle of the file, or
    /// characters added by a chat tool or word processor.
    BadBase64 {
        /// The 1-based line of the input with the first bad character, when one can be named.
        line: Option<usize>,
    },
    /// Text follows the PEM `END` line. Usually two files concatenated (a key and its
    /// certificate) or leftovers from an editor.
    TrailingPemData {
        /// The 1-based line of the input where the extra text starts.
        line: usize,
        /// Whether the extra text is another PEM block.
        another_block: bool,
    },
    /// Bytes follow the end of the DER structure. Usually a damaged or concatenated file.
    TrailingDerData {
        /// How many extra bytes there are.
        extra: usize,
    },
    /// The input has the right shape (PEM label, DER outline) but its content does not parse.
    /// Usually a damaged file.
    Malformed {
        /// The structure that failed to parse.
        what: &'static str,
    },
    /// The input is nothing sfjwt recognises: not PEM, not DER.
    Unrecognized {
        /// What was found, for the message.
        found: String,
    },
    /// An X.509 certificate was given where the private key belongs. The certificate is the
    /// public half uploaded to the connected app; the signer needs the private key it was made
    /// from.
    CertificateNotPrivateKey,
    /// A certificate signing request was given where the private key belongs.
    CsrNotPrivateKey,
    /// A public key was given where the private key belongs.
    PublicKeyNotPrivateKey,
    /// A private key was given where a public key or certificate belongs.
    PrivateKeyNotPublic,
    /// Something other than a certificate was given to the certificate loader.
    NotACertificate {
        /// What was found instead.
        found: &'static str,
    },
    /// Something other than a public key was given to the public-key loader.
    NotAPublicKey {
        /// What was found instead.
        found: &'static str,
    },
    /// An OpenSSH-format private key (`-----BEGIN OPENSSH PRIVATE KEY-----`), as `ssh-keygen`
    /// writes by default. It must be converted to PEM first.
    OpensshPrivateKey,
    /// A key (or certificate) for an algorithm other than RSA: EC, Ed25519, DSA, RSA-PSS...
    /// Salesforce's JWT bearer flow only accepts RS256.
    NotRsa {
        /// The algorithm found.
        algorithm: String,
    },
    /// The key is encrypted and no passphrase was given.
    PassphraseRequired,
    /// The passphrase did not decrypt the key (or the encrypted key is damaged).
    WrongPassphrase,
    /// The key is encrypted with a scheme sfjwt does not implement (PBES1, PBKDF2 with
    /// HMAC-SHA1, a legacy cipher other than DES-EDE3/AES-CBC, or key-derivation parameters
    /// beyond sane limits).
    UnsupportedEncryption {
        /// The scheme found.
        scheme: String,
    },
    /// The key is an RSA key smaller than [`MIN_RSA_BITS`](super::MIN_RSA_BITS).
    TooSmall {
        /// The key's modulus size.
        bits: usize,
    },
    /// The key is an RSA key larger than [`MAX_RSA_BITS`](super::MAX_RSA_BITS).
    TooLarge {
        /// The key's modulus size.
        bits: usize,
    },
}

const GENERATE: &str = "generate one with `openssl genrsa -out key.pem 2048` (or `sfjwt keygen`) and upload its certificate to the connected app";

impl core::fmt::Display for KeyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Empty => f.write_str(
                "the key input is empty: pass the PEM text (is the environment variable set?) or the path of the key file",
            ),
            Self::FileNotFound { path } => write!(
                f,
                "key file {} does not exist: check the path (relative paths start at the current directory)",
                path.display()
            ),
            Self::FileUnreadable { path, kind } => write!(
                f,
                "cannot read key file {}: {kind}; check its permissions and that it is a regular file",
                path.display()
            ),
            Self::FileTooLarge { path, limit } => write!(
                f,
                "{} is larger than {} KiB, the most sfjwt reads for a key or certificate: pass the PEM or DER file itself",
                path.display(),
                limit / 1024
            ),
            Self::FileEmpty { path } => write!(
                f,
                "key file {} is empty: re-export the key into it (did an `openssl` command fail?)",
                path.display()
            ),
            Self::TruncatedPem { label } => write!(
                f,
                "the PEM text has `-----BEGIN {label}-----` but no matching `-----END {label}-----` line: it was cut short; copy the whole file (if it comes from an environment variable, keep its newlines or write them as \\n)"
            ),
            Self::BadBase64 { line: Some(line) } => write!(
                f,
                "the PEM body is not valid base64 (line {line}): the file was edited or damaged; export the key again"
            ),
            Self::BadBase64 { line: None } => f.write_str(
                "the PEM body is not valid base64 (wrong length or padding): the file was edited or damaged; export the key again",
            ),
            Self::TrailingPemData {
                line,
                another_block: true,
            } => write!(
                f,
                "a second PEM block starts on line {line}, after the END line: give one key per file (split key and certificate into separate files)"
            ),
            Self::TrailingPemData {
                line,
                another_block: false,
            } => write!(
                f,
                "unexpected text on line {line}, after the PEM END line: remove everything after `-----END ...-----`"
            ),
            Self::TrailingDerData { extra } => write!(
                f,
                "{extra} unexpected bytes follow the DER structure: the file is damaged or two files were concatenated"
            ),
            Self::Malformed { what } => write!(
                f,
                "the {what} does not parse: the file is damaged or not what its label says; export the key again"
            ),
            Self::Unrecognized { found } => write!(
                f,
                "not a key sfjwt recognises: found {found}; expected PEM (`-----BEGIN PRIVATE KEY-----` or `-----BEGIN RSA PRIVATE KEY-----`) or DER"
            ),
            Self::CertificateNotPrivateKey => f.write_str(
                "found an X.509 certificate where the private key belongs: the certificate is the public half you upload to the connected app; pass the private key it was made from",
            ),
            Self::CsrNotPrivateKey => f.write_str(
                "found a certificate signing request (CSR) where the private key belongs: pass the private key the CSR was made from",
            ),
            Self::PublicKeyNotPrivateKey => f.write_str(
                "found a public key where the private key belongs: signing needs the private key (`-----BEGIN PRIVATE KEY-----` or `-----BEGIN RSA PRIVATE KEY-----`)",
            ),
            Self::PrivateKeyNotPublic => f.write_str(
                "found a private key where a public key or certificate belongs: pass the certificate or the public key (`openssl pkey -in key.pem -pubout`), and never distribute the private key",
            ),
            Self::NotACertificate { found } => write!(
                f,
                "found {found} where an X.509 certificate (`-----BEGIN CERTIFICATE-----`) belongs: pass the certificate uploaded to the connected app"
            ),
            Self::NotAPublicKey { found } => write!(
                f,
                "found {found} where a public key (`-----BEGIN PUBLIC KEY-----` or `-----BEGIN RSA PUBLIC KEY-----`) belongs"
            ),
            Self::OpensshPrivateKey => f.write_str(
                "found an OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`): convert a copy to PEM with `ssh-keygen -p -m PEM -f key` (rewrites the file in place) or `openssl pkey -in key -out key.pem`",
            ),
            Self::NotRsa { algorithm } => write!(
                f,
                "the key algorithm is {algorithm}, not RSA: Salesforce's JWT bearer flow needs an RSA key (RS256); {GENERATE}"
            ),
            Self::PassphraseRequired => f.write_str(
                "the key is encrypted: supply its passphrase, or decrypt it once with `openssl pkey -in key.pem -out plain.pem`",
            ),
            Self::WrongPassphrase => f.write_str(
                "the passphrase does not decrypt this key (or the encrypted key is damaged): check the passphrase, including trailing newlines and keyboard layout",
            ),
            Self::UnsupportedEncryption { scheme } => write!(
                f,
                "the key is encrypted with {scheme}, which sfjwt does not support: re-encrypt it with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in key.pem -out key.p8.pem`, or decrypt it with `openssl pkey`"
            ),
            Self::TooSmall { bits } => write!(
                f,
                "the RSA key has {bits} bits; Salesforce and sfjwt require at least {MIN_RSA_BITS}: {GENERATE}"
            ),
            Self::TooLarge { bits } => write!(
                f,
                "the RSA key has {bits} bits; sfjwt accepts at most {}: {GENERATE}",
                super::MAX_RSA_BITS
            ),
        }
    }
}

impl std::error::Error for KeyError {}
