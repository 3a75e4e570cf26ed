#!/usr/bin/env bash
# Regenerates the seed files (`seed-*`) of the committed corpus from testdata/.
# Entries found by fuzzing (named by their SHA-1) are kept. Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
td=../testdata
c=corpus

# private_key: first byte = selector (bit 0: passphrase given; bit 1: via from_env_value).
mkdir -p "$c/private_key"
for f in "$td"/keys/*; do
  name=$(basename "$f")
  case "$name" in
    rsa4096.pkcs1.der|rsa4096.pkcs8.pem|*.crt.*|*.csr.pem|*.pub|*spki*|*public*) continue ;;
  esac
  sel_plain='\x00'; sel_pass='\x01'
  { printf "$sel_plain"; cat "$f"; } > "$c/private_key/seed-$name"
  case "$name" in
    *aes*|*des3*|*scrypt*|*pbkdf2*) { printf "$sel_pass"; cat "$f"; } > "$c/private_key/seed-$name-pass" ;;
  esac
done

# Environment-variable forms: literal "\n" escapes, one line with spaces, base64 of the PEM.
k="$td/keys/rsa2048.pkcs8.pem"
{ printf '\x02'; awk '{printf "%s\\n", $0}' "$k"; } > "$c/private_key/seed-env-escaped-newlines"
{ printf '\x02'; tr '\n' ' ' < "$k"; } > "$c/private_key/seed-env-one-line"
{ printf '\x02'; base64 -w0 "$k"; } > "$c/private_key/seed-env-base64"
{ printf '\x03'; awk '{printf "%s\\n", $0}' "$td/keys/rsa2048.legacy-aes128.pem"; } > "$c/private_key/seed-env-encrypted-pass"

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

# endpoint: first byte = selector (odd: My Domain name), then the text.
mkdir -p "$c/endpoint"
i=0
for u in "https://login.salesforce.com" "https://test.salesforce.com/" "https://acme.my.salesforce.com" \
         "https://acme--dev.sandbox.my.salesforce.com/services/oauth2/token" "http://127.0.0.1:8443" \
         "http://localhost:1234/" "http://[::1]:80" "https://ACME.My.Salesforce.com:443" \
         "http://login.salesforce.com" "https://user@evil.example/?q#f" "ftp://x" "https://acme.my.site.com/community"; do
  { printf '\x00'; printf '%s' "$u"; } > "$c/endpoint/seed-url-$i"; i=$((i+1))
done
for n in acme acme--dev.sandbox "a b" ""; do { printf '\x01'; printf '%s' "$n"; } > "$c/endpoint/seed-mydomain-$i"; i=$((i+1)); done

# response: bytes 0-1 status (big-endian, 100 + n % 900), byte 2 content type
# (0 none, 1 json;charset, 2 json, 3 html, 4 text/plain, 5 form), then the body.
mkdir -p "$c/response"
resp() { # name status(3-digit) ct body
  local n=$(( $2 - 100 )); printf "\\x$(printf %02x $((n / 256)))\\x$(printf %02x $((n % 256)))\\x$(printf %02x "$3")" > "$c/response/seed-$1"
  printf '%s' "$4" >> "$c/response/seed-$1"
}
resp ok 200 1 '{"access_token":"00Dxx0000001gPL!AQ0AQH0dMHZfz972Szmpkb58urFRkgeBGsxL_QJWwYMfAbUeeG7c1E6LYUfiDUkWe6H34r1AAwOR8B8fLEz6n04NPGRrq0FM","signature":"uKd0PfE0fMzGkMm8yZx7T/NfDc+qnTPz3tI0rdHwgwk=","scope":"web api","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS","token_type":"Bearer","issued_at":"1700000000123"}'
resp ok-community 200 2 '{"access_token":"00Dxx0000001gPL!AQ0AQH0d","scope":"api","instance_url":"https://acme.my.salesforce.com","id":"https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS","token_type":"Bearer","sfdc_community_url":"https://acme.my.site.com/c","sfdc_community_id":"0DBxx000000001","extra":{"a":[1,2]}}'
resp not-approved 400 1 '{"error":"invalid_grant","error_description":"user hasn'"'"'t approved this consumer"}'
resp audience 400 1 '{"error":"invalid_grant","error_description":"audience is invalid"}'
resp expired 400 1 '{"error":"invalid_grant","error_description":"expired authorization code"}'
resp client-id 400 1 '{"error":"invalid_client_id","error_description":"client identifier invalid"}'
resp grant-type 400 1 '{"error":"unsupported_grant_type","error_description":"grant type not supported"}'
resp rate 400 1 '{"error":"invalid_grant","error_description":"login rate exceeded"}'
resp app-access 400 2 '{"error":"invalid_app_access","error_description":"External client app is not installed in this org"}'
resp unknown-code 401 0 '{"error":"brand_new_code","error_description":"eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ.c2ln 00Dxx0000001gPL!AQ0AQH0dMHZfz972"}'
resp html-503 503 3 '<html><body>Service Unavailable: maintenance</body></html>'
resp html-200 200 0 '<!DOCTYPE html><html>'
resp truncated 200 1 '{"access_token":"00D'
resp plain 500 4 'upstream connect error'
resp empty 200 1 ''
resp array 200 2 '[1,2,3]'
resp wrong-shape 200 2 '{"access_token":42,"instance_url":"https://x"}'
resp error-not-string 400 2 '{"error":{"nested":true}}'

# jks_writer: alias length + alias, password length + password, chain count, per certificate a
# 2-byte length + bytes, 8 bytes of milliseconds, 20 bytes of salt, the rest as the key.
mkdir -p "$c/jks_writer"
salt='\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07'
ms='\x00\x00\x01\x8b\xcf\xe5\x68\x00'
printf "\x07sf_cert\x08changeit\x01\x00\x05\x30\x03\x02\x01\x01${ms}${salt}not really a key" > "$c/jks_writer/seed-basic"
printf "\x06caf\xc3\xa9\xe2\x82\xac\x0a\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80!\x02\x00\x02\x30\x00\x00\x02\x30\x00${ms}${salt}k" > "$c/jks_writer/seed-non-ascii-chain"
printf "\x05Upper\x06secret\x01\x00\x02\x30\x00${ms}${salt}k" > "$c/jks_writer/seed-upper-alias"
printf "\x01a\x06secret\x00${ms}${salt}k" > "$c/jks_writer/seed-empty-chain"
{ printf "\x0aorg_to_org\x08changeit\x01"; python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.stdout.buffer.write(len(d).to_bytes(2,"big")+d)' "$td/keys/rsa2048.crt.der"; printf "${ms}${salt}"; cat "$td/keys/rsa2048.pkcs8.der"; } > "$c/jks_writer/seed-real-key"
