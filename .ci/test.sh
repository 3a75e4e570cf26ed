#!/usr/bin/env bash
# The README's test command. On a fresh machine it first installs what the tests need (only
# what is missing: .ci/setup.sh), then runs every test of every crate with every feature, so
# the optional backends of the `sfjwt` binary (PKCS#11, Redis, AWS KMS) are tested too.
# Extra arguments go to the test binaries, e.g. `bash .ci/test.sh --quiet`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
cargo test --workspace --all-features -- --show-output "$@"
