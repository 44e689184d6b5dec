"""`gateway serve | emulator | export-schema`: the one command-line entry point."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gateway.emulator.config import DEFAULT_PRINCIPAL, DEFAULT_TOKEN, default_data_dir


def _token_pair(text: str) -> tuple[str, str]:
    token, sep, user = text.partition("=")
    if not sep or not token or not user:
        raise argparse.ArgumentTypeError(f"expected TOKEN=USER, got {text!r}")
    return token, user


def _add_emulator_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "emulator",
        help="run the embedded catalog + registry upstreams alone",
        description=(
            "Serve an OpenMetadata-compatible catalog under /api/v1 and a Foundry-compatible "
            "model registry under /api/v2/models on one port, persisted in SQLite and seeded "
            "with sample data. Knobs for tests and benchmarks live under /_emulator/ "
            "(counters, latency, faults, reset). Authentication: every API call needs "
            "'Authorization: Bearer <token>'; the token is looked up in the token table "
            f"(default: {DEFAULT_TOKEN}={DEFAULT_PRINCIPAL}) or read as a JWT whose 'sub' "
            "claim names a seeded user. JWT signatures are NOT verified: this is a "
            "development upstream, not an identity provider."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
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
    p.add_argument("--log-level", default="warning", help="uvicorn log level")


def _run_emulator(args: argparse.Namespace) -> None:
    import uvicorn

    from gateway.emulator.app import create_emulator_app
    from gateway.emulator.config import EmulatorConfig

    config = EmulatorConfig(
        data=args.data,
        seed=not args.no_seed,
        latency_ms=args.latency_ms,
        tokens=dict(args.token) if args.token else {DEFAULT_TOKEN: DEFAULT_PRINCIPAL},
    )
    app = create_emulator_app(config)
    print(
        f"emulator: catalog http://{args.host}:{args.port}/api  "
        f"registry http://{args.host}:{args.port}  data {config.data}",
        file=sys.stderr,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gateway",
        description="GraphQL gateway over an OpenMetadata catalog and a Foundry model registry.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_emulator_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "emulator":
        _run_emulator(args)
