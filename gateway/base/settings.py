"""Every gateway setting, read once from the environment (`GATEWAY_*`) or command-line flags."""

from __future__ import annotations

import json
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from gateway.base.paths import default_data_dir


class Settings(BaseSettings):
    """Gateway configuration. Each field is env var `GATEWAY_<NAME>` and flag `--<name>`."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    host: str = Field("127.0.0.1", description="Interface to bind.")
    port: int = Field(8000, ge=0, le=65535, description="Port to bind.")
    catalog_url: str | None = Field(
        None,
        description="Catalog API base as OpenMetadata clients take it, e.g. "
        "http://localhost:8585/api. Unset together with registry_url: start the embedded "
        "upstreams.",
    )
    catalog_token: SecretStr | None = Field(
        None,
        description="Service token for the catalog, sent for the queries of a caller without an "
        "Authorization header (see anonymous); never for a mutation.",
    )
    registry_url: str | None = Field(
        None,
        description="Registry host as Foundry clients take it (paths start /api/v2), e.g. "
        "http://localhost:8586.",
    )
    registry_token: SecretStr | None = Field(
        None,
        description="Service token for the registry, sent for the queries of a caller without an "
        "Authorization header (see anonymous); never for a mutation.",
    )
    anonymous: Literal["read", "none"] = Field(
        "read",
        description="What a caller without an Authorization header may run: read (queries, "
        "with the service tokens) or none (nothing but introspection). Mutations always need "
        "the caller's own credentials and are refused with UNAUTHENTICATED before any upstream "
        "call.",
    )
    data_dir: str = Field(
        default_factory=lambda: str(default_data_dir()),
        description="Embedded upstreams only: directory of their SQLite database, or :memory:.",
    )
    embedded_latency_ms: float = Field(
        0.0, ge=0, description="Embedded upstreams only: latency added to every response."
    )
    upstream_timeout: float = Field(
        10.0, gt=0, description="Seconds to wait for an upstream answer (read/write/pool)."
    )
    connect_timeout: float = Field(3.0, gt=0, description="Seconds to connect to an upstream.")
    upstream_max_connections: int = Field(
        100, ge=1, description="Pooled connections per upstream (bounds concurrency)."
    )
    upstream_retries: int = Field(
        1, ge=0, le=5, description="Extra attempts for idempotent upstream calls (GET, PUT)."
    )
    http_transport: Literal["pool", "httpx"] = Field(
        "pool",
        description="HTTP client to the upstreams: pool (the gateway's own keep-alive "
        "HTTP/1.1 pool, fastest) or httpx (httpx's own pool, the fallback).",
    )
    upstream_max_response_bytes: int = Field(
        64 * 1024 * 1024,
        ge=1024,
        description="Largest upstream answer body in bytes, decompressed or not (http_transport "
        "pool); a larger one fails with UPSTREAM_ERROR. Headers are bounded at 64 KiB.",
    )
    upstream_max_concurrency: int = Field(
        100,
        ge=1,
        description="Calls in flight to each upstream at once; more wait for a free slot, so a "
        "hanging upstream holds this many calls and no more.",
    )
    upstream_queue_timeout: float = Field(
        1.0,
        gt=0,
        description="Seconds a call waits for a free slot toward an upstream before failing "
        "with UPSTREAM_UNAVAILABLE.",
    )
    breaker_failure_threshold: int = Field(
        5,
        ge=1,
        description="Consecutive failed calls to an upstream (timeout, connection error, HTTP "
        "502/503/504) that open its circuit: its calls then fail fast with "
        "UPSTREAM_UNAVAILABLE, without a request.",
    )
    breaker_cooldown: float = Field(
        10.0,
        gt=0,
        description="Seconds an open circuit fails fast before one probe call is let "
        "through; the circuit closes if the probe succeeds.",
    )
    max_depth: int = Field(15, ge=1, description="Maximum query depth.")
    max_aliases: int = Field(30, ge=1, description="Maximum aliases in one operation.")
    max_tokens: int = Field(5000, ge=1, description="Maximum tokens in one document.")
    max_body_bytes: int = Field(
        1_000_000, ge=1024, description="Maximum size of a request body in bytes."
    )
    max_page_size: int = Field(
        1000, ge=1, le=1_000_000, description="Largest `first`/`last` a connection accepts."
    )
    max_cost: int = Field(
        50_000,
        ge=1,
        description="Largest cost of an operation: each field counts 1, times the page size "
        "(first/last, default 10) of every list around it. Dearer ones answer "
        "QUERY_TOO_COMPLEX before any upstream call.",
    )
    executor: Literal["fast", "standard"] = Field(
        "fast",
        description="GraphQL executor: fast (the gateway's own, gateway/graphql/execution.py: "
        "plain fields and simple resolvers without graphql-core's per-field machinery) or standard "
        "(Strawberry's stock execution, slower on large pages: the way back should the fast "
        "one answer wrongly).",
    )
    http_view: Literal["gateway", "strawberry"] = Field(
        "gateway",
        description="The /graphql view: gateway (its own, gateway/server/http/: the "
        "GraphQL-over-HTTP draft's media types and status codes, persisted queries, the "
        "playground) or strawberry (Strawberry's stock ASGI view, the way back should the "
        "gateway's answer wrongly: application/json only, no persisted queries, no "
        "playground; CSRF prevention, CORS and the body limit stay).",
    )
    persisted_queries: bool = Field(
        True,
        description="Accept automatic persisted queries (Apollo APQ: extensions.persistedQuery "
        "with the query's sha256Hash, over GET or POST).",
    )
    persisted_query_cache_size: int = Field(
        1000, ge=1, description="Persisted queries kept in each process's memory (LRU)."
    )
    redis_url: SecretStr | None = Field(
        None,
        description="Redis (redis://[:password@]host:port/db, rediss:// or unix://) holding "
        "persisted queries for every replica; unset: each process keeps its own.",
    )
    persisted_query_ttl: int = Field(
        86_400, ge=0, description="Seconds a persisted query stays in Redis (0: no expiry)."
    )
    persisted_queries_only: bool = Field(
        False,
        description="Allow-list mode: run only operations listed in persisted_queries_file or "
        "already in the Redis store; requests register nothing.",
    )
    persisted_queries_file: str | None = Field(
        None,
        description="JSON file of operations by SHA-256 (Apollo persisted query manifest or "
        "a {hash: document} object), served as persisted queries from start-up.",
    )
    introspection: bool = Field(True, description="Allow schema introspection queries.")
    graphiql: bool = Field(True, description="Serve the GraphiQL playground on GET /graphql.")
    playground_token: SecretStr | None = Field(
        None,
        description="Bearer token the playground's Headers pane starts with; unset: a "
        "`Bearer <token>` placeholder. The embedded upstreams set their development token.",
    )
    playground_assets: str | None = Field(
        None,
        description="The node_modules directory the playground's GraphiQL and React files are "
        "served from; unset: node_modules in the repository root (filled by `npm ci`).",
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Origins (scheme://host[:port]) whose web pages may call the API, "
        "comma-separated, or * for any; none by default (same-origin pages only).",
    )
    csrf_prevention: bool = Field(
        True,
        description="Refuse requests a foreign web page could send without a CORS preflight: "
        "GET and POST with no Content-Type or a form/text one, unless they carry "
        "Apollo-Require-Preflight, X-Apollo-Operation-Name or GraphQL-Require-Preflight.",
    )
    caller_cache_ttl: float = Field(
        60.0,
        ge=0,
        description="Seconds the caller's catalog user id is remembered per credentials, "
        "saving follow/unfollow a loggedInUser call; 0 asks every time.",
    )
    batch_via_search: bool = Field(
        False,
        description="Load the users, ML models and tables a request references by id with one "
        "catalog search call (an `ids` query) instead of one GET each, for the fields whose "
        "index document holds them as the entity API does; the rest still GET. Off by "
        "default: the catalog's index trails its writes by up to a few seconds, so with it "
        "on such reads may show a just-written entity as it was before (never in a "
        "mutation's answer).",
    )
    registry_link_property: str = Field(
        "registryModelRid",
        description="Custom property of an ML model that holds its registry model RID.",
    )
    default_branch: str = Field("master", description="Registry branch used when none is given.")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Log level."
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        description="Log lines as text or as JSON objects; both name the request id (and "
        "the trace id when tracing).",
    )
    access_log: bool = Field(
        True, description="Log one line per HTTP request (except /healthz, /readyz, /metrics)."
    )
    tracing: bool = Field(
        False,
        description="OpenTelemetry spans per operation and per upstream call; the W3C "
        "traceparent is sent upstream.",
    )
    tracing_exporter: str = Field(
        "console",
        description="Where spans go when tracing: console, none (context propagation only) "
        "or an installed exporter's entry point name, e.g. otlp_proto_http.",
    )
    workers: int = Field(
        1,
        ge=1,
        description="Worker processes serving the port, each with its own upstream pools and "
        "circuit breakers.",
    )
    shutdown_timeout: int = Field(
        30,
        ge=1,
        description="Seconds in-flight requests may take to finish after SIGTERM/SIGINT "
        "before they are cancelled.",
    )

    @field_validator("catalog_url", "registry_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not value.get_secret_value().startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @model_validator(mode="after")
    def _check_allow_list(self) -> Settings:
        if self.persisted_queries_only and self.http_view == "strawberry":
            raise ValueError(
                "persisted_queries_only needs http_view gateway: Strawberry's view serves no "
                "persisted queries, so it would run any operation"
            )
        if self.persisted_queries_only and not self.persisted_queries:
            raise ValueError("persisted_queries_only needs persisted_queries")
        if self.persisted_queries_only and not (self.persisted_queries_file or self.redis_url):
            raise ValueError(
                "persisted_queries_only needs persisted_queries_file or redis_url to hold the "
                "allowed operations"
            )
        return self

    @field_validator("tracing_exporter")
    @classmethod
    def _check_exporter(cls, value: str) -> str:
        from gateway.base.observability.tracing import check_exporter

        return check_exporter(value)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return json.loads(value)
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("cors_origins")
    @classmethod
    def _check_origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_origin(item) for item in value)

    @property
    def embedded(self) -> bool:
        """True when the gateway starts its own upstreams."""
        return self.catalog_url is None and self.registry_url is None


def _origin(text: str) -> str:
    """`text` as browsers serialize an origin (lowercase, no default port), or `*`."""
    if text == "*":
        return text
    parts = urlsplit(text.lower().rstrip("/"))
    port = parts.port
    host = parts.hostname
    if (
        parts.scheme not in ("http", "https")
        or not host
        or parts.path
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        raise ValueError(f"{text!r} is not an origin like https://app.example.com[:port]")
    if ":" in host:
        host = f"[{host}]"
    default_port = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default_port) else "")


def secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _shown_default(name: str) -> str:
    default = Settings.model_fields[name].get_default(call_default_factory=True)
    if name == "data_dir":
        return "`$XDG_DATA_HOME/catalog-gateway` (`~/.local/share/...`)"
    if default in (None, (), ""):
        return "unset"
    if isinstance(default, bool):
        return "on" if default else "off"
    return f"`{default}`"


def settings_table() -> str:
    """The configuration table of the README, generated from the fields above."""
    lines = ["| env | flag | default | meaning |", "|---|---|---|---|"]
    for name, info in Settings.model_fields.items():
        flag = "--" + name.replace("_", "-")
        if info.annotation is bool:
            flag = f"{flag}/--no-{flag[2:]}"
        description = (info.description or "").replace("|", "\\|")
        lines.append(
            f"| `GATEWAY_{name.upper()}` | `{flag}` | {_shown_default(name)} | {description} |"
        )
    return "\n".join(lines) + "\n"


def effective(settings: Settings) -> list[tuple[str, str]]:
    """(env var, value) of every setting, secrets masked."""
    shown: list[tuple[str, str]] = []
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            text = "********"
        elif value is None:
            text = ""
        elif isinstance(value, tuple):
            text = ",".join(value)
        else:
            text = str(value)
        shown.append((f"GATEWAY_{name.upper()}", text))
    return shown
