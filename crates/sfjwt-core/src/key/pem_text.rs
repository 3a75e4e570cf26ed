//! Finding and decoding one PEM block (RFC 7468), with errors precise enough to act on.
//!
//! We parse PEM ourselves instead of handing the text to a generic decoder because users need
//! to hear *which* thing is wrong: a missing END line (a truncated paste), a bad character on
//! line 12, text after the END line (two files concatenated). The parser is lenient where real
//! files differ and strict where leniency would hide damage:
//!
//! - Text before the BEGIN line is ignored: RFC 7468 §2 allows "explanatory text", and
//!   `openssl pkcs12 -nodes` writes `Bag Attributes` there.
//! - CRLF and CR line endings, indentation, and newlines flattened to spaces (a common
//!   environment-variable mangling) are all accepted.
//! - RFC 1421 headers (`Proc-Type`, `DEK-Info`) before the first blank line are collected, for
//!   legacy OpenSSL encryption (see `legacy_pem`).
//! - Anything but whitespace after the END line is refused.

use base64::Engine as _;
use zeroize::Zeroizing;

use super::KeyError;

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";
/// Labels are short ASCII words (RFC 7468 §2); anything longer is not a label.
const MAX_LABEL_LEN: usize = 64;

/// One PEM block, borrowed from the input text. The body is decoded on demand.
pub(crate) struct Pem<'a> {
    label: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    /// (1-based line number in the input, text of the line) for each base64 line.
    body_lines: Vec<(usize, &'a str)>,
}

impl<'a> Pem<'a> {
    /// Finds the PEM block in `text`. `Ok(None)` when there is no BEGIN line at all.
    ///
    /// # Errors
    /// [`KeyError::TruncatedPem`], [`KeyError::TrailingPemData`], or
    /// [`KeyError::Unrecognized`] for a BEGIN line that is not one.
    pub(crate) fn find(text: &'a str) -> Result<Option<Self>, KeyError> {
        let Some(begin) = text.find(BEGIN) else {
            return Ok(None);
        };
        let after_begin = text.get(begin + BEGIN.len()..).unwrap_or_default();
        let label_len = after_begin
            .find(DASHES)
            .filter(|&n| n <= MAX_LABEL_LEN)
            .ok_or_else(malformed_begin)?;
        let label = after_begin.get(..label_len).unwrap_or_default();
        if !is_label(label) {
            return Err(malformed_begin());
        }
        let rest_start = begin + BEGIN.len() + label_len + DASHES.len();
        let rest = text.get(rest_start..).unwrap_or_default();
        let end_marker = format!("-----END {label}-----");
        let Some(end) = rest.find(&end_marker) else {
            return Err(KeyError::TruncatedPem {
                label: label.to_owned(),
            });
        };
        let inner = rest.get(..end).unwrap_or_default();
        let after_end = rest.get(end + end_marker.len()..).unwrap_or_default();
        let trailing = after_end.trim_start();
        if !trailing.is_empty() {
            let offset = text.len() - trailing.len();
            return Err(KeyError::TrailingPemData {
                line: line_of(text, offset),
                another_block: trailing.starts_with(BEGIN),
            });
        }

        let first_line = line_of(text, rest_start);
        let mut headers = Vec::new();
        let mut body_lines = Vec::new();
        // RFC 1421 §4.4: headers, if any, come first and end at a blank line.
        let mut in_headers = true;
        for (i, raw) in inner.split('\n').enumerate() {
            let line = raw.trim();
            if in_headers {
                if line.is_empty() {
                    if !headers.is_empty() {
                        in_headers = false;
                    }
                    continue;
                }
                if let Some((name, value)) = line.split_once(':') {
                    headers.push((name.trim(), value.trim()));
                    continue;
                }
                in_headers = false;
            }
            if !line.is_empty() {
                body_lines.push((first_line + i, line));
            }
        }
        Ok(Some(Self {
            label,
            headers,
            body_lines,
        }))
    }

    /// The label of the BEGIN line, e.g. `PRIVATE KEY`.
    pub(crate) fn label(&self) -> &'a str {
        self.label
    }

    /// The value of an RFC 1421 header, e.g. `DEK-Info`, matched case-insensitively.
    pub(crate) fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v)
    }

    /// The decoded body (DER for every label sfjwt reads).
    ///
    /// # Errors
    /// [`KeyError::BadBase64`] naming the first bad line, when there is one.
    pub(crate) fn decode(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let mut b64 = Zeroizing::new(Vec::new());
        for &(line_no, line) in &self.body_lines {
            for byte in line.bytes() {
                if byte.is_ascii_whitespace() {
                    continue;
                }
                if !(byte.is_ascii_alphanumeric() || matches!(byte, b'+' | b'/' | b'=')) {
                    return Err(KeyError::BadBase64 {
                        line: Some(line_no),
                    });
                }
                b64.push(byte);
            }
        }
        base64::engine::general_purpose::STANDARD
            .decode(b64.as_slice())
            .map(Zeroizing::new)
            .map_err(|_| KeyError::BadBase64 { line: None })
    }
}

fn malformed_begin() -> KeyError {
    KeyError::Unrecognized {
        found: "a malformed `-----BEGIN` line".into(),
    }
}

/// RFC 7468 §3 labels: printable ASCII other than `-`, single spaces between words. We accept
/// the characters real labels use.
fn is_label(label: &str) -> bool {
    !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ')
}

/// The 1-based line number of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let prefix = text.get(..offset).unwrap_or(text);
    prefix.bytes().filter(|&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_label_headers_and_body() {
        let text = "junk\r\n-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: AES-128-CBC,00\r\n\r\nAAEC\r\n-----END RSA PRIVATE KEY-----\r\n";
        let pem = Pem::find(text).unwrap().unwrap();
        assert_eq!(pem.label(), "RSA PRIVATE KEY");
        assert_eq!(pem.header("dek-info"), Some("AES-128-CBC,00"));
        assert_eq!(pem.header("Proc-Type"), Some("4,ENCRYPTED"));
        assert_eq!(pem.decode().unwrap().as_slice(), &[0, 1, 2]);
    }

    #[test]
    fn accepts_newlines_flattened_to_spaces() {
        let text = "-----BEGIN PRIVATE KEY----- AAEC AwQF -----END PRIVATE KEY-----";
        let pem = Pem::find(text).unwrap().unwrap();
        assert_eq!(pem.decode().unwrap().as_slice(), &[0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn names_the_bad_line() {
        let text = "-----BEGIN PRIVATE KEY-----\nAAEC\nAA*C\n-----END PRIVATE KEY-----\n";
        let pem = Pem::find(text).unwrap().unwrap();
        assert_eq!(pem.decode(), Err(KeyError::BadBase64 { line: Some(3) }));
    }

    #[test]
    fn trailing_text_is_located() {
        let text = "-----BEGIN PRIVATE KEY-----\nAAEC\n-----END PRIVATE KEY-----\n\nhello\n";
        assert!(matches!(
            Pem::find(text),
            Err(KeyError::TrailingPemData {
                line: 5,
                another_block: false
            })
        ));
    }

    #[test]
    fn no_begin_line_is_none() {
        assert!(Pem::find("hello").unwrap().is_none());
    }
}
