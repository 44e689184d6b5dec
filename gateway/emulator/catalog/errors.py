"""OpenMetadata error bodies: `{"code": status, "message": text}` with the upstream's wording."""

from __future__ import annotations

from starlette.responses import Response

from gateway.emulator.knobs import catalog_error_body
from gateway.emulator.responses import JSONResponse

# Upstream adds this header to every error it builds from a status (404, 409, 401, ...),
# but not to the 400s it maps from argument and JSON errors.
_AUTH_HEADER_STATUSES = frozenset({401, 403, 404, 409, 412})
INVALID_FORMAT = "Invalid request format"


class CatalogError(Exception):
    """An expected failure that becomes an upstream-shaped error response; `error_type`
    is the `errorType` of the bodies that carry one (rule violations)."""

    def __init__(self, status: int, message: str, error_type: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type

    def response(self) -> Response:
        headers = {"WWW-Authenticate": "om-auth"} if self.status in _AUTH_HEADER_STATUSES else None
        body = catalog_error_body(self.status, self.message)
        if self.error_type is not None:
            body = {"code": self.status, "errorType": self.error_type, "message": self.message}
        return JSONResponse(body, status_code=self.status, headers=headers)


def not_found(entity_type: str, key: str) -> CatalogError:
    return CatalogError(404, f"{entity_type} instance for {key} not found")


def bad_request(message: str) -> CatalogError:
    return CatalogError(400, message)


def invalid_format() -> CatalogError:
    return CatalogError(400, INVALID_FORMAT)


def violations(messages: list[str]) -> CatalogError:
    """Bean validation failures, rendered as the upstream's bracketed list."""
    return CatalogError(400, f"[{', '.join(messages)}]")


def path_not_found() -> CatalogError:
    """What the upstream's router answers when a path or query parameter does not parse."""
    return CatalogError(404, "HTTP 404 Not Found")


def already_exists() -> CatalogError:
    return CatalogError(409, "Entity already exists")


def rule_violation(rule: str, context: str) -> CatalogError:
    """A semantic rule of the catalog's entity rules settings failed (the upstream answers
    these through its own mapper: `errorType` `RULE_VIOLATION`, no `WWW-Authenticate`)."""
    return CatalogError(
        400,
        f"Rule [{rule}] validation failed: Entity does not satisfy the rule. "
        f"Rule context: {context}",
        error_type="RULE_VIOLATION",
    )
