"""The one place that speaks HTTP: connection pools, timeouts, retries, decoding, error mapping.

Every upstream call goes through `UpstreamHttp.request`, which forwards the caller's
credentials, passes the upstream's circuit breaker and concurrency limit (see
`resilience`), retries idempotent calls on connection failures and 502/503/504, decodes
the body straight into a record type and turns every failure into a `GatewayError`
(the DESIGN error table). Each HTTP request is measured (metrics by route template and
status) and, with tracing on, each call is a span whose context goes upstream as
`traceparent`. Nothing an upstream sends in an error body reaches a caller or the logs
unsanitised, and credentials are never logged.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NoReturn, TypeVar
from urllib.parse import quote, urlencode

import httpx
import msgspec

from gateway.base.errors import (
    BadUserInputError,
    ConflictError,
    ForbiddenError,
    GatewayError,
    NotFoundError,
    PreconditionFailedError,
    RateLimitedError,
    UnauthenticatedError,
    UpstreamError,
    UpstreamUnavailableError,
)
from gateway.base.observability.metrics import UpstreamMetrics
from gateway.base.observability.tracing import client_span, record_error, record_status, tracer
from gateway.upstream.config import KEEPALIVE_EXPIRY, Transport, UpstreamConfig, UpstreamName
from gateway.upstream.pool import ConnectionPool, Exchange, ResponseTooLargeError
from gateway.upstream.records import CatalogErrorRecord, RegistryErrorRecord
from gateway.upstream.resilience import (
    Bulkhead,
    CircuitBreaker,
    CircuitState,
    Clock,
    Rejected,
    UpstreamGuard,
)
from gateway.upstream.routes import route_template
from gateway.upstream.senders import HttpxSender

__all__ = [
    "Reply",
    "Transport",
    "UpstreamConfig",
    "UpstreamHttp",
    "UpstreamName",
    "decoder_for",
    "sanitize",
    "segment",
]

T = TypeVar("T")

logger = logging.getLogger("gateway.upstream")

RETRY_STATUSES = frozenset({502, 503, 504})
BACKOFF_SECONDS = 0.05
MESSAGE_LIMIT = 200
USER_AGENT = "catalog-gateway"

_STATUS_ERRORS: dict[int, tuple[type[GatewayError], str]] = {
    401: (UnauthenticatedError, "{} rejected the credentials"),
    403: (ForbiddenError, "{} does not allow this operation"),
    404: (NotFoundError, "{} has no such resource"),
    409: (ConflictError, "{} reports a conflict with an existing resource"),
    412: (PreconditionFailedError, "{} reports the resource changed since it was read"),
    429: (RateLimitedError, "{} is rate limiting requests; retry later"),
}
_LABELS: dict[str, str] = {"catalog": "The catalog", "registry": "The registry"}
_REJECTIONS: dict[str, str] = {
    "circuit_open": "failing fast after repeated failures",
    "queue_timeout": "too many calls in flight",
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_SECRET = re.compile(r"(?i)\bbearer\s+\S+|\beyJ[\w-]*\.[\w-]*\.[\w-]*")
_URL_QUERY = re.compile(r"(\bhttps?://[^\s?#]*)[?#]\S*")
_NOT_FOUND = re.compile(
    r"[A-Za-z]{1,40} instance for [^\s]{1,200}( and version [0-9.]+)? not found"
)
_ERROR_NAME = re.compile(r"[A-Za-z0-9:_.-]{1,100}")
# The catalog's authorizer names the caller and what it may not do:
# `Principal: CatalogPrincipal{name='bob'} operations [EditAll] not allowed`.
_PERMISSION = re.compile(r"Principal: CatalogPrincipal\{name='[^']{1,256}'\} [^\n]{1,400}")
# Upstream messages passed on as they are, by status, when they match.
_TOLD = {404: _NOT_FOUND, 403: _PERMISSION}

_ENCODER = msgspec.json.Encoder()
_DECODERS: dict[Any, msgspec.json.Decoder[Any]] = {}
_CATALOG_ERROR = msgspec.json.Decoder(CatalogErrorRecord)
_REGISTRY_ERROR = msgspec.json.Decoder(RegistryErrorRecord)


@dataclass(frozen=True, slots=True)
class Reply(Generic[T]):
    """A successful upstream answer: status, decoded body and response headers."""

    status: int
    data: T
    headers: Mapping[str, str]


def decoder_for(kind: type[T]) -> msgspec.json.Decoder[T]:
    """A cached decoder for `kind` (building one compiles the type, so it is done once)."""
    decoder = _DECODERS.get(kind)
    if decoder is None:
        decoder = _DECODERS[kind] = msgspec.json.Decoder(kind)
    return decoder


def segment(value: str) -> str:
    """One path segment, percent-encoded with `/` encoded too (FQNs may contain anything)."""
    return quote(value, safe="")


def sanitize(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Upstream text made safe to show: no control characters, credentials or URL queries."""
    text = _SECRET.sub("[redacted]", text)
    text = _URL_QUERY.sub(r"\1", text)
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class UpstreamHttp:
    """One pooled keep-alive connection pool for one upstream.

    `config.transport` "pool" (the default) sends through the gateway's own keep-alive
    pool (`pool.ConnectionPool`); "httpx", or a `transport` given here, through an httpx
    transport, which stays the test seam
    (`MockTransport`, `ASGITransport`). Requests go straight to the transport: httpx's
    `AsyncClient` pipeline (URL merging, cookies, auth and redirect hooks) costs more CPU
    per call than the transport itself and none of it is needed here. `clock` is the
    circuit breaker's time (a test drives the cool-down by hand with a fake one).
    """

    def __init__(
        self,
        config: UpstreamConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self.config = config
        self.name: UpstreamName = config.name
        self._label = _LABELS[config.name]
        self._base = config.base_url.rstrip("/")
        self._service_auth = f"Bearer {config.token}" if config.token else None
        self._attempts = 1 + max(config.retries, 0)
        self._sender: ConnectionPool | HttpxSender
        if transport is not None or config.transport == "httpx":
            self._sender = HttpxSender(config, transport)
        else:
            self._sender = ConnectionPool(
                config.base_url,
                max_connections=config.max_connections,
                connect_timeout=config.connect_timeout,
                read_timeout=config.timeout,
                pool_timeout=config.timeout,
                keepalive_expiry=KEEPALIVE_EXPIRY,
                max_response_bytes=config.max_response_bytes,
            )
        self.metrics = UpstreamMetrics(config.name)
        self.guard = UpstreamGuard(
            CircuitBreaker(
                config.failure_threshold,
                config.cooldown,
                clock=clock,
                on_change=self._circuit_changed,
            ),
            Bulkhead(config.max_concurrency, config.queue_timeout),
            failure_types=(UpstreamUnavailableError,),
        )
        self._tracer = tracer() if config.tracing else None

    async def request(
        self,
        method: str,
        path: str,
        decode: type[T],
        *,
        auth: str | None,
        idempotent: bool,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        json: object = None,
        request_id: str | None = None,
        content_type: str = "application/json",
        extra_headers: Mapping[str, str] | None = None,
    ) -> Reply[T]:
        """Call `method path` and decode a 2xx body into `decode`, or raise a `GatewayError`.

        `path` is appended to the base URL and must already be percent-encoded (see
        `segment`). `auth` is the caller's `Authorization` value, forwarded verbatim;
        without one the service token is sent, if configured. `json` (any
        msgspec-encodable value) is the request body, sent as `content_type` (a JSON
        Patch is `application/json-patch+json`); `None` sends none. Only
        `idempotent` calls are retried. `request_id` is sent as `X-Request-ID`;
        `extra_headers` (e.g. `If-Match`) are sent as given.
        """
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if extra_headers:
            headers.update(extra_headers)
        credentials = auth if auth is not None else self._service_auth
        if credentials:
            headers["Authorization"] = credentials
        if request_id:
            headers["X-Request-ID"] = request_id
        content: bytes | None = None
        if json is not None:
            content = _ENCODER.encode(json)
            headers["Content-Type"] = content_type
        url = self._base + path
        if params:
            url = f"{url}?{urlencode(params, safe=',', quote_via=quote)}"
        attempts = self._attempts if idempotent else 1
        route = route_template(path)
        if self._tracer is None:
            return await self._call(method, url, path, route, decode, content, headers, attempts)
        with client_span(self._tracer, self.name, method, route, headers) as span:
            try:
                reply = await self._call(
                    method, url, path, route, decode, content, headers, attempts
                )
            except GatewayError as error:
                record_error(span, error.code, error.status)
                raise
            record_status(span, reply.status)
            return reply

    async def _call(
        self,
        method: str,
        url: str,
        path: str,
        route: str,
        decode: type[T],
        content: bytes | None,
        headers: dict[str, str],
        attempts: int,
    ) -> Reply[T]:
        try:
            async with self.guard.call() as call:
                in_flight = self.metrics.in_flight
                in_flight.inc()
                try:
                    status, response_headers, body = await self._send(
                        method, url, path, route, content, headers, attempts
                    )
                finally:
                    in_flight.dec()
                if status in RETRY_STATUSES:
                    call.failed()
        except Rejected as rejected:
            self.metrics.rejected(rejected.reason)
            logger.debug("%s %s %s rejected: %s", self.name, method, path, rejected.reason)
            raise UpstreamUnavailableError(
                f"{self._label} is unavailable ({_REJECTIONS[rejected.reason]})",
                upstream=self.name,
            ) from None
        if not 200 <= status < 300:
            self._raise_for_status(method, path, status, body)
        try:
            data = decoder_for(decode).decode(body)
        except msgspec.DecodeError as exc:
            self._fail(
                UpstreamError(
                    f"{self._label} sent an invalid response", upstream=self.name, status=status
                ),
                method,
                path,
                f"HTTP {status}, undecodable body: {exc}",
            )
        return Reply(status, data, response_headers)

    async def ping(self) -> None:
        """Succeed when the upstream answers HTTP below 500 (no credentials are sent)."""
        headers = {"User-Agent": USER_AGENT}
        status, _, body = await self._send("GET", self._base + "/", "/", "/", None, headers, 1)
        if status >= 500:
            self._raise_for_status("GET", "/", status, body)

    async def aclose(self) -> None:
        await self._sender.aclose()

    async def _send(
        self,
        method: str,
        url: str,
        path: str,
        route: str,
        content: bytes | None,
        headers: dict[str, str],
        attempts: int,
    ) -> Exchange:
        attempt = 1
        while True:
            started = time.perf_counter()
            try:
                status, response_headers, body = await self._sender.send(
                    method, url, headers, content
                )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                self._measure(method, route, "connect_error", started)
                if attempt < attempts:
                    await self._backoff(attempt, method, path, type(exc).__name__)
                    attempt += 1
                    continue
                self._unavailable("connection failed", method, path, exc)
            except httpx.TimeoutException as exc:
                self._measure(method, route, "timeout", started)
                self._unavailable("timeout", method, path, exc)
            except ResponseTooLargeError as exc:
                self._measure(method, route, "too_large", started)
                what = "is" if exc.part == "body" else "has headers"
                self._fail(
                    UpstreamError(
                        f"{self._label}'s answer {what} larger than {exc.limit} bytes",
                        upstream=self.name,
                    ),
                    method,
                    path,
                    str(exc),
                )
            except httpx.DecodingError as exc:
                self._measure(method, route, "decoding_error", started)
                self._fail(
                    UpstreamError(f"{self._label} sent an invalid response", upstream=self.name),
                    method,
                    path,
                    f"undecodable content encoding: {type(exc).__name__}",
                )
            except httpx.HTTPError as exc:
                self._measure(method, route, "transport_error", started)
                self._unavailable("transport error", method, path, exc)
            self._measure(method, route, str(status), started)
            if status in RETRY_STATUSES and attempt < attempts:
                await self._backoff(attempt, method, path, f"HTTP {status}")
                attempt += 1
                continue
            return status, response_headers, body

    def _measure(self, method: str, route: str, status: str, started: float) -> None:
        self.metrics.request(method, route, status, time.perf_counter() - started)

    def _circuit_changed(self, state: CircuitState) -> None:
        self.metrics.circuit(state)
        if state == "open":
            logger.warning(
                "%s circuit open: calls fail fast for %.1f s", self.name, self.config.cooldown
            )
        else:
            logger.info("%s circuit %s", self.name, state.replace("_", "-"))

    async def _backoff(self, attempt: int, method: str, path: str, reason: str) -> None:
        logger.info("%s %s %s: retrying after %s", self.name, method, path, reason)
        await asyncio.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1) * (0.5 + random.random()))

    def _unavailable(self, reason: str, method: str, path: str, exc: Exception) -> NoReturn:
        error = UpstreamUnavailableError(
            f"{self._label} is unavailable ({reason})", upstream=self.name
        )
        self._fail(error, method, path, f"{type(exc).__name__}: {sanitize(str(exc))}")

    def _raise_for_status(self, method: str, path: str, status: int, body: bytes) -> NoReturn:
        detail, error_name = self._error_details(body)
        known = _STATUS_ERRORS.get(status)
        error: GatewayError
        if known is not None:
            kind, template = known
            # The catalog's own "<type> instance for <name> not found" tells the caller which
            # reference is missing, and its authorizer's 403 which operations were refused to
            # whom (as the catalog's own UI shows them); any other text stays behind the fixed
            # sentence.
            told = _TOLD.get(status)
            if detail and told is not None and told.fullmatch(detail):
                message = detail
            else:
                message = template.format(self._label)
            error = kind(message, upstream=self.name, status=status)
        elif status == 400:
            message = detail or f"{self._label} rejected the request as invalid"
            error = BadUserInputError(message, upstream=self.name, status=status)
        elif 400 <= status < 500:
            message = f"{self._label} rejected the request (HTTP {status})"
            error = BadUserInputError(message, upstream=self.name, status=status)
        elif status >= 500:
            message = f"{self._label} failed to answer (HTTP {status})"
            error = UpstreamError(message, upstream=self.name, status=status)
        else:
            message = f"{self._label} sent an unexpected HTTP {status}"
            error = UpstreamError(message, upstream=self.name, status=status)
        if error_name is not None:
            error.extensions["upstreamError"] = error_name
        # A 404 is the everyday answer to reading something that does not exist (a null
        # field, not a fault), so it is not worth a warning.
        level = logging.INFO if status == 404 else logging.WARNING
        logger.log(level, "%s %s %s -> HTTP %s: %s", self.name, method, path, status, detail or "-")
        raise error

    def _error_details(self, body: bytes) -> tuple[str | None, str | None]:
        """The sanitised text of an error body, and the registry's `errorName` if any."""
        try:
            if self.name == "catalog":
                message = _CATALOG_ERROR.decode(body).message
                return (sanitize(message) or None) if message else None, None
            envelope = _REGISTRY_ERROR.decode(body)
        except msgspec.DecodeError:
            return None, None
        name = envelope.error_name
        if name is None or not _ERROR_NAME.fullmatch(name):
            return None, None
        safe = [
            f"{key}={value}"
            for key, value in envelope.parameters.items()
            if isinstance(value, str | int | float | bool) and _ERROR_NAME.fullmatch(key)
        ]
        text = f"{name}: {', '.join(safe)}" if safe else name
        return sanitize(text), name

    def _fail(self, error: GatewayError, method: str, path: str, detail: str) -> NoReturn:
        logger.warning("%s %s %s failed: %s (%s)", self.name, method, path, error.code, detail)
        raise error
