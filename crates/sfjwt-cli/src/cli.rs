//! The command line: every command, flag and environment variable, with a worked example in
//! each command's `--help`. The interface is a contract: scripts depend on it.

use clap::{Parser, Subcommand};

use crate::commands::{
    api, assertion, check, demo, eca, emulate, keygen, keystore, logout, probe, token, verify,
};

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
    #[command(after_help = token::EXAMPLE)]
    Token(token::TokenArgs),
    /// Print a signed assertion (the JWT) and nothing else.
    #[command(after_help = assertion::EXAMPLE)]
    Assertion(assertion::AssertionArgs),
    /// Verify an assertion strictly with a certificate or public key; print its claims.
    #[command(after_help = verify::EXAMPLE)]
    Verify(verify::VerifyArgs),
    /// Generate server.key (PKCS#8, mode 0600) and server.crt (self-signed X.509) for the app.
    #[command(after_help = keygen::EXAMPLE)]
    Keygen(keygen::KeygenArgs),
    /// Write a Java KeyStore (JKS) of key and certificate for Salesforce's Import from Keystore
    /// (Apex org-to-org: `Auth.JWS(jwt, 'ALIAS')`).
    #[command(after_help = keystore::EXAMPLE)]
    Keystore(keystore::KeystoreArgs),
    /// Diagnose key, certificate, claims and endpoint offline, one line per finding.
    #[command(after_help = check::EXAMPLE)]
    Check(check::CheckArgs),
    /// Run a local Salesforce login server (sfjwt-emulator) in the foreground.
    #[command(after_help = emulate::EXAMPLE)]
    Emulate(emulate::EmulateArgs),
    /// Walk through the whole flow against a local emulator, offline, in seconds.
    #[command(after_help = demo::EXAMPLE)]
    Demo(demo::DemoArgs),
    /// Call the org's REST API with the cached token (re-logs in once if the session ended).
    #[command(after_help = api::EXAMPLE)]
    Api(api::ApiArgs),
    /// Remove this identity's cached token (--all: every cached token).
    #[command(after_help = logout::EXAMPLE)]
    Logout(logout::LogoutArgs),
    /// Find the login URL and audience this org wants: tries the Salesforce CLI's pairs (at
    /// most 6 requests) and prints the `sfjwt token` flags that worked.
    #[command(after_help = probe::EXAMPLE)]
    Probe(probe::ProbeArgs),
    /// The External Client App as code: `eca new` writes the deployable metadata (sf project
    /// deploy start), the first way to set up the org.
    #[command(after_help = eca::EXAMPLE)]
    Eca(eca::EcaArgs),
}
