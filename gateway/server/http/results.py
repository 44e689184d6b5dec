"""A GraphQL result as an HTTP answer: the response body and its status for the media type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLError
from strawberry.types import ExecutionResult

from gateway.server.http.media import GRAPHQL_RESPONSE_JSON


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes


def _is_internal(error: GraphQLError) -> bool:
    return (error.extensions or {}).get("code") == "INTERNAL_SERVER_ERROR"


def answer(result: ExecutionResult, media_type: str) -> Answer:
    """Encode `result`; a request error (no execution) has no `data` entry.

    Errors raised before execution (parse, validation, operation resolution, variable
    coercion) carry no `path`, and leave `data` null. Field errors always have a path,
    even when they null the whole `data`, which is then a (partial) response: 200.
    application/json answers 200 to every well-formed request; with
    application/graphql-response+json a request error is 400 (500 if the gateway failed).
    """
    errors = result.errors or []
    request_error = result.data is None and bool(errors) and all(e.path is None for e in errors)
    payload: dict[str, Any] = {}
    if not request_error:
        payload["data"] = result.data
    if errors:
        payload["errors"] = [error.formatted for error in errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    status = 200
    if request_error and media_type == GRAPHQL_RESPONSE_JSON:
        status = 500 if any(_is_internal(error) for error in errors) else 400
    return Answer(status, orjson.dumps(payload))


def request_error(message: str, code: str, media_type: str) -> Answer:
    """A request error raised by the endpoint itself, e.g. an unknown `operationName`."""
    error = GraphQLError(message, extensions={"code": code})
    return answer(ExecutionResult(data=None, errors=[error]), media_type)
