#!/usr/bin/env bash
# TEST KEYS ONLY -- NEVER USE ANY KEY PRODUCED BY THIS SCRIPT IN PRODUCTION.
#
# Regenerates every fixture under testdata/keys/ and testdata/kat/ from scratch.
# Keys are random: running this makes NEW keys, so the KAT vectors in kat/
# (which pin the keys) are regenerated in the same run and must be committed
# together with the keys.  Only kat/rfc7515-a2.json and keys/rfc7515-a2.pem are
# deterministic (they come from RFC 7515 Appendix A.2).
#
# Needs: bash, openssl (3.x), ssh-keygen, python3 (>= 3.9).
# Creates testdata/.venv (git-ignored) with cryptography, PyJWT, jwcrypto.
# No sfjwt code is used anywhere in here.
set -euo pipefail

cd "$(dirname "$0")"

PASS='correct horse battery staple'
PY=.venv/bin/python

if [ ! -x "$PY" ]; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet cryptography PyJWT jwcrypto
fi
"$PY" -c 'import cryptography, jwt, jwcrypto' # fail early if the venv is broken

rm -rf keys kat
mkdir -p keys kat

# ---------------------------------------------------------------------------
# 1. RSA 2048/3072/4096: PKCS#1 + PKCS#8, PEM + DER, all of the SAME key,
#    plus a self-signed certificate per size.
# ---------------------------------------------------------------------------
for N in 2048 3072 4096; do
    openssl genrsa -traditional -out "keys/rsa$N.pkcs1.pem" "$N"
    openssl pkey -in "keys/rsa$N.pkcs1.pem" -out "keys/rsa$N.pkcs8.pem"
    openssl rsa -in "keys/rsa$N.pkcs1.pem" -traditional -outform DER -out "keys/rsa$N.pkcs1.der"
    openssl pkcs8 -topk8 -nocrypt -in "keys/rsa$N.pkcs1.pem" -outform DER -out "keys/rsa$N.pkcs8.der"
    openssl req -new -x509 -key "keys/rsa$N.pkcs8.pem" -sha256 -days 36500 \
        -subj "/CN=sfjwt test $N" -out "keys/rsa$N.crt.pem"
    openssl x509 -in "keys/rsa$N.crt.pem" -outform DER -out "keys/rsa$N.crt.der"
done

# Public forms of the 2048 key.
openssl pkey -in keys/rsa2048.pkcs8.pem -pubout -out keys/rsa2048.spki.pem
openssl pkey -in keys/rsa2048.pkcs8.pem -pubout -outform DER -out keys/rsa2048.spki.der
openssl rsa -in keys/rsa2048.pkcs8.pem -RSAPublicKey_out -out keys/rsa2048.pkcs1-public.pem
openssl rsa -in keys/rsa2048.pkcs8.pem -RSAPublicKey_out -outform DER -out keys/rsa2048.pkcs1-public.der

# ---------------------------------------------------------------------------
# 2. Encrypted forms of the rsa2048 key (passphrase: correct horse battery staple)
# ---------------------------------------------------------------------------
openssl pkcs8 -topk8 -in keys/rsa2048.pkcs8.pem -v2 aes-256-cbc -v2prf hmacWithSHA256 \
    -passout "pass:$PASS" -out keys/rsa2048.pkcs8.pbkdf2-aes256.pem
openssl pkcs8 -topk8 -in keys/rsa2048.pkcs8.pem -scrypt -v2 aes-256-cbc \
    -passout "pass:$PASS" -out keys/rsa2048.pkcs8.scrypt-aes256.pem
openssl pkcs8 -topk8 -in keys/rsa2048.pkcs8.pem -v2 aes-128-cbc -v2prf hmacWithSHA256 \
    -passout "pass:$PASS" -out keys/rsa2048.pkcs8.pbkdf2-aes128.pem
openssl pkcs8 -topk8 -in keys/rsa2048.pkcs8.pem -v2 des3 -v2prf hmacWithSHA256 \
    -passout "pass:$PASS" -out keys/rsa2048.pkcs8.pbkdf2-des3.pem

# Legacy OpenSSL PEM encryption (Proc-Type: 4,ENCRYPTED + DEK-Info) of the PKCS#1 key.
openssl rsa -in keys/rsa2048.pkcs1.pem -traditional -des3   -passout "pass:$PASS" -out keys/rsa2048.legacy-des3.pem
openssl rsa -in keys/rsa2048.pkcs1.pem -traditional -aes128 -passout "pass:$PASS" -out keys/rsa2048.legacy-aes128.pem
openssl rsa -in keys/rsa2048.pkcs1.pem -traditional -aes192 -passout "pass:$PASS" -out keys/rsa2048.legacy-aes192.pem
openssl rsa -in keys/rsa2048.pkcs1.pem -traditional -aes256 -passout "pass:$PASS" -out keys/rsa2048.legacy-aes256.pem

