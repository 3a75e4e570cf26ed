#!/usr/bin/env bash
# Regenerates the seed files (`seed-*`) of the committed corpus from testdata/.
# Entries found by fuzzing (named by their SHA-1) are kept. Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
td=../testdata
c=corpus

# private_key: first byte = selector (bit 1: 0 = PEM text, 1 = DER; bit 0: passphrase given).
mkdir -p "$c/private_key"
for f in "$td"/keys/*; do
  name=$(basename "$f")
  case "$name" in
    rsa4096.pkcs1.der|rsa4096.pkcs8.pem|*.crt.*|*.csr.pem|*.pub|*spki*|*public*) continue ;;
  esac
  case "$name" in
    *.der) sel_plain='\x02'; sel_pass='\x03' ;;
    *) sel_plain='\x00'; sel_pass='\x01' ;;
  esac
  { printf "$sel_plain"; cat "$f"; } > "$c/private_key/seed-$name"
  case "$name" in
    *aes*|*des3*|*scrypt*|*pbkdf2*) { printf "$sel_pass"; cat "$f"; } > "$c/private_key/seed-$name-pass" ;;
  esac
done

# public_key_cert: certificates, SPKI and PKCS#1 public keys, and non-certificates.
mkdir -p "$c/public_key_cert"
for f in "$td"/keys/*.crt.* "$td"/keys/*spki* "$td"/keys/*public* "$td"/keys/rsa2048.csr.pem "$td"/keys/openssh-rsa2048.pub "$td"/keys/ec-p256.pkcs8.pem; do
  cp "$f" "$c/public_key_cert/seed-$(basename "$f")"
done

# jws_verify: every KAT token, valid and altered.
mkdir -p "$c/jws_verify"
python3 - "$td" "$c/jws_verify" <<'PY'
import json, sys
td, out = sys.argv[1], sys.argv[2]
tokens = []
for v in json.load(open(f"{td}/kat/assertions.json")):
    if v["key"].startswith("keys/rsa2048.pkcs"):
        tokens.append(v["jwt"])
for v in json.load(open(f"{td}/kat/wrong-signatures.json")):
    tokens.append(v["jwt"])
for i, t in enumerate(tokens[:24]):
    open(f"{out}/seed-kat-{i:02}", "w").write(t)
for name, t in {"empty": "", "dots": "..", "none-alg": "eyJhbGciOiJub25lIn0.e30.", "two": "a.b"}.items():
    open(f"{out}/seed-{name}", "w").write(t)
PY

# claims and sign_verify: `arbitrary` input; a few byte strings shaped like the KAT claims.
for t in claims sign_verify; do
  mkdir -p "$c/$t"
  printf '\x01\x203MVG9Mr0NcAoghDKVHej\x01\x19integration.user@acme.com\x01\x00\x00\x00\x00\x00' > "$c/$t/seed-basic"
  printf '\x01\x083MVG9abc\x01\x0cetl@acme.com\x03\x1chttps://acme.my.salesforce.com\x00\x01\x00\x00\x00\x00\x65\x53\xf1\x00' > "$c/$t/seed-parse-aud"
  printf '\x01\x083MVG9abc\x01\x0cetl@acme.com\x02\x00\x01\x00\x00\x00\x00\x00\x00\x00\xb4\x00\x01\x00\x00\x00\x00\x65\x53\xf1\x00' > "$c/$t/seed-sandbox-exp"
done
