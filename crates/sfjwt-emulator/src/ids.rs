//! Salesforce-shaped identifiers and tokens.
//!
//! Record ids are 15 case-sensitive base-62 characters (a 3-character key prefix such as `00D`
//! for organizations or `005` for users, then the rest), and the API usually shows the
//! 18-character form: the 15 characters plus a 3-character case checksum so the id survives
//! case-insensitive tools. Access tokens start with the 15-character org id and `!`. Clients
//! must treat both as opaque, but realistic shapes catch parsers that assume otherwise.

use base64::Engine as _;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CHECKSUM_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// Key prefix of organization ids.
pub(crate) const ORG_PREFIX: &str = "00D";
/// Key prefix of user ids.
pub(crate) const USER_PREFIX: &str = "005";

/// The operating system's random generator failed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RandomError;

/// Fills `buf` from the operating system's random generator.
pub(crate) fn fill_random(buf: &mut [u8]) -> Result<(), RandomError> {
    getrandom::fill(buf).map_err(|_| RandomError)
}

/// `len` random base-62 characters (rejection sampling, so every character is equally likely).
pub(crate) fn random_base62(len: usize) -> Result<String, RandomError> {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 32];
    while out.len() < len {
        fill_random(&mut buf)?;
        for b in buf {
            // 248 = 4 * 62: bytes at or above it would bias the first characters.
            if b < 248 && out.len() < len {
                if let Some(&c) = BASE62.get(usize::from(b % 62)) {
                    out.push(char::from(c));
                }
            }
        }
    }
    Ok(out)
}

/// Appends the 3-character case checksum to a 15-character id. `None` if `id15` is not 15
/// ASCII alphanumerics.
pub(crate) fn to_18(id15: &str) -> Option<String> {
    if id15.len() != 15 || !id15.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let mut out = String::with_capacity(18);
    out.push_str(id15);
    for chunk in id15.as_bytes().chunks(5) {
        let flags = chunk
            .iter()
            .enumerate()
            .filter(|(_, b)| b.is_ascii_uppercase())
            .fold(0usize, |acc, (i, _)| acc | (1 << i));
        out.push(char::from(*CHECKSUM_ALPHABET.get(flags)?));
    }
    Some(out)
}

/// A fresh 18-character id with `prefix` (`00D`, `005`), shaped like production ids:
/// prefix, a 2-character instance code, zeros, then random characters.
pub(crate) fn random_id(prefix: &str) -> Result<String, RandomError> {
    // 15 = prefix (3) + instance code (2) + "0000" (4) + random tail (6).
    let tail = random_base62(15usize.saturating_sub(prefix.len() + 6))?;
    let pod = random_base62(2)?;
    let id15 = format!("{prefix}{pod}0000{tail}");
    to_18(&id15).ok_or(RandomError)
}

/// Checks a configured id: 15 or 18 ASCII alphanumerics starting with `prefix`, and for 18
/// characters a correct checksum. Returns the 18-character form, or why it is refused.
pub(crate) fn parse_id(id: &str, prefix: &str) -> Result<String, &'static str> {
    if !id.starts_with(prefix) {
        return Err("it does not start with the expected key prefix");
    }
    match id.len() {
        15 => to_18(id).ok_or("it is not 15 letters and digits"),
        18 => {
            let id15 = id.get(..15).ok_or("it is not 18 letters and digits")?;
            let expected = to_18(id15).ok_or("it is not 18 letters and digits")?;
            if expected == id {
                Ok(expected)
            } else {
                Err("its last 3 characters are not the case checksum of the first 15")
            }
        }
        _ => Err("Salesforce ids are 15 or 18 characters long"),
    }
}

/// A fresh access token in Salesforce's shape: `{15-char org id}!{~100 opaque characters}`.
///
/// The body is 72 random bytes in base64url, with `-` written as `.` as Salesforce's
/// tokens use `.` and `_` as punctuation.
pub(crate) fn access_token(org_id18: &str) -> Result<String, RandomError> {
    let mut raw = [0u8; 72];
    fill_random(&mut raw)?;
    let body = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(raw)
        .replace('-', ".");
    let org15 = org_id18.get(..15).unwrap_or(org_id18);
    Ok(format!("{org15}!AQ{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_known_ids() {
        // Known pairs from Salesforce documentation and public examples.
        assert_eq!(to_18("00Dxx0000001gPL").unwrap(), "00Dxx0000001gPLEAY");
        assert_eq!(to_18("005xx000001Sv6A").unwrap(), "005xx000001Sv6AAAS");
        assert!(to_18("00Dxx0000001gP").is_none());
        assert!(to_18("00Dxx0000001gP!").is_none());
    }

    #[test]
    fn parse_id_accepts_15_and_18_and_refuses_bad_checksums() {
        assert_eq!(
            parse_id("00Dxx0000001gPL", ORG_PREFIX).unwrap(),
            "00Dxx0000001gPLEAY"
        );
        assert_eq!(
            parse_id("00Dxx0000001gPLEAY", ORG_PREFIX).unwrap(),
            "00Dxx0000001gPLEAY"
        );
        assert!(parse_id("00Dxx0000001gPLAAA", ORG_PREFIX).is_err());
        assert!(parse_id("005xx000001Sv6A", ORG_PREFIX).is_err());
        assert!(parse_id("00D", ORG_PREFIX).is_err());
    }

    #[test]
    fn random_ids_and_tokens_have_salesforce_shapes() {
        let org = random_id(ORG_PREFIX).unwrap();
        assert_eq!(org.len(), 18);
        assert!(org.starts_with("00D"));
        assert_eq!(parse_id(&org, ORG_PREFIX).unwrap(), org);
        let token = access_token(&org).unwrap();
        let (prefix, body) = token.split_once('!').unwrap();
        assert_eq!(prefix, &org[..15]);
        assert!(body.len() >= 90, "{}", body.len());
        assert!(
            body.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
        );
        assert_ne!(token, access_token(&org).unwrap());
    }
}
