"""Times PyJWT RS256 signing two ways, printing `name ms_per_op` lines for compare.sh.

- preloaded: the key is parsed once (cryptography's RSA key object), as a careful client does;
- pem-each-call: the PEM string is passed to jwt.encode on every call, as the popular
  Salesforce JWT gist does (PyJWT then parses the key every time).
"""
import sys
import time

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_private_key

seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
pem = open(sys.argv[1], "rb").read()
claims = {
    "iss": "3MVG9Mr0NcAoghDKVHej_0PsPTo8o7161zVJ_iqrtWWvW8VvAmVG3upTH1tTwVWZ5EKFWIP.M4ahvhUqSkDWf",
    "sub": "integration.user@acme.com",
    "aud": "https://login.salesforce.com",
    "exp": int(time.time()) + 180,
}


def per_op_ms(op):
    for _ in range(20):
        op()
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < seconds:
        op()
        calls += 1
    return (time.perf_counter() - start) * 1000.0 / calls


key = load_pem_private_key(pem, password=None)
pem_text = pem.decode()
print(f"pyjwt-preloaded-sign-2048 {per_op_ms(lambda: jwt.encode(claims, key, algorithm='RS256')):.4f}")
print(f"pyjwt-pem-each-call-sign-2048 {per_op_ms(lambda: jwt.encode(claims, pem_text, algorithm='RS256')):.4f}")
