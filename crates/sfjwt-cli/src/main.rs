//! `sfjwt`: the Salesforce OAuth 2.0 JWT Bearer flow from the command line.
//!
//! One binary for every step the classic tutorial spreads over openssl, jwt.io and Postman:
//! `keygen` makes the key and certificate, `check` diagnoses them offline, `assertion` and
//! `verify` replace jwt.io, `token` replaces Postman, `emulate` and `demo` run the whole flow
//! against a local login server. Failures print one line saying what is wrong and one hint
//! saying what to do, and exit with a documented code (see [`error`]).
#![forbid(unsafe_code)]
// The doc comments of the clap structs are the `--help` text read on a terminal, where bare
// URLs read best; rustdoc's link syntax would show up there verbatim.
#![allow(rustdoc::bare_urls)]

mod cache;
mod cli;
mod commands;
mod error;
mod features;
mod identity;
mod key_files;
mod output;
mod passphrase;
mod transport;
mod vault;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command};
use crate::output::Out;

fn main() -> ExitCode {
    install_panic_hook();
    // clap prints usage errors itself and exits 2 (help and --version exit 0).
    let cli = Cli::parse();
    let mut out = Out::stdout();
    let result = match cli.command {
        Command::Token(args) => commands::token::run(&args, &mut out),
        Command::Assertion(args) => commands::assertion::run(&args, &mut out),
        Command::Verify(args) => commands::verify::run(&args, &mut out),
        Command::Keygen(args) => commands::keygen::run(&args, &mut out),
        Command::Keystore(args) => commands::keystore::run(&args, &mut out),
        Command::Check(args) => commands::check::run(&args, &mut out),
        Command::Emulate(args) => commands::emulate::run(&args, &mut out),
        Command::Demo(args) if args.eca => commands::demo_eca::run(&mut out),
        Command::Demo(_) => commands::demo::run(&mut out),
        Command::Api(args) => commands::api::run(&args, &mut out),
        Command::Logout(args) => commands::logout::run(&args, &mut out),
        Command::Probe(args) => commands::probe::run(&args, &mut out),
        Command::Eca(args) => commands::eca::run(&args, &mut out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            drop(out);
            // If even stderr is gone there is no one left to tell.
            let _ = writeln!(std::io::stderr(), "{error}");
            error.exit().into()
        }
    }
}

/// No code path is meant to panic (the workspace lints forbid unwrap, expect, indexing and
/// `panic!`); should a dependency panic anyway, print one line instead of a backtrace and exit
/// with the "local problem" code. The payload is not printed: it could quote input.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let _ = writeln!(
            std::io::stderr(),
            "error: internal error in sfjwt{location}\n  hint: this is a bug; please report it with the command you ran (without secrets)"
        );
        std::process::exit(i32::from(error::Exit::Local as u8));
    }));
}
