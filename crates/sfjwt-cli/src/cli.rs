//! The command line: every command, flag and environment variable, with a worked example in
//! each command's `--help`. The interface is a contract: scripts depend on it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::identity::Identity;

const MAIN_EXAMPLES: &str = "\
Examples:
  sfjwt demo                                  # the whole flow against a local emulator
  sfjwt keygen --out-dir ./jwt                # server.key + server.crt for the connected app
  sfjwt eca new acme_etl --cert jwt/server.crt --out acme-eca   # the app as deployable metadata
  sfjwt check --key-file jwt/server.key --cert jwt/server.crt \\
      --client-id 3MVG9... --username etl@acme.com
  sfjwt token --key-file jwt/server.key --client-id 3MVG9... --username etl@acme.com
  sfjwt token --key awskms:alias/sfjwt-prod --client-id 3MVG9... --username etl@acme.com
  sfjwt keystore --key-file jwt/server.key --cert jwt/server.crt --out jwt/server.jks \\
      --alias org_to_org --password-env KS_PASS   # for Apex: Import from Keystore
  sfjwt api /services/data/v62.0/limits       # cached token; re-logs in once on a 401

Exit codes: 0 ok, 1 verify: token invalid, 2 usage or local problem,
            3 Salesforce rejected the request, 4 transport or response problem,
            5 api: the API answered outside 2xx (its body is printed).";

/// The Salesforce OAuth 2.0 JWT Bearer flow, every step of it, explained when it fails.
#[derive(Debug, Parser)]
#[command(name = "sfjwt", version = crate::features::version(), about, after_help = MAIN_EXAMPLES, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Get an access token (POST the signed assertion to the token endpoint).
    #[command(after_help = TOKEN_EXAMPLE)]
    Token(TokenArgs),
    /// Print a signed assertion (the JWT) and nothing else.
    #[command(after_help = ASSERTION_EXAMPLE)]
    Assertion(AssertionArgs),
    /// Verify an assertion strictly with a certificate or public key; print its claims.
    #[command(after_help = VERIFY_EXAMPLE)]
    Verify(VerifyArgs),
    /// Generate server.key (PKCS#8, mode 0600) and server.crt (self-signed X.509) for the app.
    #[command(after_help = KEYGEN_EXAMPLE)]
    Keygen(KeygenArgs),
    /// Write a Java KeyStore (JKS) of key and certificate for Salesforce's Import from Keystore
    /// (Apex org-to-org: `Auth.JWS(jwt, 'ALIAS')`).
    #[command(after_help = KEYSTORE_EXAMPLE)]
    Keystore(KeystoreArgs),
    /// Diagnose key, certificate, claims and endpoint offline, one line per finding.
    #[command(after_help = CHECK_EXAMPLE)]
    Check(CheckArgs),
    /// Run a local Salesforce login server (sfjwt-emulator) in the foreground.
    #[command(after_help = EMULATE_EXAMPLE)]
    Emulate(EmulateArgs),
    /// Walk through the whole flow against a local emulator, offline, in seconds.
    #[command(after_help = DEMO_EXAMPLE)]
    Demo(DemoArgs),
    /// Call the org's REST API with the cached token (re-logs in once if the session ended).
    #[command(after_help = crate::commands::api::EXAMPLE)]
    Api(crate::commands::api::ApiArgs),
    /// Remove this identity's cached token (--all: every cached token).
    #[command(after_help = crate::commands::logout::EXAMPLE)]
    Logout(crate::commands::logout::LogoutArgs),
    /// Find the login URL and audience this org wants: tries the Salesforce CLI's pairs (at
    /// most 6 requests) and prints the `sfjwt token` flags that worked.
    #[command(after_help = PROBE_EXAMPLE)]
    Probe(ProbeArgs),
    /// The External Client App as code: `eca new` writes the deployable metadata (sf project
    /// deploy start), the first way to set up the org.
    #[command(after_help = crate::commands::eca::EXAMPLE)]
    Eca(crate::commands::eca::EcaArgs),
}

const PROBE_EXAMPLE: &str = "\
Example:
  sfjwt probe --login-url https://acme.my.salesforce.com \\
      --client-id 3MVG9... --username etl@acme.com --key-file server.key

