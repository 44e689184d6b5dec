"""Every gateway setting, read once from the environment (`GATEWAY_*`) or command-line flags."""

from __future__ import annotations

import json
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from gateway.emulator.config import default_data_dir


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
        description="Service token for the catalog, sent when a caller sends no Authorization "
        "header.",
    )
    registry_url: str | None = Field(
        None,
        description="Registry host as Foundry clients take it (paths start /api/v2), e.g. "
        "http://localhost:8586.",
    )
    registry_token: SecretStr | None = Field(
        None,
        description="Service token for the registry, sent when a caller sends no Authorization "
        "header.",
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
    http_transport: Literal["aiohttp", "httpx"] = Field(
        "aiohttp", description="HTTP transport under httpx: aiohttp (fast) or httpx's own."
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
    introspection: bool = Field(True, description="Allow schema introspection queries.")
    graphiql: bool = Field(True, description="Serve the GraphiQL playground on GET /graphql.")
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
    registry_link_property: str = Field(
        "registryModelRid",
        description="Custom property of an ML model that holds its registry model RID.",
    )
    default_branch: str = Field("master", description="Registry branch used when none is given.")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Log level."
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
