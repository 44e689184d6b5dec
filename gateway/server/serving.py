"""How `gateway serve` runs uvicorn: one process or N workers, logs, metrics, shutdown.

Worker processes rebuild the settings from `GATEWAY_*` environment variables (the
parent exports its final settings, embedded upstream URLs included) through the
import-string factory `gateway.server.serving:create_worker_app`. Workers share nothing but
the listening socket and, for metrics, the `PROMETHEUS_MULTIPROC_DIR` directory.
"""

from __future__ import annotations

import ctypes
import json
import logging.config
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Final

from pydantic import SecretStr

from gateway.base.observability.logs import JsonFormatter, logging_config
from gateway.base.settings import Settings
from gateway.server import heap

if TYPE_CHECKING:
    from starlette.applications import Starlette

WORKER_FACTORY: Final = "gateway.server.serving:create_worker_app"
MULTIPROC_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"
PR_SET_PDEATHSIG: Final = 1


def settings_environment(settings: Settings) -> dict[str, str | None]:
    """`GATEWAY_*` variables from which `Settings()` rebuilds `settings` (None: unset)."""
    plain = settings.model_dump(mode="json")
    env: dict[str, str | None] = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            text: str | None = value.get_secret_value()
        else:
            dumped = plain[name]
            if dumped is None:
                text = None
            elif isinstance(dumped, str):
                text = dumped
            else:
                # Numbers, booleans and lists all read back from their JSON form.
                text = json.dumps(dumped)
        env[f"GATEWAY_{name.upper()}"] = text
    return env


def export_settings(settings: Settings) -> None:
    """Put `settings` into this process's environment, which workers inherit."""
    for key, value in settings_environment(settings).items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def create_worker_app() -> Starlette:
    """The app of one worker: `uvicorn --factory gateway.server.serving:create_worker_app`."""
    from gateway.server.app import create_app

    if multiprocessing.parent_process() is not None:
        _die_with_parent()
    app = create_app(Settings())
    heap.settle()
    return app


def announce(settings: Settings, message: str) -> None:
    """Tell the operator something whatever the log level, as a log line when logs are JSON."""
    if settings.log_format == "json":
        record = logging.makeLogRecord(
            {"name": "gateway", "levelno": logging.INFO, "levelname": "INFO", "msg": message}
        )
        message = JsonFormatter().format(record)
    print(message, file=sys.stderr, flush=True)


def run(settings: Settings) -> None:
    """Serve until SIGTERM/SIGINT, then drain in-flight requests for `shutdown_timeout`."""
    import uvicorn

    from gateway.server.http.server import CoalescingHttpToolsProtocol

    log_config = logging_config(settings.log_format, settings.log_level)
    logging.config.dictConfig(log_config)
    export_settings(settings)
    # After draining, a single uvicorn server re-raises the SIGTERM it caught; ending with
    # SystemExit instead lets the caller's cleanup (the embedded upstreams) run.
    previous = signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        with metrics_directory(settings.workers):
            uvicorn.run(
                WORKER_FACTORY,
                factory=True,
                host=settings.host,
                port=settings.port,
                workers=settings.workers,
                timeout_graceful_shutdown=settings.shutdown_timeout,
                log_config=log_config,
                log_level=settings.log_level,
                # The gateway writes its own access line, with the request id.
                access_log=False,
                # A response's head and body in one send (gateway/server/http/server.py).
                http=CoalescingHttpToolsProtocol,
            )
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


@contextmanager
def metrics_directory(workers: int) -> Iterator[None]:
    """A fresh `PROMETHEUS_MULTIPROC_DIR` for N workers (an operator's one is emptied)."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        # Files left by an earlier run would be added to this run's counters.
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        yield
        return
    if workers == 1:
        yield
        return
    directory = tempfile.mkdtemp(prefix="gateway-metrics-")
    os.environ[MULTIPROC_ENV] = directory
    try:
        yield
    finally:
        del os.environ[MULTIPROC_ENV]
        shutil.rmtree(directory, ignore_errors=True)


def _die_with_parent() -> None:
    """Linux: a worker gets SIGTERM when the process that started it dies, however it dies."""
    if sys.platform != "linux":
        return
    parent = multiprocessing.parent_process()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    # The parent may have died before the call above took effect.
    if parent is not None and os.getppid() != parent.pid:
        os.kill(os.getpid(), signal.SIGTERM)
