//! [`Pkcs11Signer`]: an RSA private key in a PKCS#11 token behind sfjwt's [`Signer`] trait.
//!
//! # Sessions and threads
//!
//! A PKCS#11 session must not be used by two threads at once (PKCS#11 v2.40 §5.6), and
//! opening one per signature costs a round trip to the token (and, on network HSMs, to the
//! appliance). The signer keeps a pool of idle sessions: a signature takes one (or opens one
//! when all are busy), signs, and puts it back, so concurrent callers sign in parallel on
//! their own sessions and a steady caller reuses one. Login state is per application and
//! token, not per session (§5.5), so every session sees the key once the first logged in.
//! A session the token dropped (`CKR_SESSION_HANDLE_INVALID`, `CKR_DEVICE_REMOVED`, a token
//! restarted and logged out) is discarded and the signature retried once on a fresh session.
//!
//! # Mechanisms
//!
//! `CKM_SHA256_RSA_PKCS` hashes and signs in the token (RSASSA-PKCS1-v1_5 with SHA-256,
//! RFC 8017 §8.2.1). Tokens that lack it get `CKM_RSA_PKCS` over the DER `DigestInfo` of the
//! SHA-256 hash computed here (RFC 8017 §9.2, the EMSA-PKCS1-v1_5 encoding's `T`): the token
//! pads and exponentiates, and the result is byte-for-byte the same signature.

use std::sync::Mutex;

use cryptoki::context::Pkcs11;
use cryptoki::error::{Error, RvError};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use sfjwt_core::jws::{SignError, Signer};
use sfjwt_core::key::{KeyError, MIN_RSA_BITS, PublicKey};
use sha2::Digest as _;

use crate::uri::hex;
use crate::{Pin, Pkcs11Error, Pkcs11Uri, module};

/// Idle sessions kept for reuse; more are opened under load and closed when returned.
const MAX_IDLE_SESSIONS: usize = 16;

/// The DER prefix of a SHA-256 `DigestInfo` (RFC 8017 §9.2, note 1): the hash follows.
const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// How the token makes an RS256 signature. Both give the same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RsaMechanism {
    /// `CKM_SHA256_RSA_PKCS`: the token hashes and signs. Preferred.
    Sha256RsaPkcs,
    /// `CKM_RSA_PKCS` over a SHA-256 `DigestInfo` hashed here, for tokens without the
    /// combined mechanism.
    RsaPkcs,
}

/// An RS256 signer whose RSA private key stays in a PKCS#11 token (SoftHSM2, a YubiHSM, a
/// smart card, a cloud HSM's PKCS#11 library).
///
/// `Send + Sync`: share one signer (e.g. in an `Arc`) between threads; each signature runs on
/// its own session. `Debug` shows the token, key label and size, never the PIN.
///
/// ```no_run
/// use sfjwt_pkcs11::Pkcs11Signer;
/// let signer = Pkcs11Signer::open(&"pkcs11:token=sfjwt;object=jwt-key\
///     ?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/hsm-pin".parse()?)?;
/// let client = sfjwt_core::JwtBearer::builder()
///     .endpoint(sfjwt_core::TokenEndpoint::production())
///     .client_id("3MVG9_key")
///     .username("etl@acme.com")
///     .signer(signer)
///     .build();
/// # let _ = client;
/// # Ok::<(), sfjwt_pkcs11::Pkcs11Error>(())
/// ```
pub struct Pkcs11Signer {
    place: KeyPlace,
    token_label: String,
    mechanism: RsaMechanism,
    public_key: PublicKey,
    idle: Mutex<Vec<Pooled>>,
}

/// Where the key is and how to reach it: what opening a session needs.
struct KeyPlace {
    module: Pkcs11,
    slot: Slot,
    key_template: Vec<Attribute>,
    key_description: String,
    pin: Option<Pin>,
}

/// A session with the key's handle in that session (handles are per session, §4.4.1).
struct Pooled {
    session: Session,
    key: ObjectHandle,
}

impl Pkcs11Signer {
    /// Opens the key `uri` names: loads the module, finds the token, logs in with the URI's
    /// PIN, finds the private key, checks it is RSA of at least 2048 bits, reads its public
    /// half and picks the mechanism (`CKM_SHA256_RSA_PKCS` when the token has it). Every
    /// problem is found here, not at the first signature.
    ///
    /// # Errors
    /// [`Pkcs11Error`]: no module path, module missing or unloadable, token or key not found
    /// or ambiguous, wrong or locked PIN, unreadable PIN file, a non-RSA key, a key under
    /// 2048 bits, no RSA mechanism.
    pub fn open(uri: &Pkcs11Uri) -> Result<Self, Pkcs11Error> {
        Self::open_with(uri, None)
    }

