"""Requests and answers of the persisted query protocol, as Apollo clients send and expect them."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import orjson

MODELS = "query Models($n: Int) { mlModels(first: $n) { nodes { name } } }"
FIRST_TWO = {
    "data": {"mlModels": {"nodes": [{"name": "ad_spend_allocator"}, {"name": "address_validator"}]}}
}
NOT_FOUND = {
    "errors": [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]
}
NO_CACHE = "private, no-cache, must-revalidate"
# GET needs a header a cross-site page could not send (CSRF prevention); Apollo's clients
# send it.
GET_HEADERS = {"Apollo-Require-Preflight": "true"}


def sha256(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def extensions(query: str, *, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256(query)}}


async def post(
    http: httpx.AsyncClient,
    query: str,
    *,
    send_query: bool,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST `query` by hash, with the document itself when `send_query`."""
    body: dict[str, Any] = {"extensions": extensions(query), "variables": variables}
    if send_query:
        body["query"] = query
    return await http.post("/graphql", json=body, headers=headers)


async def get(
    http: httpx.AsyncClient,
    query: str,
    *,
    send_query: bool,
    variables: dict[str, Any] | None = None,
) -> httpx.Response:
    """GET `query` by hash, as Apollo's `useGETForHashedQueries` sends it."""
    params = {"extensions": orjson.dumps(extensions(query)).decode()}
    if variables is not None:
        params["variables"] = orjson.dumps(variables).decode()
    if send_query:
        params["query"] = query
    return await http.get("/graphql", params=params, headers=GET_HEADERS)
