"""Log lines (JSON or text) that carry the request id, for the gateway and uvicorn alike.

The request being served is held in a context variable set by the request middleware,
so every record logged while serving it (upstream failures included, from whichever
task) names its request id, and its trace id when tracing is on.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar, Token
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal

import orjson
from opentelemetry import trace

LogFormat = Literal["text", "json"]

TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# The core keys of a JSON line; `extra={"fields": {...}}` adds others but never these.
_CORE_KEYS: Final = frozenset(
    {"time", "level", "logger", "message", "request_id", "trace_id", "span_id", "exception"}
)


@dataclass(slots=True)
class RequestRecord:
    """What the logs know about the request being served."""

    request_id: str
    operation: str | None = None


_current: ContextVar[RequestRecord | None] = ContextVar("gateway_request", default=None)


def begin_request(request_id: str) -> tuple[RequestRecord, Token[RequestRecord | None]]:
    record = RequestRecord(request_id)
    return record, _current.set(record)


def end_request(token: Token[RequestRecord | None]) -> None:
    _current.reset(token)


def current_request() -> RequestRecord | None:
    return _current.get()


def current_request_id() -> str | None:
    """The id of the request being served, or None outside one."""
    record = _current.get()
    return record.request_id if record is not None else None


class RequestContextFilter(logging.Filter):
    """Adds `request_id`, and `trace_id` (plus `span_id` inside a gateway span), to records."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = _current.get()
        if current is not None:
            record.request_id = current.request_id
        span = trace.get_current_span()
        context = span.get_span_context()
        if context.is_valid:
            record.trace_id = format(context.trace_id, "032x")
            # Outside the gateway's own spans the current one is the caller's.
            if span.is_recording():
                record.span_id = format(context.span_id, "016x")
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, trace ids, fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "trace_id", "span_id"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update((k, v) for k, v in fields.items() if k not in _CORE_KEYS)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def logging_config(log_format: LogFormat, level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` dict: one stderr handler for the root and uvicorn."""
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"}
        if log_format == "json"
        else {"()": "logging.Formatter", "fmt": TEXT_FORMAT, "defaults": {"request_id": "-"}}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_context": {"()": f"{__name__}.RequestContextFilter"}},
        "formatters": {"gateway": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "gateway",
                "filters": ["request_context"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        # uvicorn's loggers hand their records to the root handler instead of their own.
        "loggers": {
            name: {"handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }
