#!/usr/bin/env bash
# Installs what the tests need on a fresh machine. Idempotent; safe to run by hand.
set -euo pipefail
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# sfjwt-redis tests start their own redis-server on a free loopback port; the CLI tests
# cross-check keygen's files with openssl (Debian packages). Tests fail without them.
missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # shellcheck disable=SC2086 # one word per package
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
redis-server --version
openssl version
