#!/usr/bin/env python3
"""Writes the hostile encrypted-key fixtures: encrypted PKCS#8 files whose key-derivation
parameters demand absurd work. sfjwt must refuse them *before* deriving anything.

- keys/hostile.scrypt-n20-r64.pem: scrypt N = 2^20, r = 64, p = 1 (8 GiB of memory).
- keys/hostile.scrypt-n18-r64.pem: scrypt N = 2^18, r = 64, p = 1 (2 GiB).
- keys/hostile.pbkdf2-4g.pem: PBKDF2-HMAC-SHA256 with 2^32 - 1 iterations (hours).

Salt, IV and ciphertext are copied from keys/rsa2048.pkcs8.scrypt-aes256.pem (so the files
are well-formed; no passphrase could decrypt them with the new parameters). Standard library
only: a minimal DER reader and writer.
"""
import base64
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
KEYS = HERE / "keys"


def read_tlv(data, i):
    tag = data[i]
    length = data[i + 1]
    i += 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(data[i : i + n], "big")
        i += n
    return tag, data[i : i + length], i + length


def children(value):
    out, i = [], 0
    while i < len(value):
        tag, body, i = read_tlv(value, i)
        out.append((tag, body))
    return out


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([tag, n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([tag, 0x80 | len(raw)]) + raw
    return head + body


def integer(v):
    raw = v.to_bytes(v.bit_length() // 8 + 1, "big")
    return tlv(0x02, raw)


def seq(*items):
    return tlv(0x30, b"".join(items))


def oid(dotted):
    parts = [int(p) for p in dotted.split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, body)


def pem(der):
    b64 = base64.b64encode(der).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END ENCRYPTED PRIVATE KEY-----\n"


def main():
    text = (KEYS / "rsa2048.pkcs8.scrypt-aes256.pem").read_text()
    body = "".join(l for l in text.splitlines() if not l.startswith("-----"))
    der = base64.b64decode(body)
    _, outer, _ = read_tlv(der, 0)
    (_, alg), (_, encrypted) = children(outer)
    _, pbes2_params = children(alg)
    (_, kdf), (_, cipher) = children(pbes2_params[1])
    _, scrypt_params = children(kdf)
    salt = children(scrypt_params[1])[0][1]
    cipher_oid, iv = children(cipher)

    def scrypt_key(n, r, p):
        params = seq(tlv(0x04, salt), integer(n), integer(r), integer(p))
        kdf = seq(oid("1.3.6.1.4.1.11591.4.11"), params)
        return kdf

    def pbkdf2_key(iterations):
        prf = seq(oid("1.2.840.113549.2.9"), tlv(0x05, b""))
        params = seq(tlv(0x04, salt), integer(iterations), prf)
        return seq(oid("1.2.840.113549.1.5.12"), params)

    def wrap(kdf):
        cipher_der = seq(tlv(cipher_oid[0], cipher_oid[1]), tlv(iv[0], iv[1]))
        alg_der = seq(oid("1.2.840.113549.1.5.13"), seq(kdf, cipher_der))
        return seq(alg_der, tlv(0x04, encrypted))

    for name, kdf in [
        ("hostile.scrypt-n20-r64.pem", scrypt_key(1 << 20, 64, 1)),
        ("hostile.scrypt-n18-r64.pem", scrypt_key(1 << 18, 64, 1)),
        ("hostile.pbkdf2-4g.pem", pbkdf2_key((1 << 32) - 1)),
    ]:
        (KEYS / name).write_text(pem(wrap(kdf)))
        print(f"wrote keys/{name}")


if __name__ == "__main__":
    main()
