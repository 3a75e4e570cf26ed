//! Reading a response body the way every transport must: bounded by the body limit, and
//! leaving no copy of the access token it holds in freed memory.

use zeroize::Zeroizing;

use super::TransportError;

/// Appends `data` to `buf` without leaving a copy of `buf`'s bytes in freed memory: when it
/// must grow, its contents move to a new allocation (at least double the size) and the old one
/// is wiped. A `Vec` growing by itself frees its old allocation as it is.
///
/// For transports assembling a response body, which holds the access token. Size `buf` from
/// the `Content-Length` (capped at the body limit) and it never grows at all.
///
/// ```
/// use zeroize::Zeroizing;
/// let mut body = Zeroizing::new(Vec::with_capacity(4));
/// sfjwt_core::transport::extend_wiping(&mut body, b"00D");
/// sfjwt_core::transport::extend_wiping(&mut body, b"!AQ");
/// assert_eq!(body.as_slice(), b"00D!AQ");
/// ```
pub fn extend_wiping(buf: &mut Zeroizing<Vec<u8>>, data: &[u8]) {
    let needed = buf.len().saturating_add(data.len());
    if needed > buf.capacity() {
        let mut bigger = Vec::with_capacity(needed.max(buf.capacity().saturating_mul(2)));
        bigger.extend_from_slice(buf);
        // The old allocation is wiped when the replaced `Zeroizing` drops.
        *buf = Zeroizing::new(bigger);
    }
    buf.extend_from_slice(data);
}

/// A response body being read: sized from the `Content-Length` (capped at the limit), grown
/// only by [`extend_wiping`], refused past the limit. Dropping it wipes what it holds.
///
/// ```
/// use sfjwt_core::transport::{BodyBuffer, FailureKind};
/// let mut body = BodyBuffer::new(Some(6), 8)?;
/// body.push(b"00D")?;
/// body.push(b"!AQ")?;
/// assert_eq!(body.push(b"...").unwrap_err().kind(), FailureKind::BodyTooLarge);
/// assert!(BodyBuffer::new(Some(9), 8).is_err());
/// # Ok::<(), sfjwt_core::transport::TransportError>(())
/// ```
#[derive(Debug)]
pub struct BodyBuffer {
    bytes: Zeroizing<Vec<u8>>,
    limit: usize,
}

impl BodyBuffer {
    /// A buffer for a body of `content_length` bytes (as announced, if it was), at most
    /// `limit`.
    ///
    /// # Errors
    /// A [`TransportError`] of kind [`BodyTooLarge`](super::FailureKind::BodyTooLarge) when
    /// the announced length is over the limit: nothing needs to be read to know.
    pub fn new(content_length: Option<u64>, limit: usize) -> Result<Self, TransportError> {
        let announced = usize::try_from(content_length.unwrap_or(0)).unwrap_or(usize::MAX);
        if announced > limit {
            return Err(TransportError::body_too_large(limit));
        }
        Ok(Self {
            bytes: Zeroizing::new(Vec::with_capacity(announced)),
            limit,
        })
    }

    /// Appends the next chunk of the body.
    ///
    /// # Errors
    /// A [`TransportError`] of kind [`BodyTooLarge`](super::FailureKind::BodyTooLarge) when
    /// the body would grow past the limit; the chunk is not kept.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), TransportError> {
        if chunk.len() > self.limit.saturating_sub(self.bytes.len()) {
            return Err(TransportError::body_too_large(self.limit));
        }
        extend_wiping(&mut self.bytes, chunk);
        Ok(())
    }

    /// The body read. The caller owns it now, and the core wipes it once parsed.
    pub fn into_body(mut self) -> Vec<u8> {
        std::mem::take(&mut *self.bytes)
    }
}
