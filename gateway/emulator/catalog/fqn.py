"""Fully qualified names: parts joined by `.`, a part holding a `.` wrapped in double quotes."""

from __future__ import annotations


def quote(name: str) -> str:
    if "." in name and not (len(name) > 1 and name.startswith('"') and name.endswith('"')):
        return f'"{name}"'
    return name


def build(*names: str) -> str:
    return ".".join(quote(name) for name in names)


def add(fqn: str, name: str) -> str:
    return f"{fqn}.{quote(name)}"


def split(fqn: str) -> list[str]:
    """The parts of an FQN, each as written (a quoted part keeps its quotes)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in fqn:
        if char == '"':
            quoted = not quoted
        if char == "." and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def parent(fqn: str) -> str | None:
    """The FQN of what holds `fqn` (`PII` for `PII.Sensitive`), None for a top-level name."""
    parts = split(fqn)
    return ".".join(parts[:-1]) if len(parts) > 1 else None
