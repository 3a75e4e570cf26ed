#!/usr/bin/env python3
"""TEST KEYS ONLY. Writes keys/expired.crt.pem and keys/notyetvalid.crt.pem.

Both are self-signed X.509 v3 (sha256WithRSAEncryption) certificates for the
public key of keys/rsa2048.pkcs8.pem with fixed validity windows:
  expired.crt.pem      notBefore 2020-01-01T00:00:00Z  notAfter 2021-01-01T00:00:00Z
  notyetvalid.crt.pem  notBefore 2090-01-01T00:00:00Z  notAfter 2099-01-01T00:00:00Z
Uses only the `cryptography` package. Run from testdata/ (gen.sh does).
"""
import datetime
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
UTC = datetime.timezone.utc


def main() -> None:
    with open(os.path.join(HERE, "keys/rsa2048.pkcs8.pem"), "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    for fname, cn, nb, na, serial in [
        ("expired.crt.pem", "sfjwt test 2048 expired",
         datetime.datetime(2020, 1, 1, tzinfo=UTC), datetime.datetime(2021, 1, 1, tzinfo=UTC), 0x2020),
        ("notyetvalid.crt.pem", "sfjwt test 2048 not yet valid",
         datetime.datetime(2090, 1, 1, tzinfo=UTC), datetime.datetime(2099, 1, 1, tzinfo=UTC), 0x2090),
    ]:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(nb)
            .not_valid_after(na)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        with open(os.path.join(HERE, "keys", fname), "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        print(f"wrote keys/{fname}: {nb.isoformat()} .. {na.isoformat()}")


if __name__ == "__main__":
    main()
