//! Loading a PKCS#11 module once per process.
//!
//! `C_Initialize` may be called once per process and module; a second call answers
//! `CKR_CRYPTOKI_ALREADY_INITIALIZED`, and `C_Finalize` would pull the module out from under
//! every other signer still using it (PKCS#11 v2.40 §5.4). So every signer of a process shares
//! one loaded, initialized module per path, kept for the life of the process (what
//! applications using a vendor module do anyway).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error, RvError};

use crate::Pkcs11Error;

static MODULES: OnceLock<Mutex<HashMap<PathBuf, Pkcs11>>> = OnceLock::new();

/// The initialized module at `path`, loading it on first use.
pub(crate) fn load(path: &Path) -> Result<Pkcs11, Pkcs11Error> {
    if !path.is_file() {
        return Err(Pkcs11Error::ModuleNotFound {
            path: path.to_path_buf(),
        });
    }
    let load_error = |detail: String| Pkcs11Error::ModuleLoad {
        path: path.to_path_buf(),
        detail,
    };
    let canonical = path.canonicalize().map_err(|e| load_error(e.to_string()))?;
    let modules = MODULES.get_or_init(|| Mutex::new(HashMap::new()));
    // A panic while holding the lock leaves the map consistent (insert is the last step).
    let mut modules = modules
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(module) = modules.get(&canonical) {
        return Ok(module.clone());
    }
    let module = Pkcs11::new(&canonical).map_err(|e| load_error(e.to_string()))?;
    // OS_LOCKING_OK: sessions are used from several threads (one at a time each).
    match module.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(load_error(e.to_string())),
    }
    modules.insert(canonical, module.clone());
    Ok(module)
}
