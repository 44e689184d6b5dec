"""Secret values of a service connection, masked before anything reaches a client.

The catalog masks the `"format": "password"` properties of the connection schemas for
admins and hides the whole connection from other users, but answers bots (the usual
service account of a gateway) in clear. So the gateway masks again, the catalog's way
(`*********`), whatever the catalog answered: every property the connection schemas mark
as a password, every property whose name says it holds a secret (password, secret, token,
private key, API key, credentials JSON), and the password of a URI's user information
(`mysql+pymysql://user:*********@db:3306/mlflow`).
"""

from __future__ import annotations

import re
from typing import Any

MASK = "*********"
# `"format": "password"` properties of the catalog's connection and credentials schemas.
PASSWORD_PROPERTIES = frozenset(
    {
        "awsSecretAccessKey",
        "clientSecret",
        "keyStorePassword",
        "password",
        "privateKey",
        "secretKey",
        "spPrivateKey",
    }
)
_SECRET_NAME = re.compile(r"password|secret|token|privatekey|apikey|credentialsjson", re.I)
# scheme://user:password@host...: the password is everything from the first `:` of the
# user information to the last `@` before the host.
_URI_PASSWORD = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/:@?#]*):[^/?#]*@")


def is_secret(name: str) -> bool:
    return name in PASSWORD_PROPERTIES or _SECRET_NAME.search(name) is not None


def _mask_uri(text: str) -> str:
    return _URI_PASSWORD.sub(lambda m: f"{m.group('head')}:{MASK}@", text, count=1)


def mask_secrets(value: Any) -> Any:
    """`value` (decoded JSON) with every secret replaced by `*********`."""
    if isinstance(value, dict):
        return {
            key: MASK
            if is_secret(key) and item is not None and not isinstance(item, dict | list)
            else mask_secrets(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(item) for item in value]
    if isinstance(value, str):
        return _mask_uri(value)
    return value
