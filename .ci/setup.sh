#!/usr/bin/env bash
# Installs what the tests need on a fresh machine, and only what is missing (idempotent; a
# second run installs nothing). `bash .ci/test.sh`, the README's test command, runs this first;
# run it by hand to prepare a machine for plain `cargo test --workspace`.
#
# As root it needs no sudo; otherwise it uses passwordless sudo if there is one. Where it
# cannot install (no root, no sudo, no registry), it stops before anything is built, with one
# line per missing tool and the command that installs it.
#
# Tests never skip: without these tools they fail and name this script as the fix.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, as `command-to-look-for package`:
# - redis-server: sfjwt-redis and the CLI cache tests start their own on a free loopback port;
# - openssl: the CLI tests cross-check keygen's and keystore's files with it;
# - keytool (default-jdk-headless, Java 17+): the keystore tests read every JKS back with it;
# - softhsm2-util (softhsm2): sfjwt-pkcs11 tests make their own SoftHSM2 tokens;
# - npm: installs Node 22 and the Salesforce CLI (.ci/setup-clients.sh, below);
# - python3 -m venv (python3-venv): the venv for the Python tools below.
debian_tools=(
  "redis-server redis-server"
  "openssl openssl"
  "keytool default-jdk-headless"
  "softhsm2-util softhsm2"
  "npm npm"
)
missing=()
for pair in "${debian_tools[@]}"; do
  command -v "${pair%% *}" >/dev/null 2>&1 || missing+=("${pair#* }")
done
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)

# How this user installs packages: as root directly, otherwise through passwordless sudo.
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    as_root=(sudo -n)
  else
    as_root=(none)
  fi
fi

cannot_install() { # reason, then the missing packages
  local reason=$1
  shift
  echo "setup: cannot install what the tests need ($reason):" >&2
  for package in "$@"; do
    echo "  missing $package; fix: sudo apt-get update && sudo apt-get install -y $package" >&2
  done
  echo "  then: bash .ci/setup.sh (as this user: moto and simple-salesforce into .ci/venv, Node 22 and the Salesforce CLI into .ci/clients)" >&2
  exit 1
}

if [ ${#missing[@]} -gt 0 ]; then
  if [ "${as_root[*]}" = none ]; then
    cannot_install "not root, and sudo needs a password" "${missing[@]}"
  fi
  command -v apt-get >/dev/null 2>&1 || cannot_install "no apt-get on this machine" "${missing[@]}"
  echo "setup: installing ${missing[*]} (apt-get)" >&2
  { "${as_root[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq "${missing[@]}"; } >/dev/null ||
    cannot_install "apt-get failed; is the package registry reachable?" "${missing[@]}"
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true

redis-server --version
openssl version
echo "keytool: $(readlink -f "$(command -v keytool)")"
softhsm2-util --version

# sfjwt-aws-kms tests start moto (a local AWS KMS, PyPI `moto[server]`) on a free loopback
# port. It goes into a venv inside the checkout (ignored by git), where the tests look first.
venv=".ci/venv"
if ! "$venv/bin/python" -c 'import moto.server, flask' >/dev/null 2>&1; then
  echo "setup: installing moto[server] into $venv (pip)" >&2
  pip_moto() { "$venv/bin/pip" install -q --disable-pip-version-check 'moto[server]>=5,<6'; }
  # Up to three tries: a registry can drop a connection.
  { python3 -m venv "$venv" && { pip_moto || { sleep 5 && pip_moto; } || { sleep 10 && pip_moto; }; }; } ||
    { echo "setup: missing moto; fix: python3 -m venv $venv && $venv/bin/pip install 'moto[server]>=5,<6' (PyPI must be reachable)" >&2; exit 1; }
fi
"$venv/bin/moto_server" --help >/dev/null && echo "moto $("$venv/bin/python" -c 'import moto; print(moto.__version__)')"

# The real clients the emulator's tests drive: the Salesforce CLI on its own Node 22 (npm)
# and simple-salesforce (PyPI, into the venv above).
bash .ci/setup-clients.sh
