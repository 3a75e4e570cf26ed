//! [`Pkcs11Uri`]: RFC 7512 PKCS#11 URIs, the standard way to name a key in a token
//! (OpenSSL, GnuTLS, p11-kit and systemd read the same syntax).
//!
//! `pkcs11:token=sfjwt;object=jwt-key;id=%01?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/pin`
//!
//! - The path part (before `?`) is `;`-separated `name=value` attributes that select the
//!   token (`token`, `manufacturer`, `serial`, `model`, `slot-id`) and the object (`object` =
//!   `CKA_LABEL`, `id` = `CKA_ID` bytes, `type`), RFC 7512 §2.3.
//! - The query part (after `?`) is `&`-separated: `module-path` (the vendor's PKCS#11
//!   library, an absolute path as RFC 7512 §2.3 requires), `pin-source` (a `file:` URI or a
//!   file name holding the PIN: a regular file, at most 1 MiB) or `pin-value`.
//! - Values are percent-encoded (RFC 3986 §2.1); `id` is raw bytes (`%01%a2`).
//!
//! An attribute may appear once; one this crate does not know is refused (RFC 7512 lets an
//! application refuse what it cannot honour, and silently ignoring a selector could pick the
//! wrong key). The library-/slot-description attributes are accepted and not used.

use std::path::PathBuf;

use crate::Pin;
use crate::error::Pkcs11Error;

/// Where the PIN comes from.
#[derive(Debug, Clone)]
pub(crate) enum PinSource {
    /// `pin-source`: a file holding the PIN.
    File(PathBuf),
    /// `pin-value`: the PIN itself, in the URI.
    Value(Pin),
}

/// A parsed RFC 7512 URI naming a private key and the module to reach it.
///
/// `Debug` never shows a `pin-value`.
///
/// ```
/// use sfjwt_pkcs11::Pkcs11Uri;
/// let uri: Pkcs11Uri = "pkcs11:token=sfjwt;object=jwt-key;id=%01?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234".parse()?;
/// assert_eq!(uri.token(), Some("sfjwt"));
/// assert_eq!(uri.object(), Some("jwt-key"));
/// assert_eq!(uri.id(), Some(&[1u8][..]));
/// assert!(!format!("{uri:?}").contains("1234"));
/// # Ok::<(), sfjwt_pkcs11::Pkcs11Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Pkcs11Uri {
    pub(crate) token: Option<String>,
    pub(crate) manufacturer: Option<String>,
    pub(crate) serial: Option<String>,
    pub(crate) model: Option<String>,
    pub(crate) slot_id: Option<u64>,
    pub(crate) object: Option<String>,
    pub(crate) id: Option<Vec<u8>>,
    pub(crate) module_path: Option<PathBuf>,
    pub(crate) pin: Option<PinSource>,
}

const PATH_ATTRIBUTES: &[&str] = &[
    "token",
    "manufacturer",
    "serial",
    "model",
    "slot-id",
    "object",
    "id",
    "type",
    "library-manufacturer",
    "library-description",
    "library-version",
    "slot-description",
    "slot-manufacturer",
];
const QUERY_ATTRIBUTES: &[&str] = &["module-path", "module-name", "pin-source", "pin-value"];