    /// Like [`open`](Self::open), forcing a mechanism (e.g. [`RsaMechanism::RsaPkcs`] for a
    /// token whose `CKM_SHA256_RSA_PKCS` misbehaves).
    ///
    /// # Errors
    /// As [`open`](Self::open); [`Pkcs11Error::NoRsaMechanism`] if the token lacks the one
    /// asked for.
    pub fn open_with_mechanism(
        uri: &Pkcs11Uri,
        mechanism: RsaMechanism,
    ) -> Result<Self, Pkcs11Error> {
        Self::open_with(uri, Some(mechanism))
    }

    fn open_with(uri: &Pkcs11Uri, wanted: Option<RsaMechanism>) -> Result<Self, Pkcs11Error> {
        let path = uri.module_path().ok_or(Pkcs11Error::NoModulePath)?;
        let module = module::load(path)?;
        let pin = uri.resolve_pin()?;
        let (slot, token_label) = find_slot(&module, uri)?;
        let mechanism = choose_mechanism(&module, slot, wanted)?;
        let mut key_template = vec![Attribute::Class(ObjectClass::PRIVATE_KEY)];
        if let Some(label) = uri.object() {
            key_template.push(Attribute::Label(label.as_bytes().to_vec()));
        }
        if let Some(id) = uri.id() {
            key_template.push(Attribute::Id(id.to_vec()));
        }
        let place = KeyPlace {
            module,
            slot,
            key_template,
            key_description: uri.describe_key(),
            pin,
        };
        let pooled = place.open_session()?;
        let public_key = read_public_key(&pooled, &place.key_template)?;
        Ok(Self {
            place,
            token_label,
            mechanism,
            public_key,
            idle: Mutex::new(vec![pooled]),
        })
    }

    /// The key's public half, read from the token: for the certificate
    /// ([`sfjwt_core::key::self_signed_certificate`]) and for verifying.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        self.public_key.bits()
    }

    /// The mechanism in use.
    pub fn mechanism(&self) -> RsaMechanism {
        self.mechanism
    }

    /// The token's label.
    pub fn token_label(&self) -> &str {
        &self.token_label
    }

    /// Signs `signing_input` with RS256 in the token.
    ///
    /// # Errors
    /// [`Pkcs11Error::Token`] when the token fails (after one retry on a fresh session for a
    /// dropped session), or any error of [`open`](Self::open) when re-opening a session.
    pub fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, Pkcs11Error> {
        let (mechanism, data) = match self.mechanism {
            RsaMechanism::Sha256RsaPkcs => (Mechanism::Sha256RsaPkcs, signing_input.to_vec()),
            RsaMechanism::RsaPkcs => {
                let mut info = SHA256_DIGEST_INFO_PREFIX.to_vec();
                info.extend_from_slice(&sha2::Sha256::digest(signing_input));
                (Mechanism::RsaPkcs, info)
            }
        };
        let mut retried = false;
        loop {
            let pooled = match self.take_idle() {
                Some(pooled) => pooled,
                None => self.place.open_session()?,
            };
            match pooled.session.sign(&mechanism, pooled.key, &data) {
                Ok(signature) => {
                    self.put_back(pooled);
                    if signature.len() != self.public_key.modulus_len() {
                        return Err(Pkcs11Error::PublicKey {
                            detail: format!(
                                "the token returned a {}-byte signature for a {}-byte modulus",
                                signature.len(),
                                self.public_key.modulus_len()
                            ),
                        });
                    }
                    return Ok(signature);
                }
                // The session is gone (token restarted, removed, logged out): drop it and
                // try once more on a new one.
                Err(e) if !retried && session_lost(&e) => retried = true,
                Err(source) => {
                    return Err(Pkcs11Error::Token {
                        operation: "C_Sign",
                        source,
                    });
                }
            }
        }
    }

    fn take_idle(&self) -> Option<Pooled> {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop()
    }

    fn put_back(&self, pooled: Pooled) {
        let mut idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < MAX_IDLE_SESSIONS {
            idle.push(pooled);
        }
    }
}

