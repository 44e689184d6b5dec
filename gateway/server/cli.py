"""`gateway serve | emulator | export-schema`: the one command-line entry point."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence

from gateway.base.paths import default_data_dir
from gateway.emulator.config import CATALOG_VERSION, DEFAULT_PRINCIPAL, DEFAULT_TOKEN


def _token_pair(text: str) -> tuple[str, str]:
    token, sep, user = text.partition("=")
    if not sep or not token or not user:
        raise argparse.ArgumentTypeError(f"expected TOKEN=USER, got {text!r}")
    return token, user


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Defaults shown, and the description and epilog laid out as written."""


def _add_emulator_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "emulator",
        help="run the embedded catalog + registry upstreams alone",
        description=textwrap.fill(
            "Serve an OpenMetadata-compatible catalog under /api/v1 and a Foundry-compatible "
            "model registry under /api/v2/models on one port, persisted in SQLite and seeded "
            "with sample data. Knobs for tests and benchmarks live under /_emulator/ "
            "(counters, latency, faults, reset). Authentication: every API call needs "
            "'Authorization: Bearer <token>'; the token is looked up in the token table "
            f"(default: {DEFAULT_TOKEN}={DEFAULT_PRINCIPAL}) or read as a JWT whose 'sub' "
            "claim names a seeded user. JWT signatures are NOT verified: this is a "
            "development upstream, not an identity provider. The catalog applies "
            "OpenMetadata's default policies: only admins create; owners (or members of an "
            "owning team) edit and delete; a JWT naming no user gets 404 'user instance ... "
            "not found'.",
            79,
        ),
        epilog=(
            "Official SDKs against the emulator (default port 8585; both APIs share it):\n"
            "\n"
            "  OpenMetadata (openmetadata-ingestion 1.13); the client reads\n"
            "  GET /api/v1/system/version, answered without a token (--catalog-version):\n"
            "    OpenMetadata(OpenMetadataConnection(\n"
            "        hostPort='http://127.0.0.1:8585/api', authProvider='openmetadata',\n"
            "        securityConfig="
            f"OpenMetadataJWTClientConfig(jwtToken='{DEFAULT_TOKEN}')))\n"
            "    or metadata.sdk.configure(host=..., jwt_token=...)\n"
            "\n"
            "  Foundry (foundry-platform-sdk); the Models API is a preview API "
            "(preview=True):\n"
            f"    foundry_sdk.FoundryClient(auth=foundry_sdk.UserTokenAuth('{DEFAULT_TOKEN}'),\n"
            "        hostname='127.0.0.1:8585', config=foundry_sdk.Config(scheme='http'))\n"
            "\n"
            "A seeded user's token: python -c \"from gateway.emulator.auth import make_jwt; "
            "print(make_jwt('kevin'))\""
        ),
        formatter_class=_HelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind")
    p.add_argument("--port", type=int, default=8585, help="port to bind (0 picks a free one)")
    p.add_argument(
        "--data",
        default=str(default_data_dir()),
        help="data directory holding emulator.sqlite3, or ':memory:' for a throwaway database "
        "(env GATEWAY_DATA_DIR)",
    )
    p.add_argument("--no-seed", action="store_true", help="start empty instead of seeding")
    p.add_argument(
        "--latency-ms", type=float, default=0.0, help="delay added to every API response"
    )
    p.add_argument(
        "--token",
        action="append",
        type=_token_pair,
        default=[],
        metavar="TOKEN=USER",
        help="accept TOKEN as user USER (repeatable; replaces the default token)",
    )
    p.add_argument(
        "--catalog-version",
        default=CATALOG_VERSION,
        help="OpenMetadata version the catalog reports at /api/v1/system/version (the "
        "official SDK wants its own major.minor)",
    )
    p.add_argument("--log-level", default="warning", help="uvicorn log level")


def _run_emulator(args: argparse.Namespace) -> None:
    import uvicorn

    from gateway.emulator.app import create_emulator_app
    from gateway.emulator.config import EmulatorConfig
    from gateway.server import heap
    from gateway.server.http.server import CoalescingHttpToolsProtocol

    config = EmulatorConfig(
        data=args.data,
        seed=not args.no_seed,
        latency_ms=args.latency_ms,
        tokens=dict(args.token) if args.token else {DEFAULT_TOKEN: DEFAULT_PRINCIPAL},
        catalog_version=args.catalog_version,
    )
    app = create_emulator_app(config)
    heap.settle()
    if args.port == 0:
        from gateway.server.embedded import free_port

        args.port = free_port()
    print(
        f"emulator: catalog http://{args.host}:{args.port}/api  "
        f"registry http://{args.host}:{args.port}  data {config.data}",
        file=sys.stderr,
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        http=CoalescingHttpToolsProtocol,
    )


