#!/usr/bin/env bash
# Installs what the tests need on a fresh machine. Idempotent; safe to run by hand.
# Tests never skip: without these tools they fail and name this script as the fix.
set -euo pipefail
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# Debian packages:
# - redis-server: sfjwt-redis and the CLI cache tests start their own on a free loopback port;
# - openssl: the CLI tests cross-check keygen's and keystore's files with it;
# - keytool (default-jdk-headless, Java 17+): the keystore tests read every JKS back with it;
# - softhsm2: sfjwt-pkcs11 tests make their own SoftHSM2 tokens (libsofthsm2.so, softhsm2-util);
# - python3-venv: the venv for moto below.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v keytool >/dev/null 2>&1 || missing+=(default-jdk-headless)
command -v softhsm2-util >/dev/null 2>&1 || missing+=(softhsm2)
python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
redis-server --version
openssl version
echo "keytool: $(readlink -f "$(command -v keytool)")"
softhsm2-util --version

# sfjwt-aws-kms tests start moto (a local AWS KMS, PyPI `moto[server]`) on a free loopback
# port. It goes into a venv inside the checkout (ignored by git), where the tests look first.
venv=".ci/venv"
if ! "$venv/bin/python" -c 'import moto.server, flask' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]>=5,<6'
fi
"$venv/bin/moto_server" --help >/dev/null && echo "moto $("$venv/bin/python" -c 'import moto; print(moto.__version__)')"
