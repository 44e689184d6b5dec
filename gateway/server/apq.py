"""Automatic persisted queries (Apollo's APQ protocol), an optional allow-list, and their stores."""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import orjson
from graphql import GraphQLError

from gateway.base.settings import Settings, secret
from gateway.server.http.errors import BAD_REQUEST, HttpError
from gateway.server.http.params import GraphQLParams, Resolved

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"

# Documents longer than this run but are not stored, so the store's memory stays bounded
# by entries x this size whatever callers register.
MAX_STORED_QUERY_CHARS = 100_000
# As Apollo Server: "not found" / "not supported" answer 200 and must not be cached, since
# the very next request (with the query) makes the same URL succeed.
_RETRY_HEADERS = {"Cache-Control": "private, no-cache, must-revalidate"}
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
# Errors that say the document itself is wrong: such a document is never stored.
_DOCUMENT_ERRORS = frozenset({"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"})


def sha256_hex(query: str) -> str:
    # surrogatepass: a lone surrogate must not turn a hash into an exception.
    return hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()


class QueryStore(Protocol):
    """Documents by the lowercase hex SHA-256 of their text."""

    async def get(self, sha256: str) -> str | None: ...

    async def set(self, sha256: str, query: str) -> None: ...

    async def aclose(self) -> None: ...


class MemoryStore:
    """A least-recently-used store of at most `max_entries` documents, in this process."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, sha256: str) -> str | None:
        query = self._entries.get(sha256)
        if query is not None:
            self._entries.move_to_end(sha256)
        return query

    def put(self, sha256: str, query: str) -> None:
        self._entries[sha256] = query
        self._entries.move_to_end(sha256)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def get(self, sha256: str) -> str | None:
        return self.lookup(sha256)

    async def set(self, sha256: str, query: str) -> None:
        self.put(sha256, query)

    async def aclose(self) -> None:
        """Nothing to release: the entries go with the process."""


class PersistedQueries:
    """Turns a request's `query` / `extensions.persistedQuery` into the document to run.

    - `enabled` False: any `persistedQuery` answers PERSISTED_QUERY_NOT_SUPPORTED (clients
      then send full queries).
    - a hash alone: the stored document, else PERSISTED_QUERY_NOT_FOUND (clients then send
      the hash with the query);
    - a hash with the query: BAD_REQUEST when the hash is not the query's SHA-256, else the
      query runs and is stored once it parsed and validated;
    - `only` (allow-list mode): only documents in `operations` or already in the store run,
      whether named by hash or sent in full, and requests store nothing.
    """

    def __init__(
        self,
        store: QueryStore,
        *,
        enabled: bool = True,
        only: bool = False,
        operations: Mapping[str, str] | None = None,
    ) -> None:
        self.store = store
        self.enabled = enabled
        self.only = only
        self.operations = dict(operations or {})

    async def lookup(self, sha256: str) -> str | None:
        listed = self.operations.get(sha256)
        return listed if listed is not None else await self.store.get(sha256)

    async def resolve(self, params: GraphQLParams) -> Resolved:
        persisted = (params.extensions or {}).get("persistedQuery")
        if persisted is None:
            # params.py refuses a request with neither `query` nor `persistedQuery`.
            assert params.query is not None
            if self.only:
                await self._check_listed(sha256_hex(params.query))
            return Resolved(params.query)
        if not self.enabled:
            raise HttpError(
                200, PERSISTED_QUERY_NOT_SUPPORTED, "PersistedQueryNotSupported", _RETRY_HEADERS
            )
        sha256 = _persisted_hash(persisted)
        if params.query is None:
            query = await self.lookup(sha256)
            if query is None:
                raise HttpError(
                    200, PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound", _RETRY_HEADERS
                )
            return Resolved(query)
        if sha256_hex(params.query) != sha256:
            raise HttpError(400, BAD_REQUEST, "provided sha does not match query")
        if self.only:
            await self._check_listed(sha256)
            return Resolved(params.query)
        return Resolved(params.query, register=sha256)

    async def executed(self, resolved: Resolved, errors: list[GraphQLError] | None) -> None:
        """Store a registered document unless it failed to parse or validate."""
        if resolved.register is None or len(resolved.query) > MAX_STORED_QUERY_CHARS:
            return
        if any((error.extensions or {}).get("code") in _DOCUMENT_ERRORS for error in errors or ()):
            return
        await self.store.set(resolved.register, resolved.query)

    async def aclose(self) -> None:
        await self.store.aclose()

    async def _check_listed(self, sha256: str) -> None:
        if await self.lookup(sha256) is None:
            raise HttpError(
                403,
                PERSISTED_QUERY_NOT_IN_LIST,
                "Only registered operations run on this gateway (persisted_queries_only), "
                "and this document is not one of them.",
            )


def _persisted_hash(persisted: Any) -> str:
    if not isinstance(persisted, dict):
        raise HttpError(400, BAD_REQUEST, "`extensions.persistedQuery` must be an object.")
    if persisted.get("version") != 1:
        raise HttpError(400, BAD_REQUEST, "Unsupported persisted query version")
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise HttpError(
            400,
            BAD_REQUEST,
            "`extensions.persistedQuery.sha256Hash` must be the SHA-256 of the query in hex.",
        )
    return sha256.lower()


def load_operations(path: str | Path) -> dict[str, str]:
    """The operations of a manifest file, by SHA-256: Apollo's persisted query manifest
    (`{"format": "apollo-persisted-query-manifest", "operations": [{"id", "body"}]}`) or a
    plain JSON object of hash to document (graphql-codegen's persisted documents, Relay).
    Every id must be the SHA-256 of its document, as the APQ protocol names documents so.
    """
    try:
        data = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ValueError(f"persisted queries file {path}: {exc}") from None
    if isinstance(data, dict) and "operations" in data:
        entries = data["operations"]
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ValueError(f"persisted queries file {path}: `operations` must be a list")
        pairs = [(entry.get("id"), entry.get("body")) for entry in entries]
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        raise ValueError(f"persisted queries file {path}: expected a JSON object")
    operations: dict[str, str] = {}
    for sha256, query in pairs:
        if not isinstance(sha256, str) or not isinstance(query, str):
            raise ValueError(f"persisted queries file {path}: ids and bodies must be strings")
        if sha256_hex(query) != sha256.lower():
            raise ValueError(
                f"persisted queries file {path}: id {sha256[:80]} is not the SHA-256 of its "
                "document"
            )
        operations[sha256.lower()] = query
    return operations


def create_persisted_queries(settings: Settings) -> PersistedQueries:
    """The persisted queries `settings` describe: in memory, or in Redis behind memory."""
    local = MemoryStore(settings.persisted_query_cache_size)
    store: QueryStore = local
    redis_url = secret(settings.redis_url)
    if redis_url is not None:
        # Imported here so a gateway without Redis never loads the client library.
        from gateway.server.apq_redis import RedisStore

        store = RedisStore(redis_url, ttl=settings.persisted_query_ttl, local=local)
    path = settings.persisted_queries_file
    return PersistedQueries(
        store,
        enabled=settings.persisted_queries,
        only=settings.persisted_queries_only,
        operations=load_operations(path) if path else None,
    )