impl Pkcs11Uri {
    /// Parses `pkcs11:...`.
    ///
    /// # Errors
    /// [`Pkcs11Error::InvalidUri`] saying what is wrong: no `pkcs11:` scheme, an attribute
    /// without `=`, an unknown or repeated attribute, bad percent-encoding, a `type` other
    /// than `private`, both `pin-source` and `pin-value`.
    pub fn parse(text: &str) -> Result<Self, Pkcs11Error> {
        let rest = text
            .strip_prefix("pkcs11:")
            .ok_or_else(|| invalid("it must start with `pkcs11:`"))?;
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        let mut uri = Self::default();
        let mut seen: Vec<String> = Vec::new();
        for pair in path.split(';').filter(|p| !p.is_empty()) {
            let (name, value) = split_pair(pair)?;
            remember(&mut seen, name)?;
            uri.set_path(name, value)?;
        }
        for pair in query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (name, value) = split_pair(pair)?;
            remember(&mut seen, name)?;
            uri.set_query(name, value)?;
        }
        Ok(uri)
    }

    fn set_path(&mut self, name: &str, value: &str) -> Result<(), Pkcs11Error> {
        match name {
            "token" => self.token = Some(decode_text(name, value)?),
            "manufacturer" => self.manufacturer = Some(decode_text(name, value)?),
            "serial" => self.serial = Some(decode_text(name, value)?),
            "model" => self.model = Some(decode_text(name, value)?),
            "object" => self.object = Some(decode_text(name, value)?),
            "id" => self.id = Some(percent_decode(name, value)?),
            "slot-id" => {
                let text = decode_text(name, value)?;
                self.slot_id = Some(text.parse().map_err(|_| {
                    invalid(format!("slot-id must be a decimal number, not {text:?}"))
                })?);
            }
            "type" => {
                let kind = decode_text(name, value)?;
                if kind != "private" {
                    return Err(invalid(format!(
                        "type={kind} names a {kind} object; the signer needs the private key \
                         (type=private, or leave type out)"
                    )));
                }
            }
            // Accepted and not used: they narrow the module or slot, which module-path and
            // the token attributes already fix.
            _ if PATH_ATTRIBUTES.contains(&name) => {}
            _ => {
                return Err(invalid(format!(
                    "unknown attribute `{name}` before `?`; known: {}",
                    PATH_ATTRIBUTES.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn set_query(&mut self, name: &str, value: &str) -> Result<(), Pkcs11Error> {
        match name {
            "module-path" => {
                let path = PathBuf::from(decode_text(name, value)?);
                // RFC 7512 §2.3: "module-path ... specifies an absolute path to the PKCS #11
                // module library". A relative one would load whatever library of that name
                // sits in the current directory.
                if !path.is_absolute() {
                    return Err(invalid(format!(
                        "module-path must be an absolute path (RFC 7512 section 2.3), not {:?}: \
                         e.g. module-path=/usr/lib/softhsm/libsofthsm2.so",
                        path.display().to_string()
                    )));
                }
                self.module_path = Some(path);
            }
            "module-name" => {
                return Err(invalid(
                    "module-name is not supported: give the module's full path as module-path \
                     (e.g. module-path=/usr/lib/softhsm/libsofthsm2.so)",
                ));
            }
            "pin-source" => {
                let source = decode_text(name, value)?;
                self.set_pin(PinSource::File(pin_file(&source)?))?;
            }
            "pin-value" => {
                let pin = Pin::new(decode_text(name, value)?);
                self.set_pin(PinSource::Value(pin))?;
            }
            _ => {
                return Err(invalid(format!(
                    "unknown attribute `{name}` after `?`; known: {}",
                    QUERY_ATTRIBUTES.join(", ")
                )));
            }
        }
        Ok(())
    }

    fn set_pin(&mut self, pin: PinSource) -> Result<(), Pkcs11Error> {
        if self.pin.is_some() {
            return Err(invalid("give either pin-source or pin-value, not both"));
        }
        self.pin = Some(pin);
        Ok(())
    }

    /// The token label (`token=`).
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The key's label (`object=`, `CKA_LABEL`).
    pub fn object(&self) -> Option<&str> {
        self.object.as_deref()
    }

    /// The key's id (`id=`, `CKA_ID`), as bytes.
    pub fn id(&self) -> Option<&[u8]> {
        self.id.as_deref()
    }

    /// The PKCS#11 module (`module-path=`).
    pub fn module_path(&self) -> Option<&std::path::Path> {
        self.module_path.as_deref()
    }

    /// Sets the module path (for URIs that leave it out, e.g. from a configuration file).
    #[must_use]
    pub fn with_module_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.module_path = Some(path.into());
        self
    }

    /// Sets the PIN, replacing any `pin-source` / `pin-value`.
    #[must_use]
    pub fn with_pin(mut self, pin: Pin) -> Self {
        self.pin = Some(PinSource::Value(pin));
        self
    }

    /// The PIN: `pin-value`, or the content of the `pin-source` file (one trailing newline
    /// removed); `None` when the URI names neither.
    pub(crate) fn resolve_pin(&self) -> Result<Option<Pin>, Pkcs11Error> {
        match &self.pin {
            None => Ok(None),
            Some(PinSource::Value(pin)) => Ok(Some(pin.clone())),
            Some(PinSource::File(path)) => {
                let content = read_pin_file(path).map_err(|source| Pkcs11Error::PinFile {
                    path: path.clone(),
                    source,
                })?;
                Ok(Some(Pin::from_file_content(content)))
            }
        }
    }

    /// `text` without its `pin-value` and `pin-source` attributes: the same key whatever the
    /// PIN, for naming a cache entry (an unsalted hash over a URI with `pin-value=1234` gives
    /// the PIN away to anyone who tries the 10,000 four-digit ones). Not a parser: the text is
    /// cut at the separators RFC 7512 defines and the PIN attributes dropped by name.
    ///
    /// ```
    /// use sfjwt_pkcs11::Pkcs11Uri;
    /// let a = Pkcs11Uri::without_pin("pkcs11:token=t;object=k?module-path=/m.so&pin-value=1234");
    /// let b = Pkcs11Uri::without_pin("pkcs11:token=t;object=k?pin-source=file:/p&module-path=/m.so");
    /// assert_eq!(a, "pkcs11:token=t;object=k?module-path=/m.so");
    /// assert_eq!(a, b);
    /// ```
    pub fn without_pin(text: &str) -> String {
        let is_pin = |pair: &&str| {
            let name = pair.split_once('=').map_or(*pair, |(name, _)| name);
            matches!(name.trim(), "pin-value" | "pin-source")
        };
        let (path, query) = match text.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (text, None),
        };
        let path: Vec<&str> = path.split(';').filter(|p| !is_pin(p)).collect();
        let mut out = path.join(";");
        if let Some(query) = query {
            let mut query: Vec<&str> = query
                .split('&')
                .filter(|p| !p.is_empty() && !is_pin(p))
                .collect();
            // The order of query attributes carries no meaning.
            query.sort_unstable();
            if !query.is_empty() {
                out.push('?');
                out.push_str(&query.join("&"));
            }
        }
        out
    }

    /// Which key this URI names, for messages: label and id, never the PIN.
    pub fn describe_key(&self) -> String {
        let mut parts = Vec::new();
        if let Some(object) = &self.object {
            parts.push(format!("object={object:?}"));
        }
        if let Some(id) = &self.id {
            parts.push(format!("id={}", hex(id)));
        }
        if parts.is_empty() {
            "any private key".to_owned()
        } else {
            parts.join(" ")
        }
    }

    /// Which token this URI names, for messages.
    pub fn describe_token(&self) -> String {
        let mut parts = Vec::new();
        for (name, value) in [
            ("token", &self.token),
            ("manufacturer", &self.manufacturer),
            ("serial", &self.serial),
            ("model", &self.model),
        ] {
            if let Some(value) = value {
                parts.push(format!("{name}={value:?}"));
            }
        }
        if let Some(slot) = self.slot_id {
            parts.push(format!("slot-id={slot}"));
        }
        if parts.is_empty() {
            "any token".to_owned()
        } else {
            parts.join(" ")
        }
    }
}

impl std::str::FromStr for Pkcs11Uri {
    type Err = Pkcs11Error;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl core::fmt::Debug for Pkcs11Uri {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let pin = match &self.pin {
            None => "none".to_owned(),
            Some(PinSource::File(path)) => format!("file {}", path.display()),
            Some(PinSource::Value(_)) => "[redacted]".to_owned(),
        };
        f.debug_struct("Pkcs11Uri")
            .field("token", &self.describe_token())
            .field("key", &self.describe_key())
            .field("module_path", &self.module_path)
            .field("pin", &pin)
            .finish()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn invalid(reason: impl Into<String>) -> Pkcs11Error {
    Pkcs11Error::InvalidUri {
        reason: reason.into(),
    }
}

fn split_pair(pair: &str) -> Result<(&str, &str), Pkcs11Error> {
    // The text is never echoed: it could be a PIN typed without its name.
    pair.split_once('=')
        .ok_or_else(|| invalid("an attribute is not name=value (attributes are `;`-separated before `?`, `&`-separated after)"))
}

fn remember(seen: &mut Vec<String>, name: &str) -> Result<(), Pkcs11Error> {
    if seen.iter().any(|s| s == name) {
        return Err(invalid(format!(
            "`{name}` appears twice (RFC 7512 allows it once)"
        )));
    }
    seen.push(name.to_owned());
    Ok(())
}

/// A PIN file's content: a regular file (a FIFO would block, a device never end) of at most
/// the size of a key file ([`MAX_FILE_BYTES`](sfjwt_core::key::MAX_FILE_BYTES)).
fn read_pin_file(path: &std::path::Path) -> std::io::Result<zeroize::Zeroizing<String>> {
    use std::io::Read as _;
    let not_a_file = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, device or directory): pin-source must name a file holding the PIN",
        )
    };
    // Checked before opening (opening a FIFO waits for a writer) and again on the open file,
    // which is opened without waiting, in case the path changed in between.
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_a_file());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(not_a_file());
    }
    let limit = sfjwt_core::key::MAX_FILE_BYTES;
    let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(64));
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {limit} bytes: not a PIN file"),
        ));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))?;
    Ok(zeroize::Zeroizing::new(text.to_owned()))
}