One line per pair tried (login URL, audience, Salesforce's answer), then
  works: sfjwt token --login-url ... --audience ... (the flags that worked)

It tries, in order, the pairs the Salesforce CLI tries (My Domain/My Domain, then the
login and test servers), stops at the first grant, and sends at most 6 requests, only to
the login URL given and to login/test.salesforce.com.

Exit codes: 0 a pair was granted, 2 local problem, 3 no pair was granted.";

/// `sfjwt probe`.
#[derive(Debug, clap::Args)]
pub(crate) struct ProbeArgs {
    #[command(flatten)]
    pub(crate) identity: Identity,

    /// Give up on each request after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub(crate) timeout: u64,

    /// Print the table as one JSON object: {"pairs":[…],"works":"sfjwt token …"|null}.
    #[arg(long)]
    pub(crate) json: bool,
}

const TOKEN_EXAMPLE: &str = "\
Example:
  export SFJWT_CLIENT_ID=3MVG9...  SFJWT_USERNAME=etl@acme.com  SFJWT_KEY_FILE=server.key
  sfjwt token                                   # readable summary, token redacted
  sfjwt token --login-url https://acme.my.salesforce.com --json | jq -r .access_token
  # External Client App since Spring '26 (app_not_found with login/test):
  sfjwt token --login-url https://acme.my.salesforce.com --audience my-domain

The token is cached: one login, then every later call reuses it (also `sfjwt api`):
  for id in $IDS; do
    curl -H \"Authorization: Bearer $(sfjwt token --json | jq -r .access_token)\" ...
  done
  sfjwt token --invalidate \"$TOKEN\"   # after a 401: drop it unless replaced; print the current
  sfjwt token --refresh | --no-cache | --cache rediss://host:6380 | --max-age 3600

Exit codes: 0 ok, 2 local problem, 3 Salesforce rejected it (code, description and hint
are printed), 4 no usable response (connect, timeout, TLS, HTML or garbled body).";

const ASSERTION_EXAMPLE: &str = "\
Example:
  sfjwt assertion --key-file server.key --client-id 3MVG9... --username etl@acme.com
  # then, by hand:
  curl -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer \\
       -d assertion=\"$(sfjwt assertion)\" https://login.salesforce.com/services/oauth2/token";

const VERIFY_EXAMPLE: &str = "\
Example:
  sfjwt assertion > jwt.txt
  sfjwt verify --cert server.crt --client-id 3MVG9... - < jwt.txt
  sfjwt verify --public-key server.pub --now 1700000000 eyJhbGciOiJSUzI1NiJ9.eyJ...

Exit codes: 0 valid (claims printed as JSON), 1 invalid (why on stderr), 2 unusable input.";

const KEYGEN_EXAMPLE: &str = "\
Example:
  sfjwt keygen --out-dir ./jwt --days 730 --subject 'acme integration'
  SFJWT_PASS='long passphrase' sfjwt keygen --passphrase-env SFJWT_PASS   # encrypted key
  sfjwt keygen --key 'pkcs11:token=sfjwt;object=jwt-key?module-path=…&pin-source=file:…'
  sfjwt keygen --key awskms:alias/sfjwt-prod   # server.crt only, signed in the vault

Upload server.crt to the connected app (\"Use digital signatures\"); keep server.key secret.";

const KEYSTORE_EXAMPLE: &str = "\
Example:
  export SFJWT_KS_PASS='a long keystore password'
  sfjwt keystore --key-file server.key --cert server.crt --out server.jks \\
      --alias org_to_org --password-env SFJWT_KS_PASS
  sfjwt keygen --keystore server.jks --alias org_to_org --password-env SFJWT_KS_PASS

Then Setup > Certificate and Key Management > Import from Keystore; the command prints the
steps and the Apex. The alias becomes the certificate's Unique Name: lower-case letters,
digits and single underscores, starting with a letter. The password (6+ characters) protects
both the store and the key, as Salesforce requires.";

const CHECK_EXAMPLE: &str = "\
Example:
  sfjwt check --key-file server.key --cert server.crt \\
      --client-id 3MVG9... --username etl@acme.com --login-url https://acme.my.salesforce.com
  sfjwt check --eca acme-eca --key-file server.key   # the `sfjwt eca new` folder vs the key

Exit codes: 0 no error (warnings allowed), 2 at least one error.";

const EMULATE_EXAMPLE: &str = "\
Example:
  sfjwt emulate --port 8080                 # prints ready-to-paste sfjwt token, sf and curl lines
  sfjwt emulate --config org.toml -v        # apps, users and faults from a file; log each request
  sfjwt emulate --eca acme-eca --client-id 3MVG9_local --user etl@acme.com
                                            # the org as `sfjwt eca new`'s folder sets it up
Stop it with Ctrl-C.";

const DEMO_EXAMPLE: &str = "\
Example:
  sfjwt demo            # or, from a checkout: cargo run -p sfjwt-cli -- demo
  sfjwt demo --eca      # an External Client App org since Spring '26: app_not_found, the fix
Nothing leaves the machine: the login server is an emulator on 127.0.0.1.";

/// `sfjwt token`.
#[derive(Debug, clap::Args)]
pub(crate) struct TokenArgs {
    #[command(flatten)]
    pub(crate) identity: Identity,

    /// Give up on a request after this many seconds (connect, send and read).
    #[arg(long, value_name = "SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub(crate) timeout: u64,

    /// Retry retryable failures (timeouts, 5xx, rate limits) this many times, with backoff.
    /// Rejections such as invalid_grant are never retried.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub(crate) retries: u32,

    /// Seconds from now until the assertion expires: default 180 (what Salesforce documents),
    /// at most 300.
    #[arg(long, value_name = "SECS", default_value_t = 180, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub(crate) lifetime: u64,

    /// Print the full token response as one JSON object (contains the access token), with
    /// `"from_cache": true|false`.
    #[arg(long)]
    pub(crate) json: bool,

    #[command(flatten)]
    pub(crate) cache: crate::cache::args::TokenCacheArgs,
}

/// `sfjwt assertion`.
#[derive(Debug, clap::Args)]
pub(crate) struct AssertionArgs {
    #[command(flatten)]
    pub(crate) identity: Identity,

    /// The `exp` claim, in seconds since the Unix epoch (UTC), at most 300 s ahead.
    #[arg(long, value_name = "UNIX_SECONDS", conflicts_with = "lifetime")]
    pub(crate) exp: Option<u64>,

    /// Seconds from now until the assertion expires: default 180 (what Salesforce documents),
    /// at most 300.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=300))]
    pub(crate) lifetime: Option<u64>,
}

/// `sfjwt verify`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("key").required(true).args(["cert", "public_key"])))]
pub(crate) struct VerifyArgs {
    /// The X.509 certificate uploaded to the connected app.
    #[arg(long, value_name = "PATH")]
    pub(crate) cert: Option<PathBuf>,

    /// A public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`, PEM or DER).
    #[arg(long, value_name = "PATH")]
    pub(crate) public_key: Option<PathBuf>,

    /// Require `iss` to be this Consumer Key.
    #[arg(long, env = "SFJWT_CLIENT_ID", value_name = "ID")]
    pub(crate) client_id: Option<String>,

    /// Require `aud` to be this URL.
    #[arg(long, env = "SFJWT_AUDIENCE", value_name = "URL")]
    pub(crate) audience: Option<String>,

    /// Verify as of this time (seconds since the Unix epoch) instead of now.
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub(crate) now: Option<u64>,

    /// Clock skew to tolerate, in seconds: past `exp`, before `nbf`, `iat` in the future.
    /// Default 0.
    #[arg(long, value_name = "SECS", default_value_t = 0)]
    pub(crate) leeway: u64,

    /// The token, or `-` (or nothing) to read it from standard input.
    #[arg(value_name = "TOKEN")]
    pub(crate) token: Option<String>,
}

/// `sfjwt keygen`.
#[derive(Debug, clap::Args)]
pub(crate) struct KeygenArgs {
    /// Where to write server.key and server.crt (created if missing).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub(crate) out_dir: PathBuf,

    /// RSA key size.
    #[arg(long, default_value_t = 2048, value_parser = parse_bits)]
    pub(crate) bits: usize,

    /// Days the certificate is valid (Salesforce rejects assertions once it expires).
    #[arg(long, value_name = "N", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub(crate) days: u32,

    /// The certificate's common name (CN).
    #[arg(long, value_name = "CN", default_value = "sfjwt")]
    pub(crate) subject: String,

    /// Encrypt server.key with the passphrase in this environment variable (its name).
    #[arg(long, value_name = "VAR")]
    pub(crate) passphrase_env: Option<String>,

    /// Overwrite existing server.key and server.crt (and the --keystore file).
    #[arg(long)]
    pub(crate) force: bool,

    /// Write only server.crt, for an existing key in a vault (pkcs11:… or awskms:…, as for
    /// `token --key`): the vault signs the certificate, the key never leaves it.
    #[arg(long = "key", env = "SFJWT_KEY_URI", hide_env_values = true, value_name = "URI", value_parser = crate::vault::key_uri, conflicts_with_all = ["bits", "passphrase_env", "keystore"])]
    pub(crate) key_uri: Option<crate::vault::KeyUri>,

    /// Also write a Java KeyStore (JKS) of the new key and certificate, for Salesforce's
    /// Import from Keystore (Apex org-to-org). Needs --alias and --password-env.
    #[arg(long, value_name = "PATH", requires_all = ["alias", "password_env"])]
    pub(crate) keystore: Option<PathBuf>,

    /// With --keystore: the entry's alias, which becomes the certificate's Unique Name in
    /// Salesforce (lower-case letters, digits, single underscores; starts with a letter).
    #[arg(long, value_name = "NAME", requires = "keystore")]
    pub(crate) alias: Option<String>,

    /// With --keystore: the environment variable holding the keystore password (its name),
    /// at least 6 characters; it protects the store and the key.
    #[arg(long, value_name = "VAR", requires = "keystore")]
    pub(crate) password_env: Option<String>,
}

/// `sfjwt keystore`.
#[derive(Debug, clap::Args)]
pub(crate) struct KeystoreArgs {
    /// The private key file (PEM or DER, PKCS#8 or PKCS#1, encrypted or not).
    #[arg(
        long,
        env = "SFJWT_KEY_FILE",
        value_name = "PATH",
        required_unless_present = "key_uri"
    )]
    pub(crate) key_file: Option<PathBuf>,

    /// A vault key (pkcs11:… or awskms:…) cannot go into a keystore: refused with the way out.
    #[arg(
        long = "key",
        value_name = "URI",
        hide = true,
        conflicts_with = "key_file"
    )]
    pub(crate) key_uri: Option<String>,

    /// Read the key file's passphrase from this environment variable (its name, not the
    /// passphrase). Without it, an encrypted key is prompted for on a terminal.
    #[arg(long, value_name = "VAR")]
    pub(crate) passphrase_env: Option<String>,

    /// The key's certificate (PEM or DER); a PEM chain, the key's own certificate first, is
    /// kept as the entry's chain.
    #[arg(long, value_name = "PATH")]
    pub(crate) cert: PathBuf,

    /// The keystore to write (never overwritten; mode 0600).
    #[arg(long, value_name = "PATH")]
    pub(crate) out: PathBuf,

    /// The entry's alias, which becomes the certificate's Unique Name in Salesforce and the
    /// name Apex passes to Auth.JWS (lower-case letters, digits, single underscores; starts
    /// with a letter; at most 80 characters).
    #[arg(long, value_name = "NAME")]
    pub(crate) alias: String,

    /// The environment variable holding the keystore password (its name, not the password),
    /// at least 6 characters; it protects the store and the key, as Salesforce requires.
    #[arg(long, value_name = "VAR")]
    pub(crate) password_env: String,
}

