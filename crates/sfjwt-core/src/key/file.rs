//! Reading a key or certificate file, with errors that name the path.
//!
//! Missing, unreadable and empty files are the three ways "it can't find my key" happens in
//! practice (a relative path run from another directory, a `chmod 600` file owned by another
//! user, a failed `openssl` run that left an empty file), so each gets its own error.

use std::io::{ErrorKind, Read as _};
use std::path::Path;

use zeroize::Zeroizing;

use super::KeyError;

/// No key, certificate or PEM bundle sfjwt reads comes near this; anything larger is the wrong
/// file (or `/dev/zero`), and reading it whole would only waste memory.
const MAX_FILE_LEN: u64 = 1024 * 1024;

/// Reads a whole (small) file into a zeroizing buffer.
///
/// # Errors
/// [`KeyError::FileNotFound`], [`KeyError::FileUnreadable`] (including files over 1 MiB, as
/// [`ErrorKind::FileTooLarge`]), [`KeyError::FileEmpty`].
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
    let mut contents = Zeroizing::new(Vec::new());
    file.take(MAX_FILE_LEN + 1)
        .read_to_end(&mut contents)
        .map_err(|e| unreadable(e.kind()))?;
    if contents.len() as u64 > MAX_FILE_LEN {
        return Err(unreadable(ErrorKind::FileTooLarge));
    }
    if contents.iter().all(u8::is_ascii_whitespace) {
        return Err(KeyError::FileEmpty {
            path: path.to_owned(),
        });
    }
    Ok(contents)
}