def _settings_flags(p: argparse.ArgumentParser) -> None:
    """One flag per setting, named after it, documented with its env var and default."""
    from gateway.base.settings import Settings

    for name, info in Settings.model_fields.items():
        flag = "--" + name.replace("_", "-")
        env = f"GATEWAY_{name.upper()}"
        default = info.get_default(call_default_factory=True)
        shown = "unset" if default in (None, (), "") else default
        help_text = f"{info.description} [env {env}; default {shown}]".replace("%", "%%")
        annotation = info.annotation
        if annotation is bool:
            p.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, help=help_text)
        else:
            p.add_argument(flag, dest=name, metavar=name.upper(), help=help_text)


def _add_serve_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "serve",
        help="serve the GraphQL API (and start the embedded upstreams if no URLs are set)",
        description=(
            "Serve GraphQL at /graphql (POST and GET; GraphiQL playground in a browser), "
            "/healthz (process up), /readyz (upstreams reachable) and /metrics "
            "(Prometheus). With neither --catalog-url nor --registry-url set, the embedded "
            "catalog and registry start as a child process (once, whatever --workers is), "
            "seeded and persisted under --data-dir. SIGTERM or SIGINT drains in-flight "
            "requests for up to --shutdown-timeout seconds. Every flag is also an "
            "environment variable; docs/operations.md covers deployment."
        ),
    )
    _settings_flags(p)


def _run_serve(args: argparse.Namespace) -> None:
    from pydantic import SecretStr, ValidationError

    from gateway.base.settings import Settings
    from gateway.server import serving
    from gateway.server.embedded import EmbeddedUpstreams

    overrides = {k: v for k, v in vars(args).items() if k != "command" and v is not None}
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(map(str, error["loc"]))
            print(f"gateway: invalid setting {where}: {error['msg']}", file=sys.stderr)
        raise SystemExit(2) from None
    if (settings.catalog_url is None) != (settings.registry_url is None):
        print(
            "gateway: set both --catalog-url and --registry-url (real upstreams) or neither "
            "(embedded upstreams)",
            file=sys.stderr,
        )
        raise SystemExit(2)
    embedded: EmbeddedUpstreams | None = None
    if settings.embedded:
        embedded = EmbeddedUpstreams(settings.data_dir, settings.embedded_latency_ms)
        embedded.wait_ready()
        settings = settings.model_copy(
            update={
                "catalog_url": f"{embedded.url}/api",
                "registry_url": embedded.url,
                "catalog_token": SecretStr(embedded.token),
                "registry_token": SecretStr(embedded.token),
                # The playground starts with the development token, so the README's
                # mutations run as the emulator's admin without hunting for one.
                "playground_token": settings.playground_token or SecretStr(embedded.token),
            }
        )
        serving.announce(
            settings, f"gateway: embedded upstreams at {embedded.url} (data: {settings.data_dir})"
        )
    serving.announce(
        settings,
        f"gateway: GraphQL and playground at http://{settings.host}:{settings.port}/graphql",
    )
    try:
        # Returns once every worker has drained its in-flight requests, so the embedded
        # upstreams outlive them.
        serving.run(settings)
    finally:
        if embedded is not None:
            embedded.stop()


def _add_export_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "export-schema",
        help="print the GraphQL SDL (what schema.graphql holds)",
        description="Print the schema's SDL, as served to a supergraph in `_service { sdl }`.",
    )
    p.add_argument("-o", "--output", help="write to this file instead of standard output")


def _run_export(args: argparse.Namespace) -> None:
    from gateway.graphql.schema import export_sdl

    sdl = export_sdl()
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(sdl)
    else:
        sys.stdout.write(sdl)


def _add_config_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "config",
        help="print the effective settings (from the environment; secrets masked)",
        description="Print every setting as GATEWAY_NAME=value, as `gateway serve` would read "
        "it from the environment, with tokens masked.",
    )
    p.add_argument(
        "--markdown", action="store_true", help="print the documentation table of all settings"
    )


def _run_config(args: argparse.Namespace) -> None:
    from pydantic import ValidationError

    from gateway.base.settings import Settings, effective, settings_table

    if args.markdown:
        sys.stdout.write(settings_table())
        return
    try:
        settings = Settings()
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(map(str, error["loc"]))
            print(f"gateway: invalid setting {where}: {error['msg']}", file=sys.stderr)
        raise SystemExit(2) from None
    for env, value in effective(settings):
        print(f"{env}={value}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gateway",
        description="GraphQL gateway over an OpenMetadata catalog and a Foundry model registry.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_serve_parser(commands)
    _add_emulator_parser(commands)
    _add_export_parser(commands)
    _add_config_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        _run_serve(args)
    elif args.command == "emulator":
        _run_emulator(args)
    elif args.command == "export-schema":
        _run_export(args)
    elif args.command == "config":
        _run_config(args)
