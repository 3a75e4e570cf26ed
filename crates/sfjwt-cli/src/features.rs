//! The optional backends this binary was built with (cargo features; `Cargo.toml` says why each
//! is on or off by default). `--version` lists them, and a flag that needs a missing one fails
//! with exit 2 and the `cargo install` line that adds it, instead of an obscure parse error.

use std::sync::LazyLock;

use crate::error::CliError;

/// Each optional backend: its cargo feature and whether this binary has it.
const BACKENDS: [(&str, bool); 3] = [
    ("pkcs11", cfg!(feature = "pkcs11")),
    ("redis", cfg!(feature = "redis")),
    ("aws-kms", cfg!(feature = "aws-kms")),
];

/// `sfjwt --version`: the version, then the backends built in and those left out.
pub(crate) fn version() -> &'static str {
    static TEXT: LazyLock<String> = LazyLock::new(|| {
        let list = |wanted: bool| {
            let names: Vec<&str> = BACKENDS
                .iter()
                .filter(|(_, built)| *built == wanted)
                .map(|(name, _)| *name)
                .collect();
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        };
        format!(
            "{} (features: {}; not built in: {})",
            env!("CARGO_PKG_VERSION"),
            list(true),
            list(false)
        )
    });
    &TEXT
}

/// The error for `what` (e.g. `--key awskms:…`) in a binary built without `feature`.
pub(crate) fn not_built(feature: &str, what: &str) -> CliError {
    CliError::local(format!(
        "{what} needs the `{feature}` feature, and this sfjwt was built without it"
    ))
    .hint(format!(
        "cargo install sfjwt-cli --features {feature}   (in a checkout: cargo install --path crates/sfjwt-cli --features {feature})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_names_every_backend_once() {
        let text = version();
        for (name, _) in BACKENDS {
            assert_eq!(text.matches(name).count(), 1, "{text}");
        }
        assert!(text.starts_with(env!("CARGO_PKG_VERSION")), "{text}");
    }

    #[test]
    fn a_missing_backend_names_the_install_line() {
        let error = not_built("aws-kms", "--key awskms:…");
        assert_eq!(error.exit(), crate::error::Exit::Local);
        assert!(
            error
                .to_string()
                .contains("cargo install sfjwt-cli --features aws-kms"),
            "{error}"
        );
    }
}
