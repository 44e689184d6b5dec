"""Protocol-level failures (bad method, media type, body...) and their GraphQL-shaped bodies."""

from __future__ import annotations

from collections.abc import Mapping

import orjson

BAD_REQUEST = "BAD_REQUEST"
CSRF_BLOCKED = "CSRF_BLOCKED"
CORS_REJECTED = "CORS_REJECTED"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"


class HttpError(Exception):
    """A request the endpoint refuses before any GraphQL execution, with its HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def body(self) -> bytes:
        return error_body(self.message, self.code)


def error_body(message: str, code: str) -> bytes:
    """`{"errors": [{"message", "extensions": {"code"}}]}`, the shape of every error answer."""
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
