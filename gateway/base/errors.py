"""The gateway's error tree: one class per failure kind, each with a stable `extensions.code`."""

from __future__ import annotations

from typing import ClassVar


class GatewayError(Exception):
    """A failure the GraphQL layer reports as a per-field error with `extensions.code`.

    `message` is safe to show to callers: it never holds an upstream body, a token or a
    URL query. `upstream` names the REST API that failed ("catalog" | "registry"), `status`
    is its HTTP status when there was one, and `extensions` carries extra machine-readable
    data that is equally safe (e.g. `{"upstreamError": "ModelNotFound"}`).
    """

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(
        self,
        message: str,
        *,
        upstream: str | None = None,
        status: int | None = None,
        extensions: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.upstream = upstream
        self.status = status
        self.extensions: dict[str, object] = extensions or {}

    def to_extensions(self) -> dict[str, object]:
        """The GraphQL `extensions` object of this error."""
        extensions: dict[str, object] = {"code": self.code}
        if self.upstream is not None:
            extensions["upstream"] = self.upstream
        extensions.update(self.extensions)
        return extensions


class BadUserInputError(GatewayError):
    """The request was invalid (an upstream 400 or other unmapped 4xx)."""

    code = "BAD_USER_INPUT"


class UnauthenticatedError(GatewayError):
    """No or invalid credentials (upstream 401)."""

    code = "UNAUTHENTICATED"


class ForbiddenError(GatewayError):
    """The caller may not do this (upstream 403)."""

    code = "FORBIDDEN"


class NotFoundError(GatewayError):
    """The thing does not exist (upstream 404); reads turn it into `null`."""

    code = "NOT_FOUND"


class ConflictError(GatewayError):
    """The write collides with existing state (upstream 409)."""

    code = "CONFLICT"


class PreconditionFailedError(GatewayError):
    """The entity changed since it was read (upstream 412)."""

    code = "PRECONDITION_FAILED"


class RateLimitedError(GatewayError):
    """The upstream asks the gateway to back off (upstream 429)."""

    code = "RATE_LIMITED"


class UpstreamError(GatewayError):
    """The upstream failed (5xx) or answered something that is not its documented JSON."""

    code = "UPSTREAM_ERROR"


class UpstreamUnavailableError(GatewayError):
    """The upstream could not be reached in time (timeout, refused or broken connection)."""

    code = "UPSTREAM_UNAVAILABLE"


class InternalError(GatewayError):
    """A bug or an unexpected condition inside the gateway; details go to the logs only."""

    code = "INTERNAL_SERVER_ERROR"