# A DIFFERENT, new 2048 key, generated already encrypted by genpkey, and its plain PKCS#8 form.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes256 \
    -pass "pass:$PASS" -out keys/rsa2048.genpkey-aes256.pem
openssl pkey -in keys/rsa2048.genpkey-aes256.pem -passin "pass:$PASS" -out keys/rsa2048.genpkey.plain.pem

# ---------------------------------------------------------------------------
# 3. Negative fixtures
# ---------------------------------------------------------------------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out keys/rsa1024.pkcs8.pem
openssl ecparam -name prime256v1 -genkey -noout -out keys/ec-p256.sec1.pem
openssl pkey -in keys/ec-p256.sec1.pem -out keys/ec-p256.pkcs8.pem
openssl genpkey -algorithm ED25519 -out keys/ed25519.pkcs8.pem
ssh-keygen -q -t rsa -b 2048 -N '' -C 'sfjwt TEST KEY ONLY' -f keys/openssh-rsa2048 </dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out keys/other2048.pkcs8.pem
openssl req -new -x509 -key keys/other2048.pkcs8.pem -sha256 -days 36500 \
    -subj "/CN=sfjwt test other 2048" -out keys/other2048.crt.pem
openssl req -new -key keys/rsa2048.pkcs8.pem -sha256 -subj "/CN=sfjwt test 2048" -out keys/rsa2048.csr.pem

# expired.crt.pem / notyetvalid.crt.pem (rsa2048 key, fixed validity windows)
"$PY" make_certs.py
# hostile.*.pem: encrypted keys whose KDF parameters demand gigabytes or hours (refused unread)
"$PY" make_hostile.py

# ---------------------------------------------------------------------------
# 4. Known-answer vectors (also writes keys/rfc7515-a2.pem)
# ---------------------------------------------------------------------------
"$PY" make_kats.py

# ---------------------------------------------------------------------------
# 5. Self-check + summary
# ---------------------------------------------------------------------------
fail=0
check() { # check DESCRIPTION COMMAND...
    if "${@:2}" >/dev/null 2>&1; then printf '  ok    %s\n' "$1"; else printf '  FAIL  %s\n' "$1"; fail=1; fi
}
hdr() { # hdr FILE EXPECTED-LINE -> the file must contain that exact line
    check "$1: has '$2'" grep -qxF -- "$2" "$1"
}
mod() { openssl rsa -noout -modulus "$@" 2>/dev/null; }
pemder() { # pemder PEM DER -> the DER file must be exactly the base64 body of the PEM file
    check "$2 == body of $1" cmp -s "$2" <(grep -v -- '-----' "$1" | base64 -d)
}

echo
echo "== self-check =="
for N in 2048 3072 4096; do
    hdr "keys/rsa$N.pkcs1.pem" '-----BEGIN RSA PRIVATE KEY-----'
    hdr "keys/rsa$N.pkcs8.pem" '-----BEGIN PRIVATE KEY-----'
    check "keys/rsa$N.pkcs1.der parses" openssl pkey -inform DER -in "keys/rsa$N.pkcs1.der" -noout
    check "keys/rsa$N.pkcs8.der parses" openssl pkey -inform DER -in "keys/rsa$N.pkcs8.der" -noout
    m=$(mod -in "keys/rsa$N.pkcs1.pem")
    check "rsa$N: pkcs8.pem same key"  test "$m" = "$(mod -in "keys/rsa$N.pkcs8.pem")"
    check "rsa$N: pkcs1.der same key"  test "$m" = "$(mod -inform DER -in "keys/rsa$N.pkcs1.der")"
    check "rsa$N: pkcs8.der same key"  test "$m" = "$(mod -inform DER -in "keys/rsa$N.pkcs8.der")"
    check "rsa$N: cert same key"       test "$m" = "$(openssl x509 -noout -modulus -in "keys/rsa$N.crt.pem")"
    check "rsa$N: crt.der parses"      openssl x509 -inform DER -in "keys/rsa$N.crt.der" -noout
    check "rsa$N: cert is X.509 v3"    sh -c "openssl x509 -in keys/rsa$N.crt.pem -noout -text | grep -q 'Version: 3 (0x2)'"
    check "rsa$N: cert sha256WithRSA"  sh -c "openssl x509 -in keys/rsa$N.crt.pem -noout -text | grep -q 'Signature Algorithm: sha256WithRSAEncryption'"
    pemder "keys/rsa$N.pkcs1.pem" "keys/rsa$N.pkcs1.der"
    pemder "keys/rsa$N.pkcs8.pem" "keys/rsa$N.pkcs8.der"
    pemder "keys/rsa$N.crt.pem" "keys/rsa$N.crt.der"
