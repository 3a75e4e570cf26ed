//! [`Pin`]: the token's user PIN, handled as the secret it is.

use zeroize::Zeroizing;

/// A PKCS#11 user PIN. Whoever has it (and the token) can sign as the integration user, so:
/// `Debug` is redacted, there is no `Display` or `PartialEq`, and the text is zeroized on drop.
///
/// ```
/// let pin = sfjwt_pkcs11::Pin::new("123456");
/// assert_eq!(format!("{pin:?}"), "Pin([redacted])");
/// assert_eq!(pin.expose_secret(), "123456");
/// ```
#[derive(Clone)]
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// Wraps a PIN.
    pub fn new(pin: impl Into<String>) -> Self {
        Self(Zeroizing::new(pin.into()))
    }

    /// Reads a PIN file (RFC 7512 `pin-source`): its content without one trailing newline.
    pub(crate) fn from_file_content(content: Zeroizing<String>) -> Self {
        let trimmed = content
            .strip_suffix("\r\n")
            .or_else(|| content.strip_suffix('\n'))
            .unwrap_or(&content);
        Self::new(trimmed)
    }

    /// The PIN text. Handle with care.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Debug for Pin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Pin([redacted])")
    }
}
