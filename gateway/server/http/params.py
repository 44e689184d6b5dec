"""The GraphQL-over-HTTP request parameters, read from a GET query string or a JSON body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson

from gateway.server.http.errors import BAD_REQUEST, HttpError


@dataclass(frozen=True, slots=True)
class GraphQLParams:
    """A well-formed request: `query` is a string (it may still fail to parse), or None when
    `extensions.persistedQuery` names the document instead."""

    query: str | None
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Resolved:
    """The document a request runs; `register`: the persisted query hash to store it under
    once it validated (docs/apq.md)."""

    query: str
    register: str | None = None


NO_QUERY = "The request has no `query`: send the GraphQL document as a string."


def _bad(message: str) -> HttpError:
    return HttpError(400, BAD_REQUEST, message)


def _check(data: dict[str, Any]) -> GraphQLParams:
    query = data.get("query")
    if query is None:
        if not _names_persisted_query(data.get("extensions")):
            raise _bad(NO_QUERY)
    elif not isinstance(query, str):
        raise _bad("`query` must be a string holding the GraphQL document.")
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise _bad("`operationName` must be a string or null.")
    for name in ("variables", "extensions"):
        value = data.get(name)
        if value is not None and not isinstance(value, dict):
            raise _bad(f"`{name}` must be an object (map) or null.")
    return GraphQLParams(
        query=query,
        # The empty string means "omitted" (spec: GET; the same reading is harmless in POST).
        operation_name=operation_name or None,
        variables=data.get("variables"),
        extensions=data.get("extensions"),
    )


def _names_persisted_query(extensions: object) -> bool:
    return isinstance(extensions, dict) and extensions.get("persistedQuery") is not None


def from_json_body(body: bytes) -> GraphQLParams:
    """The parameters of a POST `application/json` body (one JSON object)."""
    if not body.strip():
        raise _bad("The request body is empty: send a JSON object with a `query`.")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise _bad("The request body is not valid UTF-8 JSON.") from None
    if isinstance(data, list):
        raise _bad(
            "Batched requests (a JSON array) are not supported: send one operation per request."
        )
    if not isinstance(data, dict):
        raise _bad("The request body must be a JSON object with a `query`.")
    return _check(data)


def from_query_string(query_string: bytes) -> GraphQLParams:
    """The parameters of a GET request, URL-encoded; `variables`/`extensions` as JSON text."""
    try:
        pairs = parse_qsl(
            query_string.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except UnicodeDecodeError:
        raise _bad("The query string is not valid UTF-8.") from None
    data: dict[str, Any] = {}
    for name, value in pairs:
        if name in data:
            raise _bad(f"The parameter `{name}` is given more than once.")
        data[name] = value
    for name in ("variables", "extensions"):
        text = data.get(name)
        if text is None:
            continue
        if text == "":
            data[name] = None
            continue
        try:
            data[name] = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise _bad(f"`{name}` must be a JSON-encoded object.") from None
    return _check(data)