/// `pin-source`: a `file:` URI (`file:/abs`, `file:///abs`, `file:relative`) or a file name.
fn pin_file(source: &str) -> Result<PathBuf, Pkcs11Error> {
    if let Some(rest) = source.strip_prefix("file://") {
        // RFC 8089: `file://host/path`; only the local host (empty or `localhost`).
        let path = rest.strip_prefix("localhost").unwrap_or(rest);
        if !path.starts_with('/') {
            return Err(invalid(
                "pin-source=file://HOST/... must name a local file: use file:/path/to/pin",
            ));
        }
        return Ok(PathBuf::from(path));
    }
    if let Some(path) = source.strip_prefix("file:") {
        return Ok(PathBuf::from(path));
    }
    if source.contains("://") || source.starts_with('|') {
        return Err(invalid(
            "pin-source must be a file (file:/path/to/pin); other sources are not supported",
        ));
    }
    Ok(PathBuf::from(source))
}

fn decode_text(name: &str, value: &str) -> Result<String, Pkcs11Error> {
    String::from_utf8(percent_decode(name, value)?)
        .map_err(|_| invalid(format!("the value of `{name}` is not UTF-8 once decoded")))
}

/// RFC 3986 §2.1 percent-decoding.
fn percent_decode(name: &str, value: &str) -> Result<Vec<u8>, Pkcs11Error> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let digit = |at: usize| bytes.get(at).and_then(|c| (*c as char).to_digit(16));
            match (digit(i + 1), digit(i + 2)) {
                (Some(hi), Some(lo)) => {
                    out.push(u8::try_from(hi * 16 + lo).unwrap_or_default());
                    i += 3;
                }
                _ => {
                    return Err(invalid(format!(
                        "bad percent-encoding in `{name}`: `%` must be followed by two hex digits"
                    )));
                }
            }
        } else {
            out.push(b);
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_uri() {
        let uri = Pkcs11Uri::parse(
            "pkcs11:token=my%20token;object=jwt;id=%01%A2;type=private;slot-id=3\
             ?module-path=/usr/lib/x.so&pin-source=file:/run/pin",
        )
        .unwrap();
        assert_eq!(uri.token(), Some("my token"));
        assert_eq!(uri.id(), Some(&[0x01, 0xa2][..]));
        assert_eq!(uri.slot_id, Some(3));
        assert_eq!(
            uri.module_path(),
            Some(std::path::Path::new("/usr/lib/x.so"))
        );
        assert!(
            matches!(&uri.pin, Some(PinSource::File(p)) if p == std::path::Path::new("/run/pin"))
        );
    }

    #[test]
    fn pin_file_forms() {
        assert_eq!(pin_file("file:///a/b").unwrap(), PathBuf::from("/a/b"));
        assert_eq!(pin_file("file://localhost/a").unwrap(), PathBuf::from("/a"));
        assert_eq!(pin_file("file:rel/p").unwrap(), PathBuf::from("rel/p"));
        assert_eq!(pin_file("/plain").unwrap(), PathBuf::from("/plain"));
        assert!(pin_file("file://host/a").is_err());
        assert!(pin_file("https://x/pin").is_err());
    }

    #[test]
    fn refusals() {
        for (text, needle) in [
            ("token=x", "pkcs11:"),
            ("pkcs11:token", "name=value"),
            ("pkcs11:token=a;token=b", "twice"),
            ("pkcs11:tokn=a", "unknown attribute `tokn`"),
            ("pkcs11:type=public", "private key"),
            ("pkcs11:id=%0", "percent"),
            ("pkcs11:?pin-value=1&pin-source=file:/p", "not both"),
            ("pkcs11:?module-name=softhsm2", "module-path"),
            ("pkcs11:?pin=1", "unknown attribute `pin`"),
            ("pkcs11:slot-id=x", "decimal"),
            ("pkcs11:?module-path=libsofthsm2.so", "RFC 7512"),
            ("pkcs11:?module-path=./lib/x.so", "absolute"),
        ] {
            let err = Pkcs11Uri::parse(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn pin_value_never_in_debug_or_errors() {
        let uri = Pkcs11Uri::parse("pkcs11:token=t?pin-value=s3cr3t-pin").unwrap();
        assert!(!format!("{uri:?}").contains("s3cr3t"));
        let err = Pkcs11Uri::parse("pkcs11:token=t?pin-value=s3cr3t-pin&pin-value=x").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("s3cr3t"));
        let err = Pkcs11Uri::parse("pkcs11:token=t?s3cr3t").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("s3cr3t"));
    }

    #[test]
    fn pin_file_newline_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pin");
        std::fs::write(&path, "1234\n").unwrap();
        let uri = Pkcs11Uri::parse(&format!(
            "pkcs11:token=t?pin-source=file:{}",
            path.display()
        ))
        .unwrap();
        assert_eq!(uri.resolve_pin().unwrap().unwrap().expose_secret(), "1234");
        // Files that are not PIN files: refused quickly, with the path.
        for (hostile, needle) in [("/dev/zero", "regular file"), ("/dev/null", "regular file")] {
            let uri =
                Pkcs11Uri::parse(&format!("pkcs11:token=t?pin-source=file:{hostile}")).unwrap();
            let err = uri.resolve_pin().unwrap_err();
            let text = format!("{err}: {}", std::error::Error::source(&err).unwrap());
            assert!(text.contains(hostile) && text.contains(needle), "{text}");
        }
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'1'; 2 * 1024 * 1024]).unwrap();
        let uri =
            Pkcs11Uri::parse(&format!("pkcs11:token=t?pin-source=file:{}", big.display())).unwrap();
        assert!(matches!(
            uri.resolve_pin(),
            Err(Pkcs11Error::PinFile { .. })
        ));
        let missing = Pkcs11Uri::parse("pkcs11:token=t?pin-source=file:/nonexistent/pin").unwrap();
        assert!(matches!(
            missing.resolve_pin(),
            Err(Pkcs11Error::PinFile { .. })
        ));
    }
}
