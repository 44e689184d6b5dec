"""CSRF prevention: refuse requests a browser could send cross-site without a CORS preflight."""

from __future__ import annotations

from starlette.datastructures import Headers

from gateway.server.http.errors import CSRF_BLOCKED, HttpError
from gateway.server.http.media import parse_media_type

# Content types a cross-site form or `fetch` may send without a preflight (CORS-safelisted).
SIMPLE_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
# Any custom header forces a preflight; these are the ones clients already send for that
# purpose (Apollo's two, and the one the GraphQL-over-HTTP draft suggests).
PREFLIGHT_HEADERS = (
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "graphql-require-preflight",
)

MESSAGE = (
    "This request has been blocked as a potential Cross-Site Request Forgery (CSRF). "
    "Send it with a Content-Type other than application/x-www-form-urlencoded, "
    "multipart/form-data or text/plain (e.g. POST application/json), or with one of the "
    "headers Apollo-Require-Preflight, X-Apollo-Operation-Name or GraphQL-Require-Preflight."
)


def may_be_forged(headers: Headers) -> bool:
    """True when nothing proves a CORS preflight ran, so a foreign page could have sent it.

    As in the Fetch standard, a Content-Type that does not parse is not CORS-safelisted,
    hence needed a preflight; a missing one (GET, or POST without a body type) did not.
    """
    content_type = headers.get("content-type")
    if content_type is not None:
        media_type = parse_media_type(content_type)
        if media_type is None or media_type.essence not in SIMPLE_CONTENT_TYPES:
            return False
    return not any(name in headers for name in PREFLIGHT_HEADERS)


def check_csrf(headers: Headers) -> None:
    """Raise a 400 for a request that may have been forged by another site."""
    if may_be_forged(headers):
        raise HttpError(400, CSRF_BLOCKED, MESSAGE)
