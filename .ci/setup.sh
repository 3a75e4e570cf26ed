#!/usr/bin/env bash
# Installs what the tests need on a fresh machine. Idempotent; safe to run by hand.
set -euo pipefail
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# sfjwt-redis tests start their own redis-server on a free loopback port (Debian package).
# sfjwt-pkcs11 tests make their own SoftHSM2 tokens (Debian package `softhsm2`: the module
# libsofthsm2.so and softhsm2-util).
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v softhsm2-util >/dev/null 2>&1 || missing+=(softhsm2)
# python3-venv: the venv for moto below.
python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
redis-server --version
softhsm2-util --version

# sfjwt-aws-kms tests start moto (a local AWS KMS, PyPI `moto[server]`) on a free loopback
# port. It goes into a venv inside the checkout (ignored by git), where the tests look first.
venv=".ci/venv"
if ! "$venv/bin/python" -c 'import moto.server, flask' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]>=5,<6'
fi
"$venv/bin/moto_server" --help >/dev/null && echo "moto $("$venv/bin/python" -c 'import moto; print(moto.__version__)')"
