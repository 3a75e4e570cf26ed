#!/usr/bin/env python3
"""TEST KEYS ONLY. Writes the known-answer vectors under testdata/kat/ and
keys/rfc7515-a2.pem.

Uses ONLY: the openssl CLI, python `cryptography`, PyJWT and jwcrypto.
No sfjwt code is involved. Run from testdata/ via gen.sh (after the keys exist).

Outputs
  keys/rfc7515-a2.pem       RFC 7515 A.2 RSA key (values read from jwcrypto's own
                            test suite, i.e. jwcrypto/tests.py `A2_key`), as PKCS#8 PEM
  kat/rfc7515-a2.json       RFC 7515 A.2 signing input + signature
  kat/assertions.json       Salesforce JWT bearer assertions in sfjwt's canonical encoding
  kat/wrong-signatures.json assertions that MUST fail verification
"""
import ast
import base64
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile

import jwt as pyjwt  # PyJWT
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jwcrypto import jwk as jc_jwk
from jwcrypto import jws as jc_jws

HERE = os.path.dirname(os.path.abspath(__file__))


def die(msg: str) -> None:
    print("make_kats.py: FATAL: " + msg, file=sys.stderr)
    sys.exit(1)


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def b64u_dec(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64u_int(s: str) -> int:
    return int.from_bytes(b64u_dec(s), "big")


def path(rel: str) -> str:
    return os.path.join(HERE, rel)


def load_key(rel: str):
    with open(path(rel), "rb") as f:
        data = f.read()
    if rel.endswith(".der"):
        return serialization.load_der_private_key(data, password=None)
    return serialization.load_pem_private_key(data, password=None)


def openssl_sign(rel_key: str, msg: bytes) -> bytes:
    keyform = "DER" if rel_key.endswith(".der") else "PEM"
    with tempfile.TemporaryDirectory() as td:
        inp = os.path.join(td, "in")
        out = os.path.join(td, "sig")
        with open(inp, "wb") as f:
            f.write(msg)
        subprocess.run(
            ["openssl", "dgst", "-sha256", "-keyform", keyform, "-sign", path(rel_key), "-out", out, inp],
            check=True,
        )
        with open(out, "rb") as f:
            return f.read()


def openssl_verify(rel_key: str, msg: bytes, sig: bytes) -> bool:
    """Verify with the PUBLIC key extracted by openssl (independent of cryptography)."""
    keyform = "DER" if rel_key.endswith(".der") else "PEM"
    with tempfile.TemporaryDirectory() as td:
        pub = os.path.join(td, "pub.pem")
        inp = os.path.join(td, "in")
        sigf = os.path.join(td, "sig")
        subprocess.run(["openssl", "pkey", "-inform", keyform, "-in", path(rel_key), "-pubout", "-out", pub], check=True)
        with open(inp, "wb") as f:
            f.write(msg)
        with open(sigf, "wb") as f:
            f.write(sig)
        r = subprocess.run(
            ["openssl", "dgst", "-sha256", "-verify", pub, "-signature", sigf, inp],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return r.returncode == 0


def crypto_verify(key, msg: bytes, sig: bytes) -> bool:
    try:
        key.public_key().verify(sig, msg, padding.PKCS1v15(), hashes.SHA256())
        return True
    except InvalidSignature:
        return False


def jwcrypto_verify(key, compact: str) -> bool:
    pub_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    k = jc_jwk.JWK.from_pem(pub_pem)
    t = jc_jws.JWS()
    try:
        t.deserialize(compact)
        t.verify(k, alg="RS256")
        return True
    except Exception:
        return False


# ---------------------------------------------------------------------------
# RFC 7515 Appendix A.2
# ---------------------------------------------------------------------------
# The signing input as printed in RFC 7515 A.2.1; used as an extra cross-check
# against the byte arrays taken from jwcrypto's test-suite.
RFC7515_A2_SIGNING_INPUT = (
    "eyJhbGciOiJSUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
)


def jwcrypto_rfc7515_a2():
    """Read A2_key / A2_protected / A2_payload / A2_signature out of the jwcrypto
    package's tests.py (shipped in both its sdist and wheel) WITHOUT executing it."""
    spec = importlib.util.find_spec("jwcrypto")
    src_path = os.path.join(list(spec.submodule_search_locations)[0], "tests.py")
    with open(src_path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    consts = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in ("A1_payload", "A2_protected", "A2_payload", "A2_key", "A2_signature"):
                if isinstance(node.value, ast.Name):
                    consts[name] = consts[node.value.id]
                else:
                    consts[name] = ast.literal_eval(node.value)
    for n in ("A2_protected", "A2_payload", "A2_key", "A2_signature"):
        if n not in consts:
            die(f"{n} not found in {src_path}")
    return src_path, consts


def make_rfc7515() -> None:
    src_path, c = jwcrypto_rfc7515_a2()
    k = c["A2_key"]
    pub = rsa.RSAPublicNumbers(b64u_int(k["e"]), b64u_int(k["n"]))
    priv = rsa.RSAPrivateNumbers(
        p=b64u_int(k["p"]), q=b64u_int(k["q"]), d=b64u_int(k["d"]),
        dmp1=b64u_int(k["dp"]), dmq1=b64u_int(k["dq"]), iqmp=b64u_int(k["qi"]),
        public_numbers=pub,
    ).private_key()
    pem = priv.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    rel = "keys/rfc7515-a2.pem"
    with open(path(rel), "wb") as f:
        f.write(pem)

    signing_input = b64u(bytes(c["A2_protected"])) + "." + b64u(bytes(c["A2_payload"]))
    if signing_input != RFC7515_A2_SIGNING_INPUT:
        die("RFC 7515 A.2 signing input from jwcrypto does not match the RFC text")
    expected_sig = bytes(c["A2_signature"])
    msg = signing_input.encode("ascii")
    sig_c = priv.sign(msg, padding.PKCS1v15(), hashes.SHA256())
    if sig_c != expected_sig:
        die("cryptography did not reproduce the RFC 7515 A.2 signature")
    sig_o = openssl_sign(rel, msg)
    if sig_o != expected_sig:
        die("openssl dgst did not reproduce the RFC 7515 A.2 signature")
    if not openssl_verify(rel, msg, expected_sig):
        die("openssl dgst -verify rejected the RFC 7515 A.2 signature")
    if not jwcrypto_verify(priv, signing_input + "." + b64u(expected_sig)):
        die("jwcrypto rejected the RFC 7515 A.2 JWS")
    out = {
        "source": "RFC 7515 Appendix A.2",
        "key": rel,
        "signing_input": signing_input,
        "signature_b64url": b64u(expected_sig),
    }
    with open(path("kat/rfc7515-a2.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(f"kat/rfc7515-a2.json: key values from {src_path}; cryptography + openssl reproduce the RFC signature")


# ---------------------------------------------------------------------------
# Salesforce assertions
# ---------------------------------------------------------------------------
LOGIN = "https://login.salesforce.com"
TEST = "https://test.salesforce.com"


def consumer_key(seed: int) -> str:
    """85-char string shaped like a Salesforce connected-app consumer key
    ('3MVG9' + 80 of [A-Za-z0-9._]). Deterministic, NOT a real key."""
    rng = random.Random(f"sfjwt-consumer-key-{seed}")
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    body = [rng.choice(alnum) for _ in range(80)]
    # sprinkle a couple of '.' and '_' like real keys have
    for ch in "._" if seed % 2 else "_._":
        body[rng.randrange(1, 79)] = ch
    s = "3MVG9" + "".join(body)
    assert len(s) == 85, s
    return s


CK = [consumer_key(i) for i in range(8)]

K2_8, K2_1, K2_8D, K2_1D = ("keys/rsa2048.pkcs8.pem", "keys/rsa2048.pkcs1.pem",
                            "keys/rsa2048.pkcs8.der", "keys/rsa2048.pkcs1.der")
K3_8, K3_1, K3_8D, K3_1D = ("keys/rsa3072.pkcs8.pem", "keys/rsa3072.pkcs1.pem",
                            "keys/rsa3072.pkcs8.der", "keys/rsa3072.pkcs1.der")
K4_8, K4_1, K4_8D, K4_1D = ("keys/rsa4096.pkcs8.pem", "keys/rsa4096.pkcs1.pem",
                            "keys/rsa4096.pkcs8.der", "keys/rsa4096.pkcs1.der")
KRFC = "keys/rfc7515-a2.pem"

U = "integration.user@acme.com"

# (name, key, iss, sub, aud, exp)
CASES = [
    ("rsa2048-pkcs8-login-basic", K2_8, CK[0], U, LOGIN, 1700000000),
    ("rsa2048-pkcs1-login-basic (same claims as rsa2048-pkcs8-login-basic -> same jwt)", K2_1, CK[0], U, LOGIN, 1700000000),
    ("rsa2048-pkcs8der-login-basic (same jwt as rsa2048-pkcs8-login-basic)", K2_8D, CK[0], U, LOGIN, 1700000000),
    ("rsa2048-pkcs1der-login-basic (same jwt as rsa2048-pkcs8-login-basic)", K2_1D, CK[0], U, LOGIN, 1700000000),
    ("rsa2048-sandbox-test-realistic-exp", K2_8, CK[1], "integration.user@acme.com.uat", TEST, 1763900000),
    ("rsa2048-experience-cloud-site", K2_8, CK[2], "partner.user@acme-partners.com", "https://acme.my.site.com/partners", 1763900000),
    ("rsa2048-community-s-path", K2_1, CK[2], "community.member@example.com", "https://community.example.com/s", 1763900180),
    ("rsa2048-my-domain-aud", K2_8, CK[3], U, "https://acme.my.salesforce.com", 1763900000),
    ("rsa2048-custom-https-aud-port-path-query", K2_8, CK[3], U,
     "https://auth.example.org:8443/services/oauth2/token?tenant=acme&x=1", 1763900000),
    ("rsa2048-exp-2100-01-01", K2_8, CK[0], U, LOGIN, 4102444800),
    ("rsa2048-exp-1", K2_8, CK[0], U, LOGIN, 1),
    ("rsa2048-exp-2147483647-i32-max", K2_8, CK[0], U, LOGIN, 2147483647),
    ("rsa2048-exp-2147483648-past-2038", K2_8, CK[0], U, LOGIN, 2147483648),
    ("rsa2048-exp-253402300799-year-9999", K2_1, CK[0], U, LOGIN, 253402300799),
    ("rsa2048-sub-german-umlauts", K2_8, CK[4], "jürgen.müller@example.de", LOGIN, 1763900000),
    ("rsa2048-sub-chinese", K2_8, CK[4], "李雷@example.cn", LOGIN, 1763900000),
    ("rsa2048-sub-plus-accent-sandbox", K2_8, CK[4], "josé+etl@example.com.sandbox", TEST, 1763900000),
    ("rsa2048-sub-cyrillic", K2_1, CK[4], "иван.петров@example.ru", LOGIN, 1763900000),
    ("rsa2048-sub-arabic-rtl", K2_8, CK[4], "مستخدم@example.sa", LOGIN, 1763900000),
    ("rsa2048-sub-emoji-non-bmp", K2_8, CK[4], "ops🚀team@example.io", LOGIN, 1763900000),
    ("rsa2048-sub-quote-backslash-slash", K2_8, CK[5], 'o"brien\\ops/etl@example.com', LOGIN, 1763900000),
    ("rsa2048-sub-html-chars-not-escaped", K2_8, CK[5], "a<b>&'c@example.com", LOGIN, 1763900000),
    ("rsa2048-sub-u2028-and-del-raw", K2_8, CK[5], "line\u2028sep\u2029para\x7fdel@example.com", LOGIN, 1763900000),
    ("rsa2048-sub-control-chars-escaped", K2_8, CK[5], "tab\tnl\ncr\rbs\bff\fsoh\x01us\x1f@example.com", LOGIN, 1763900000),
    ("rsa3072-pkcs8-login", K3_8, CK[6], U, LOGIN, 1763900000),
    ("rsa3072-pkcs1-login (same jwt as rsa3072-pkcs8-login)", K3_1, CK[6], U, LOGIN, 1763900000),
    ("rsa3072-pkcs1der-login (same jwt as rsa3072-pkcs8-login)", K3_1D, CK[6], U, LOGIN, 1763900000),
    ("rsa3072-pkcs8-sandbox-umlauts", K3_8, CK[6], "jürgen.müller@example.de.qa", TEST, 4102444800),
    ("rsa3072-pkcs8der-experience-cloud", K3_8D, CK[6], "partner.user@acme-partners.com", "https://acme.my.site.com/partners", 2147483648),
    ("rsa4096-pkcs8-login", K4_8, CK[7], U, LOGIN, 1763900000),
    ("rsa4096-pkcs1-login (same jwt as rsa4096-pkcs8-login)", K4_1, CK[7], U, LOGIN, 1763900000),
    ("rsa4096-pkcs8der-login (same jwt as rsa4096-pkcs8-login)", K4_8D, CK[7], U, LOGIN, 1763900000),
    ("rsa4096-pkcs1der-community-chinese", K4_1D, CK[7], "李雷@example.cn", "https://community.example.com/s", 1700000000),
    ("rsa4096-pkcs8-sandbox-exp-1", K4_8, CK[7], "integration.user@acme.com.uat", TEST, 1),
    ("rfc7515-a2-key-login", KRFC, CK[0], U, LOGIN, 1763900000),
    # My Domain audiences: what External Client Apps want since Spring '26 (the My Domain is
    # both the token endpoint and the aud). Appended last so the vectors above keep their order.
    ("rsa2048-my-domain-sandbox-aud", K2_8, CK[3], "integration.user@acme.com.uat",
     "https://acme--uat.sandbox.my.salesforce.com", 1763900000),
    ("rsa3072-my-domain-production-aud", K3_8, CK[6], U, "https://acme.my.salesforce.com", 1763900180),
    ("rsa4096-pkcs1-my-domain-government-cloud-aud", K4_1, CK[7], U, "https://agency.my.salesforce.mil", 1763900000),
    ("rsa2048-pkcs1der-my-domain-developer-edition-aud", K2_1D, CK[3], U,
     "https://acme-dev-ed.develop.my.salesforce.com", 1763900000),
]

HEADER = b'{"alg":"RS256"}'


def claims_bytes(iss: str, sub: str, aud: str, exp: int) -> bytes:
    # Key order iss, sub, aud, exp; no whitespace; raw UTF-8; '/' not escaped.
    # For these inputs this is byte-identical to serde_json::to_vec with default settings.
    return json.dumps({"iss": iss, "sub": sub, "aud": aud, "exp": exp},
                      separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def make_assertions():
    out = []
    names = set()
    for name, key_rel, iss, sub, aud, exp in CASES:
        if name in names:
            die(f"duplicate case name {name}")
        names.add(name)
        key = load_key(key_rel)
        claims = claims_bytes(iss, sub, aud, exp)
        signing_input = (b64u(HEADER) + "." + b64u(claims)).encode("ascii")

        sig_o = openssl_sign(key_rel, signing_input)
        sig_c = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        if sig_o != sig_c:
            die(f"{name}: openssl and cryptography signatures differ")
        compact = signing_input.decode("ascii") + "." + b64u(sig_c)
        tools = ["openssl", "cryptography"]

        # PyJWT over the exact claims bytes (header {"alg":"RS256"}: typ removed).
        pj = pyjwt.api_jws.encode(claims, key, algorithm="RS256", headers={"typ": None})
        if isinstance(pj, bytes):
            pj = pj.decode("ascii")
        if pj != compact:
            die(f"{name}: PyJWT (bytes payload) differs:\n {pj}\n {compact}")
        # For ASCII-only claims, PyJWT can also do the JSON encoding itself from a dict;
        # this independently checks our claims serialisation.
        if claims.isascii():
            pj2 = pyjwt.encode({"iss": iss, "sub": sub, "aud": aud, "exp": exp}, key,
                               algorithm="RS256", headers={"typ": None})
            if pj2 != compact:
                die(f"{name}: PyJWT (dict payload) differs:\n {pj2}\n {compact}")
        tools.append("pyjwt")

        # Independent verification.
        if not openssl_verify(key_rel, signing_input, sig_c):
            die(f"{name}: openssl dgst -verify failed")
        if not jwcrypto_verify(key, compact):
            die(f"{name}: jwcrypto verify failed")
        # Round-trip decode check.
        h, p, _ = compact.split(".")
        if b64u_dec(h) != HEADER or json.loads(b64u_dec(p)) != {"iss": iss, "sub": sub, "aud": aud, "exp": exp}:
            die(f"{name}: decode round-trip failed")

        out.append({
            "name": name,
            "key": key_rel,
            "iss": iss,
            "sub": sub,
            "aud": aud,
            "exp": exp,
            "jwt": compact,
            "made_with": "+".join(tools),
        })

    # Same claims with different encodings of the same key must give the same JWT
    # (RSASSA-PKCS1-v1_5 is deterministic).
    by_claims = {}
    for o in out:
        size = o["key"].split("/")[1].split(".")[0]
        by_claims.setdefault((size, o["iss"], o["sub"], o["aud"], o["exp"]), set()).add(o["jwt"])
    for k, v in by_claims.items():
        if len(v) != 1:
            die(f"same key+claims gave different JWTs: {k}")

    with open(path("kat/assertions.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"kat/assertions.json: {len(out)} vectors, each openssl == cryptography == PyJWT, verified by openssl + jwcrypto")
    return out


def flip_sig_bit(compact: str, byte_index: int, bit: int) -> str:
    h, p, s = compact.split(".")
    sig = bytearray(b64u_dec(s))
    sig[byte_index] ^= 1 << bit
    return f"{h}.{p}.{b64u(bytes(sig))}"


def make_wrong(assertions) -> None:
    by_name = {a["name"]: a for a in assertions}
    wrong = []

    def add(name, base, jwt_str, mutation, key_rel=None):
        wrong.append({
            "name": name,
            "key": key_rel or base["key"],
            "based_on": base["name"],
            "mutation": mutation,
            "jwt": jwt_str,
        })

    a = by_name["rsa2048-pkcs8-login-basic"]
    add("rsa2048-sig-first-byte-msb-flipped", a, flip_sig_bit(a["jwt"], 0, 7), "signature byte 0, bit 7 (0x80) flipped")
    add("rsa2048-sig-last-byte-lsb-flipped", a, flip_sig_bit(a["jwt"], 255, 0), "signature byte 255, bit 0 (0x01) flipped")
    b = by_name["rsa2048-sub-german-umlauts"]
    add("rsa2048-umlauts-sig-middle-bit-flipped", b, flip_sig_bit(b["jwt"], 128, 3), "signature byte 128, bit 3 (0x08) flipped")
    c = by_name["rsa3072-pkcs8-login"]
    add("rsa3072-sig-byte-200-flipped", c, flip_sig_bit(c["jwt"], 200, 5), "signature byte 200, bit 5 (0x20) flipped")
    d = by_name["rsa4096-pkcs8-login"]
    add("rsa4096-sig-byte-511-flipped", d, flip_sig_bit(d["jwt"], 511, 0), "signature byte 511, bit 0 (0x01) flipped")
    # Claims changed (exp + 1), original signature kept.
    h, _, s = a["jwt"].split(".")
    tampered = b64u(claims_bytes(a["iss"], a["sub"], a["aud"], a["exp"] + 1))
    add("rsa2048-claims-exp-plus-one-original-sig", a, f"{h}.{tampered}.{s}", "claims re-encoded with exp+1, signature unchanged")
    # Valid signature, but by a different key (other2048) than the one named in "key".
    other = load_key("keys/other2048.pkcs8.pem")
    si = a["jwt"].rsplit(".", 1)[0]
    add("rsa2048-signed-by-other2048", a,
        si + "." + b64u(other.sign(si.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())),
        "signed with keys/other2048.pkcs8.pem; verify against keys/rsa2048.pkcs8.pem must fail")

    for w in wrong:
        key = load_key(w["key"])
        si, s = w["jwt"].rsplit(".", 1)
        if crypto_verify(key, si.encode("ascii"), b64u_dec(s)):
            die(f"{w['name']}: unexpectedly verifies with cryptography")
        if openssl_verify(w["key"], si.encode("ascii"), b64u_dec(s)):
            die(f"{w['name']}: unexpectedly verifies with openssl")
        if jwcrypto_verify(key, w["jwt"]):
            die(f"{w['name']}: unexpectedly verifies with jwcrypto")
    with open(path("kat/wrong-signatures.json"), "w", encoding="utf-8") as f:
        json.dump(wrong, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"kat/wrong-signatures.json: {len(wrong)} vectors, all rejected by cryptography, openssl and jwcrypto")


def main() -> None:
    os.makedirs(path("kat"), exist_ok=True)
    make_rfc7515()
    assertions = make_assertions()
    make_wrong(assertions)


if __name__ == "__main__":
    main()
