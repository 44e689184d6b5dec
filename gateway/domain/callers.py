"""Who the caller is, remembered per credentials for a short while across requests.

`follow` and `unfollow` default to the caller, whose catalog user id costs a
`loggedInUser` call. A frontend sends the same credentials with every request, so the
answer is kept for `ttl` seconds, keyed by a SHA-256 of the `Authorization` value (no
token is kept), in a bounded LRU. Only the id is kept: the `me` query still asks.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable


class CallerCache:
    """Catalog user ids by credentials, each for `ttl` seconds of `clock`, at most `size`
    of them (the least recently used goes first)."""

    def __init__(
        self, ttl: float, size: int = 1024, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.size = size
        self._clock = clock
        self._ids: OrderedDict[bytes, tuple[float, str]] = OrderedDict()

    @staticmethod
    def key(credentials: str | None) -> bytes:
        # None: the service token answers for the caller.
        return hashlib.sha256(b"\0" if credentials is None else credentials.encode()).digest()

    def get(self, credentials: str | None) -> str | None:
        if self.ttl <= 0:
            return None
        key = self.key(credentials)
        found = self._ids.get(key)
        if found is None:
            return None
        expires, user_id = found
        if expires <= self._clock():
            del self._ids[key]
            return None
        self._ids.move_to_end(key)
        return user_id

    def put(self, credentials: str | None, user_id: str) -> None:
        if self.ttl <= 0:
            return
        key = self.key(credentials)
        self._ids[key] = (self._clock() + self.ttl, user_id)
        self._ids.move_to_end(key)
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
