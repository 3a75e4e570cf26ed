#!/usr/bin/env bash
# What one RS256 signature costs with the key in a vault: a SoftHSM2 token (PKCS#11) and AWS
# KMS (moto on loopback), beside the file key. Makes a throwaway token and a local KMS, then
# runs `vault_timing`. Installs what it needs first (`.ci/setup.sh`: softhsm2, moto in .ci/venv).
#
# Usage: bash benches/vault.sh [SECONDS_PER_CASE]   (PROFILE=dev to skip the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3}
profile=${PROFILE:-release}
bash .ci/setup.sh >/dev/null

work=$(mktemp -d)
moto_pid=""
cleanup() { [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

module=/usr/lib/softhsm/libsofthsm2.so
[ -f "$module" ] || module=/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so
mkdir "$work/tokens"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$work/tokens" > "$work/softhsm2.conf"
export SOFTHSM2_CONF="$work/softhsm2.conf"
echo 1234 > "$work/pin"
softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 12345678 >/dev/null
softhsm2-util --import testdata/keys/rsa2048.pkcs8.pem --token bench --label jwt --id 01 --pin 1234 >/dev/null
export SFJWT_BENCH_PKCS11_URI="pkcs11:token=bench;object=jwt?module-path=$module&pin-source=file:$work/pin"

venv=.ci/venv
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto_pid=$!
# boto3 (the key set-up below) reads AWS_DEFAULT_REGION, the Rust SDK reads AWS_REGION: set both.
export AWS_ENDPOINT_URL_KMS="http://127.0.0.1:$port" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true
for _ in $(seq 300); do
  "$venv/bin/python" - <<'PY' 2>/dev/null && break
import os, socket; socket.create_connection(("127.0.0.1", int(os.environ["AWS_ENDPOINT_URL_KMS"].rsplit(":", 1)[1])), 1)
PY
  sleep 0.2
done
"$venv/bin/python" - <<'PY'
import boto3, os
kms = boto3.client("kms", endpoint_url=os.environ["AWS_ENDPOINT_URL_KMS"])
key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
kms.create_alias(AliasName="alias/sfjwt-bench", TargetKeyId=key)
PY
export SFJWT_BENCH_KMS_KEY=alias/sfjwt-bench

flag=--release; [ "$profile" = dev ] && flag=""
cargo run -q $flag -p sfjwt-benches --bin vault_timing -- "$seconds"
