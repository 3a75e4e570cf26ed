#!/usr/bin/env bash
# Installs what the tests need on a fresh machine. Idempotent; safe to run by hand.
# Tests never skip: without these tools they fail and name this script as the fix.
set -euo pipefail
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# - redis-server: sfjwt-redis and the CLI cache tests start their own on a free loopback port;
# - openssl: the CLI tests cross-check keygen's and keystore's files with it;
# - keytool (default-jdk-headless, Java 17+): the keystore tests read every JKS back with it.
missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v keytool >/dev/null 2>&1 || missing="$missing default-jdk-headless"
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # shellcheck disable=SC2086 # one word per package
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
redis-server --version
openssl version
echo "keytool: $(readlink -f "$(command -v keytool)")"
