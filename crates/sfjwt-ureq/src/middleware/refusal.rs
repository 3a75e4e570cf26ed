//! Reading a 401 on ureq's body type: does it say `INVALID_SESSION_ID` (a new token will
//! help)? The body is handed back with the same bytes.

use std::io::{Cursor, Read as _};

use sfjwt_core::api::PEEK_LIMIT;
use sfjwt_core::response::says_invalid_session;
use ureq::Body;

/// Reads up to [`PEEK_LIMIT`] bytes of a 401 body, decides whether it is Salesforce's
/// `INVALID_SESSION_ID`, and gives back a body with the same bytes.
pub(crate) fn peek(body: Body) -> Result<(Body, bool), ureq::Error> {
    let mut builder = Body::builder();
    if let Some(mime) = body.mime_type() {
        builder = builder.mime_type(mime);
    }
    if let Some(charset) = body.charset() {
        builder = builder.charset(charset);
    }
    let mut reader = body.into_reader();
    let mut head = Vec::new();
    (&mut reader)
        .take(PEEK_LIMIT as u64 + 1)
        .read_to_end(&mut head)?;
    if head.len() > PEEK_LIMIT {
        return Ok((builder.reader(Cursor::new(head).chain(reader)), false));
    }
    let invalid_session = says_invalid_session(&head);
    Ok((builder.data(head), invalid_session))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peeked_body_keeps_its_bytes() {
        let big = vec![b'x'; 40_000];
        let (mut body, invalid) = peek(Body::builder().data(big.clone())).unwrap();
        assert!(!invalid);
        assert_eq!(
            body.with_config().limit(100_000).read_to_vec().unwrap(),
            big
        );
    }
}
