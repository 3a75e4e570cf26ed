//! `sfjwt verify`: strict RS256 verification of an assertion with the certificate (or public
//! key) the connected app holds — what the tutorial's readers asked jwt.io for ("how can I get
//! the public key?"). Exit 1 means the token is invalid; the reason goes to stderr.

use std::io::Read as _;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sfjwt_core::jws::Verifier;
use sfjwt_core::key::{Certificate, KeyError, PublicKey};
use zeroize::Zeroizing;

use crate::cli::VerifyArgs;
use crate::error::{CliError, CliResult, Exit};
use crate::output::Out;

/// No assertion comes near this; reading more from stdin would only waste memory.
const MAX_STDIN: u64 = 64 * 1024;

pub(crate) fn run(args: &VerifyArgs, out: &mut Out) -> CliResult {
    let key = public_key(args)?;
    let token = token(args.token.as_deref())?;
    let mut verifier = Verifier::new(key).leeway(Duration::from_secs(args.leeway));
    if let Some(iss) = &args.client_id {
        verifier = verifier.expect_issuer(iss.as_str());
    }
    if let Some(aud) = &args.audience {
        verifier = verifier.expect_audience(aud.as_str());
    }
    let now = match args.now {
        Some(secs) => UNIX_EPOCH + Duration::from_secs(secs),
        None => SystemTime::now(),
    };
    let claims = verifier.verify(token.trim(), now).map_err(|e| {
        CliError::new(Exit::Invalid, format!("the token is invalid: {e}")).hint(
            "sign it with the private key of this certificate (`sfjwt check` tests the pair); the claims must match --client-id/--audience and exp must be ahead of --now",
        )
    })?;
    let json = serde_json::to_string_pretty(claims.all())
        .map_err(|e| CliError::local(format!("cannot print the claims: {e}")))?;
    out.line(json)
}

fn public_key(args: &VerifyArgs) -> CliResult<PublicKey> {
    if let Some(path) = &args.cert {
        return Certificate::from_file(path)
            .map(|cert| cert.public_key().clone())
            .map_err(|e| CliError::certificate(&e, &path.display().to_string()));
    }
    if let Some(path) = &args.public_key {
        return read_public_key(path)
            .map_err(|e| CliError::certificate(&e, &path.display().to_string()));
    }
    Err(CliError::local("no certificate or public key given")
        .hint("pass --cert PATH or --public-key PATH"))
}

fn read_public_key(path: &Path) -> Result<PublicKey, KeyError> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => KeyError::FileNotFound {
            path: path.to_owned(),
        },
        kind => KeyError::FileUnreadable {
            path: path.to_owned(),
            kind,
        },
    })?;
    PublicKey::from_bytes(&bytes)
}

/// The token argument, or standard input for `-` or no argument.
fn token(arg: Option<&str>) -> CliResult<Zeroizing<String>> {
    match arg {
        Some(token) if token != "-" => Ok(Zeroizing::new(token.to_owned())),
        _ => {
            let mut text = Zeroizing::new(String::new());
            std::io::stdin()
                .take(MAX_STDIN)
                .read_to_string(&mut text)
                .map_err(|e| {
                    CliError::local(format!("cannot read the token from standard input: {e}"))
                        .hint("pass the token as an argument, or pipe it in: sfjwt assertion | sfjwt verify --cert server.crt -")
                })?;
            Ok(text)
        }
    }
}