impl KeyPlace {
    /// A new session, logged in, with the key found in it.
    fn open_session(&self) -> Result<Pooled, Pkcs11Error> {
        let session =
            self.module
                .open_ro_session(self.slot)
                .map_err(|source| Pkcs11Error::Token {
                    operation: "C_OpenSession",
                    source,
                })?;
        if let Some(pin) = &self.pin {
            let auth = AuthPin::from(pin.expose_secret().to_owned());
            match session.login(UserType::User, Some(&auth)) {
                Ok(()) | Err(Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
                Err(Error::Pkcs11(RvError::PinIncorrect | RvError::PinInvalid, _)) => {
                    return Err(Pkcs11Error::WrongPin);
                }
                Err(Error::Pkcs11(RvError::PinLocked, _)) => return Err(Pkcs11Error::PinLocked),
                Err(source) => {
                    return Err(Pkcs11Error::Token {
                        operation: "C_Login",
                        source,
                    });
                }
            }
        }
        let found =
            session
                .find_objects(&self.key_template)
                .map_err(|source| Pkcs11Error::Token {
                    operation: "C_FindObjects",
                    source,
                })?;
        match found.as_slice() {
            [key] => Ok(Pooled { session, key: *key }),
            [] => Err(Pkcs11Error::KeyNotFound {
                wanted: self.key_description.clone(),
                logged_in: self.pin.is_some(),
                available: private_key_labels(&session),
            }),
            many => Err(Pkcs11Error::KeyAmbiguous {
                wanted: self.key_description.clone(),
                count: many.len(),
            }),
        }
    }
}

impl Signer for Pkcs11Signer {
    fn sign_rs256(&self, signing_input: &[u8]) -> Result<Vec<u8>, SignError> {
        self.sign(signing_input)
            .map_err(|e| SignError::with_source("the PKCS#11 token could not sign", e))
    }
}

impl core::fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("token", &self.token_label)
            .field("key", &self.place.key_description)
            .field("bits", &self.bits())
            .field("mechanism", &self.mechanism)
            .finish_non_exhaustive()
    }
}

/// Whether a failed call means the session (not the key or the data) is gone.
fn session_lost(error: &Error) -> bool {
    matches!(
        error,
        Error::Pkcs11(
            RvError::SessionHandleInvalid
                | RvError::SessionClosed
                | RvError::DeviceRemoved
                | RvError::TokenNotPresent
                | RvError::UserNotLoggedIn
                | RvError::KeyHandleInvalid
                | RvError::ObjectHandleInvalid,
            _
        )
    )
}

fn find_slot(module: &Pkcs11, uri: &Pkcs11Uri) -> Result<(Slot, String), Pkcs11Error> {
    let slots = module
        .get_slots_with_token()
        .map_err(|source| Pkcs11Error::Token {
            operation: "C_GetSlotList",
            source,
        })?;
    let mut available = Vec::new();
    let mut matches = Vec::new();
    for slot in slots {
        let Ok(info) = module.get_token_info(slot) else {
            continue;
        };
        let label = info.label().trim_end().to_owned();
        let wanted = |want: &Option<String>, have: &str| {
            want.as_deref().is_none_or(|w| w == have.trim_end())
        };
        let selected = wanted(&uri.token, &label)
            && wanted(&uri.manufacturer, info.manufacturer_id())
            && wanted(&uri.serial, info.serial_number())
            && wanted(&uri.model, info.model())
            && uri.slot_id.is_none_or(|id| id == slot.id());
        if selected {
            matches.push((slot, label.clone()));
        }
        available.push(label);
    }
    if let [(slot, label)] = matches.as_slice() {
        return Ok((*slot, label.clone()));
    }
    match matches.len() {
        0 => Err(Pkcs11Error::TokenNotFound {
            wanted: uri.describe_token(),
            available,
        }),
        count => Err(Pkcs11Error::TokenAmbiguous {
            wanted: uri.describe_token(),
            count,
        }),
    }
}

fn choose_mechanism(
    module: &Pkcs11,
    slot: Slot,
    wanted: Option<RsaMechanism>,
) -> Result<RsaMechanism, Pkcs11Error> {
    let list = module
        .get_mechanism_list(slot)
        .map_err(|source| Pkcs11Error::Token {
            operation: "C_GetMechanismList",
            source,
        })?;
    let has = |m: MechanismType| list.contains(&m);
    match wanted {
        Some(RsaMechanism::Sha256RsaPkcs) if has(MechanismType::SHA256_RSA_PKCS) => {
            Ok(RsaMechanism::Sha256RsaPkcs)
        }
        Some(RsaMechanism::RsaPkcs) if has(MechanismType::RSA_PKCS) => Ok(RsaMechanism::RsaPkcs),
        Some(_) => Err(Pkcs11Error::NoRsaMechanism),
        None if has(MechanismType::SHA256_RSA_PKCS) => Ok(RsaMechanism::Sha256RsaPkcs),
        None if has(MechanismType::RSA_PKCS) => Ok(RsaMechanism::RsaPkcs),
        None => Err(Pkcs11Error::NoRsaMechanism),
    }
}

