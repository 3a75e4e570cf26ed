"""A Salesforce JWT-bearer client written the way the popular gist writes it: PyJWT with the
PEM string, then an HTTP POST with `requests`. compare.sh times this whole process.

usage: python_client.py TOKEN_URL CLIENT_ID USERNAME KEY_FILE AUDIENCE
"""
import sys
import time

import jwt
import requests

token_url, client_id, username, key_file, audience = sys.argv[1:6]
private_key = open(key_file).read()
claims = {"iss": client_id, "sub": username, "aud": audience, "exp": int(time.time()) + 180}
assertion = jwt.encode(claims, private_key, algorithm="RS256")
r = requests.post(
    token_url,
    data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
)
r.raise_for_status()
print("access token received" if r.json().get("access_token") else "no access token")
