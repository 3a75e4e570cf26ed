#!/usr/bin/env bash
# Installs what the tests need on a fresh machine. Idempotent; safe to run by hand.
set -euo pipefail
rustup component add rustfmt clippy >/dev/null 2>&1 || true