/// Checks the key is RSA and large enough, and reads its public numbers: from the private
/// key object (SoftHSM2 and most tokens keep `CKA_MODULUS` and `CKA_PUBLIC_EXPONENT` there),
/// else from the public key object with the same id.
fn read_public_key(pooled: &Pooled, template: &[Attribute]) -> Result<PublicKey, Pkcs11Error> {
    let attributes = pooled
        .session
        .get_attributes(
            pooled.key,
            &[
                AttributeType::KeyType,
                AttributeType::Modulus,
                AttributeType::PublicExponent,
                AttributeType::Id,
            ],
        )
        .map_err(|source| Pkcs11Error::Token {
            operation: "C_GetAttributeValue",
            source,
        })?;
    let mut key_type = None;
    let (mut modulus, mut exponent, mut id) = (None, None, None);
    for attribute in attributes {
        match attribute {
            Attribute::KeyType(t) => key_type = Some(t),
            Attribute::Modulus(n) => modulus = Some(n),
            Attribute::PublicExponent(e) => exponent = Some(e),
            Attribute::Id(i) => id = Some(i),
            _ => {}
        }
    }
    match key_type {
        Some(t) if t == KeyType::RSA => {}
        Some(t) => {
            return Err(Pkcs11Error::NotRsa {
                key_type: t.to_string(),
            });
        }
        None => {
            return Err(Pkcs11Error::NotRsa {
                key_type: "of an unknown type".to_owned(),
            });
        }
    }
    if modulus.is_none() || exponent.is_none() {
        (modulus, exponent) = public_object_numbers(pooled, template, id.as_deref())?;
    }
    let (Some(modulus), Some(exponent)) = (modulus, exponent) else {
        return Err(Pkcs11Error::PublicKey {
            detail: "the token shows neither the private key's CKA_MODULUS/CKA_PUBLIC_EXPONENT \
                     nor a public key object with its id"
                .to_owned(),
        });
    };
    let bits = significant_bits(&modulus);
    if bits < MIN_RSA_BITS {
        return Err(Pkcs11Error::KeyTooSmall { bits });
    }
    PublicKey::from_components(&modulus, &exponent).map_err(|e| match e {
        KeyError::TooSmall { bits } => Pkcs11Error::KeyTooSmall { bits },
        other => Pkcs11Error::PublicKey {
            detail: other.to_string(),
        },
    })
}

type Numbers = (Option<Vec<u8>>, Option<Vec<u8>>);

fn public_object_numbers(
    pooled: &Pooled,
    template: &[Attribute],
    id: Option<&[u8]>,
) -> Result<Numbers, Pkcs11Error> {
    let mut search = vec![Attribute::Class(ObjectClass::PUBLIC_KEY)];
    match id {
        Some(id) if !id.is_empty() => search.push(Attribute::Id(id.to_vec())),
        _ => search.extend(
            template
                .iter()
                .filter(|a| matches!(a, Attribute::Label(_) | Attribute::Id(_)))
                .cloned(),
        ),
    }
    let token_error = |source| Pkcs11Error::Token {
        operation: "C_FindObjects",
        source,
    };
    let found = pooled.session.find_objects(&search).map_err(token_error)?;
    let [public] = found.as_slice() else {
        return Ok((None, None));
    };
    let attributes = pooled
        .session
        .get_attributes(
            *public,
            &[AttributeType::Modulus, AttributeType::PublicExponent],
        )
        .map_err(token_error)?;
    let (mut modulus, mut exponent) = (None, None);
    for attribute in attributes {
        match attribute {
            Attribute::Modulus(n) => modulus = Some(n),
            Attribute::PublicExponent(e) => exponent = Some(e),
            _ => {}
        }
    }
    Ok((modulus, exponent))
}

/// The labels of the private keys a session can see, for "key not found" messages.
fn private_key_labels(session: &Session) -> Vec<String> {
    let Ok(keys) = session.find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)]) else {
        return Vec::new();
    };
    keys.into_iter()
        .filter_map(|key| {
            let attributes = session
                .get_attributes(key, &[AttributeType::Label, AttributeType::Id])
                .ok()?;
            let mut label = String::new();
            let mut id = String::new();
            for attribute in attributes {
                match attribute {
                    Attribute::Label(l) => label = String::from_utf8_lossy(&l).into_owned(),
                    Attribute::Id(i) => id = hex(&i),
                    _ => {}
                }
            }
            Some(format!("{label} (id {id})"))
        })
        .collect()
}

fn significant_bits(bytes: &[u8]) -> usize {
    let Some(first) = bytes.iter().position(|b| *b != 0) else {
        return 0;
    };
    let rest = bytes.len() - first;
    let top = bytes.get(first).copied().unwrap_or_default();
    (rest - 1) * 8 + (8 - top.leading_zeros() as usize)
}