/// `sfjwt check`.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub(crate) identity: Identity,

    /// The certificate uploaded to the connected app, to check it pairs with the key.
    #[arg(long, value_name = "PATH")]
    pub(crate) cert: Option<PathBuf>,

    /// An External Client App folder (`sfjwt eca new`): does its certificate pair with the
    /// key, is there one at all, does the policy pre-authorize a permission set or profile,
    /// is the API version new enough for each field.
    #[arg(long, value_name = "DIR")]
    pub(crate) eca: Option<PathBuf>,
}

/// `sfjwt demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// The Spring '26 chapter: an External Client App org refusing the login audience with
    /// app_not_found, the hint, and the My Domain fix working.
    #[arg(long)]
    pub(crate) eca: bool,
}

/// `sfjwt emulate`.
#[derive(Debug, clap::Args)]
pub(crate) struct EmulateArgs {
    /// The port on 127.0.0.1 (default: from the config file, else any free port).
    #[arg(long, value_name = "P")]
    pub(crate) port: Option<u16>,

    /// A TOML or JSON file describing apps, users and faults (see sfjwt-emulator's docs).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Print one line per request on stderr: method, path, status and, for a refusal, the
    /// rule that refused it. Assertions, tokens and query strings are never printed.
    #[arg(short, long)]
    pub(crate) verbose: bool,

    /// Play an org where this External Client App folder (`sfjwt eca new`) is deployed: its
    /// certificate, policies, scopes and IP relaxation, with this emulator's URL as My Domain.
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with = "config",
        requires = "client_id"
    )]
    pub(crate) eca: Option<PathBuf>,

    /// With --eca: the consumer key to play (Salesforce generates the real one on deploy).
    #[arg(long, value_name = "KEY", requires = "eca")]
    pub(crate) client_id: Option<String>,

    /// With --eca: a user who holds the app's permission set (repeatable).
    #[arg(long = "user", value_name = "USERNAME", requires = "eca")]
    pub(crate) users: Vec<String>,
}

/// `--bits`: the sizes Salesforce accepts and that sign in reasonable time.
fn parse_bits(value: &str) -> Result<usize, String> {
    match value {
        "2048" => Ok(2048),
        "3072" => Ok(3072),
        "4096" => Ok(4096),
        _ => Err("use 2048, 3072 or 4096".to_owned()),
    }
}