done
hdr keys/rsa2048.spki.pem '-----BEGIN PUBLIC KEY-----'
hdr keys/rsa2048.pkcs1-public.pem '-----BEGIN RSA PUBLIC KEY-----'
check "rsa2048.spki.der parses" openssl pkey -pubin -inform DER -in keys/rsa2048.spki.der -noout
pemder keys/rsa2048.spki.pem keys/rsa2048.spki.der
pemder keys/rsa2048.pkcs1-public.pem keys/rsa2048.pkcs1-public.der
check "rsa2048.pkcs1-public.der parses" openssl rsa -RSAPublicKey_in -inform DER -in keys/rsa2048.pkcs1-public.der -noout
m2048=$(mod -in keys/rsa2048.pkcs1.pem)
for f in pkcs8.pbkdf2-aes256 pkcs8.scrypt-aes256 pkcs8.pbkdf2-aes128 pkcs8.pbkdf2-des3; do
    hdr "keys/rsa2048.$f.pem" '-----BEGIN ENCRYPTED PRIVATE KEY-----'
    check "rsa2048.$f.pem decrypts to rsa2048" test "$m2048" = "$(mod -in "keys/rsa2048.$f.pem" -passin "pass:$PASS")"
done
for f in des3:DES-EDE3-CBC aes128:AES-128-CBC aes192:AES-192-CBC aes256:AES-256-CBC; do
    file="keys/rsa2048.legacy-${f%%:*}.pem"
    hdr "$file" '-----BEGIN RSA PRIVATE KEY-----'
    hdr "$file" 'Proc-Type: 4,ENCRYPTED'
    check "$file: DEK-Info ${f#*:}" grep -q "^DEK-Info: ${f#*:}," "$file"
    check "$file decrypts to rsa2048" test "$m2048" = "$(mod -in "$file" -passin "pass:$PASS")"
done
hdr keys/rsa2048.genpkey-aes256.pem '-----BEGIN ENCRYPTED PRIVATE KEY-----'
check "genpkey-aes256 == genpkey.plain" test "$(mod -in keys/rsa2048.genpkey.plain.pem)" = "$(mod -in keys/rsa2048.genpkey-aes256.pem -passin "pass:$PASS")"
check "genpkey key differs from rsa2048" test "$m2048" != "$(mod -in keys/rsa2048.genpkey.plain.pem)"
check "rsa1024 is 1024 bits" sh -c 'openssl pkey -in keys/rsa1024.pkcs8.pem -noout -text | grep -q "(1024 bit"'
hdr keys/ec-p256.sec1.pem '-----BEGIN EC PRIVATE KEY-----'
hdr keys/ec-p256.pkcs8.pem '-----BEGIN PRIVATE KEY-----'
check "ed25519 parses" openssl pkey -in keys/ed25519.pkcs8.pem -noout
hdr keys/openssh-rsa2048 '-----BEGIN OPENSSH PRIVATE KEY-----'
check "other2048 cert matches other2048 key" test "$(mod -in keys/other2048.pkcs8.pem)" = "$(openssl x509 -noout -modulus -in keys/other2048.crt.pem)"
check "other2048 differs from rsa2048" test "$m2048" != "$(mod -in keys/other2048.pkcs8.pem)"
hdr keys/rsa2048.csr.pem '-----BEGIN CERTIFICATE REQUEST-----'
check "csr verifies" openssl req -in keys/rsa2048.csr.pem -verify -noout
for c in expired notyetvalid; do
    check "$c.crt.pem is rsa2048's" test "$m2048" = "$(openssl x509 -noout -modulus -in "keys/$c.crt.pem")"
done
check "expired.crt.pem has expired" sh -c '! openssl x509 -in keys/expired.crt.pem -noout -checkend 0'
check "rfc7515-a2.pem parses" openssl pkey -in keys/rfc7515-a2.pem -noout

echo
echo "== summary =="
printf '%-45s %8s  %s\n' FILE BYTES FIRST-LINE
for f in keys/* kat/*; do
    printf '%-45s %8s  %s\n' "$f" "$(wc -c <"$f")" "$(head -c 60 "$f" | head -n1 | LC_ALL=C tr -c '[:print:]' '?')"
done
echo
echo "assertion vectors: $("$PY" -c 'import json;print(len(json.load(open("kat/assertions.json"))))')"
echo "TEST KEYS ONLY -- never use in production."
if [ "$fail" -ne 0 ]; then echo "SELF-CHECK FAILED" >&2; exit 1; fi
echo "all self-checks passed"
