"""Entity ETags and the `If-Match` check (contract SEARCH_LINEAGE_AUTHZ §4.4, OpenMetadata 1.13).

A single-entity GET answering 200 (by id, by name, or a stored version) carries
`ETag: "<first 16 hex digits of SHA-256("<version>-<updatedAt>")>"`, the version written as
Java prints a double (`0.2`, `1.0`) and `updatedAt` in epoch milliseconds: e.g. version 0.2
updated at 1714000000000 hashes `0.2-1714000000000`. Lists, version histories and write
answers carry none. Follow and vote change neither part, so they leave the ETag as it was
(the upstream hashed the whole body only after 1.13).

`If-Match` is checked on PATCH only: it matches when one of its comma-separated values is
`*`, the current strong ETag, or the weak `W/"<version>"`; otherwise the write is refused
with 412 and the current ETag in the message. Without the header the last write wins.
"""

from __future__ import annotations

import hashlib

from gateway.emulator.catalog.changes import as_number
from gateway.emulator.catalog.errors import CatalogError


def java_double(version: int) -> str:
    """A version (in tenths) as Java's `Double.toString` writes it: `0.1`, `1.0`, `12.3`."""
    return repr(as_number(version))


def etag(version: int, updated_at: int) -> str:
    digest = hashlib.sha256(f"{java_double(version)}-{updated_at}".encode()).hexdigest()
    return f'"{digest[:16]}"'


def weak_etag(version: int) -> str:
    return f'W/"{java_double(version)}"'


def check_if_match(header: str | None, version: int, updated_at: int) -> None:
    """Raise 412 unless an `If-Match` header (when sent and not empty) matches the entity."""
    if not header:
        return
    current = etag(version, updated_at)
    for value in header.split(","):
        candidate = value.strip()
        if candidate in ("*", current) or candidate == weak_etag(version):
            return
    raise CatalogError(
        412,
        f"The entity has been modified. Current ETag: {current}. "
        "Please refresh and retry with the latest version.",
    )
