//! Reading a key or certificate file, with errors that name the path.
//!
//! Missing, unreadable and empty files are the three ways "it can't find my key" happens in
//! practice (a relative path run from another directory, a `chmod 600` file owned by another
//! user, a failed `openssl` run that left an empty file), so each gets its own error.
//!
//! Every file sfjwt reads goes through [`read`]: at most [`MAX_FILE_BYTES`] are read, whatever
//! the file claims to be (`/dev/zero`, a FIFO, a file still growing), and the buffer holding
//! key material is never left behind in freed memory: it is sized from the file's length up
//! front, and if the file turns out longer, each larger buffer is filled from a copy and the
//! old one wiped (a `Vec` growing by itself would free its old allocation unwiped).

use std::io::{ErrorKind, Read};
use std::path::Path;

use zeroize::Zeroizing;

use super::KeyError;

/// The largest key, certificate or public-key file sfjwt reads: 1 MiB. No key, certificate or
/// PEM bundle comes near it (a 8192-bit PKCS#8 PEM key is under 7 KiB); anything larger is
/// the wrong file (or `/dev/zero`), and reading it whole would only waste memory.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// Reads a whole (small) file into a zeroizing buffer.
///
/// # Errors
/// [`KeyError::FileNotFound`], [`KeyError::FileUnreadable`], [`KeyError::FileTooLarge`] (over
/// [`MAX_FILE_BYTES`]), [`KeyError::FileEmpty`].
pub(crate) fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let unreadable = |kind| KeyError::FileUnreadable {
        path: path.to_owned(),
        kind,
    };
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        ErrorKind::NotFound => KeyError::FileNotFound {
            path: path.to_owned(),
        },
        kind => unreadable(kind),
    })?;
    // Character devices and FIFOs report 0; the cap below still holds for them.
    let claimed = file.metadata().map_or(0, |m| m.len());
    let contents = read_capped(file, claimed, MAX_FILE_BYTES)
        .map_err(|e| unreadable(e.kind()))?
        .ok_or_else(|| KeyError::FileTooLarge {
            path: path.to_owned(),
            limit: MAX_FILE_BYTES,
        })?;
    if contents.iter().all(u8::is_ascii_whitespace) {
        return Err(KeyError::FileEmpty {
            path: path.to_owned(),
        });
    }
    Ok(contents)
}

/// Reads `reader` to its end into a zeroizing buffer, or `None` as soon as more than `limit`
/// bytes arrive. `size_hint` (the file's length) sizes the first buffer.
fn read_capped(
    mut reader: impl Read,
    size_hint: u64,
    limit: u64,
) -> std::io::Result<Option<Zeroizing<Vec<u8>>>> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    // One byte past the hint, so reading a file of exactly that length needs no regrowth to
    // see its end.
    let first = usize::try_from(size_hint)
        .unwrap_or(limit)
        .min(limit)
        .saturating_add(1)
        .max(4096);
    let mut buf = Zeroizing::new(vec![0u8; first]);
    let mut len = 0;
    loop {
        if len == buf.len() {
            if len > limit {
                return Ok(None);
            }
            // Grow by copying into a larger zeroed buffer; the old one is wiped on drop.
            let mut bigger = Zeroizing::new(vec![0u8; len.saturating_mul(2).min(limit + 1)]);
            bigger
                .get_mut(..len)
                .unwrap_or_default()
                .copy_from_slice(buf.get(..len).unwrap_or_default());
            buf = bigger;
        }
        let Some(spare) = buf.get_mut(len..) else {
            return Ok(None);
        };
        match reader.read(spare) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    if len > limit {
        return Ok(None);
    }
    buf.truncate(len);
    Ok(Some(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out `total` bytes in small pieces, like a pipe.
    struct Trickle {
        total: usize,
        sent: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(1000).min(self.total - self.sent);
            buf[..n].fill(b'k');
            self.sent += n;
            Ok(n)
        }
    }

    #[test]
    fn reads_whole_inputs_up_to_the_limit_whatever_the_hint() {
        for (total, hint) in [(0, 0), (10, 10), (5000, 0), (9000, 100), (4096, 4096)] {
            let out = read_capped(Trickle { total, sent: 0 }, hint, 10_000).unwrap();
            assert_eq!(out.map(|b| b.len()), Some(total), "{total} {hint}");
        }
        let exact = read_capped(
            Trickle {
                total: 10_000,
                sent: 0,
            },
            0,
            10_000,
        )
        .unwrap();
        assert_eq!(exact.map(|b| b.len()), Some(10_000));
    }

    #[test]
    fn stops_one_read_past_the_limit() {
        let mut endless = Trickle {
            total: usize::MAX,
            sent: 0,
        };
        assert!(read_capped(&mut endless, 0, 10_000).unwrap().is_none());
        assert!(endless.sent <= 10_001 + 1000, "read {} bytes", endless.sent);
        assert!(
            read_capped(
                Trickle {
                    total: 10_001,
                    sent: 0
                },
                10_001,
                10_000
            )
            .unwrap()
            .is_none()
        );
    }
}
