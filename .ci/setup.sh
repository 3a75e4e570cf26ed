#!/usr/bin/env bash
# Installs what the tests need on a fresh machine. Idempotent; safe to run by hand.
set -euo pipefail
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# sfjwt-redis tests start their own redis-server on a free loopback port (Debian package).
if ! command -v redis-server >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
fi
redis-server --version
# sfjwt-cli's keystore tests read every JKS they write back with the JDK's keytool and check
# the key with openssl (Debian packages; Java 17+ keytool).
if ! command -v keytool >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq default-jdk-headless openssl >/dev/null
fi
echo "keytool: $(readlink -f "$(command -v keytool)")"
openssl version
