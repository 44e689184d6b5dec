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
