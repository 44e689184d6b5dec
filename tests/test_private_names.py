"""The private names the project uses from its GraphQL and HTTP libraries still exist.

tests/private_names.toml lists each one, with where it is used. A new release of
strawberry-graphql, graphql-core, uvicorn or starlette may drop or change any of them
without notice; this test names the one that went, in the installed version.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import strawberry

ROOT = Path(__file__).resolve().parents[1]
LISTED = ROOT / "tests" / "private_names.toml"
LIBRARIES = {
    "strawberry": "strawberry-graphql",
    "graphql": "graphql-core",
    "uvicorn": "uvicorn",
    "starlette": "starlette",
}
SOURCES = ("gateway", "tests", "bench", "scripts")
# Deep imports the libraries document as the way to reach a public name.
DOCUMENTED = {("strawberry.schema.config", "StrawberryConfig")}


@dataclass(frozen=True, slots=True)
class Listed:
    library: str
    module: str
    name: str
    used_by: str
    on: str | None = None
    params: tuple[str, ...] | None = None
    override: bool = False

    @property
    def where(self) -> str:
        return f"{self.module}.{self.name}"

    def gone(self, why: str) -> str:
        version = metadata.version(self.library)
        return f"{self.where} is gone in {self.library} {version}: {why} (used by {self.used_by})"


def listed() -> list[Listed]:
    entries = tomllib.loads(LISTED.read_text(encoding="utf-8"))["names"]
    return [
        Listed(**{**entry, "params": tuple(entry["params"]) if "params" in entry else None})
        for entry in entries
    ]


# -- samples: objects whose per-instance attributes are listed -----------------------------


@strawberry.type
class Sample:
    plain: str

    @strawberry.field
    def computed(self, info: strawberry.Info) -> str:
        return self.plain


@strawberry.type
class SampleQuery:
    @strawberry.field
    def sample(self) -> Sample:
        return Sample(plain="x")


def _schema() -> Any:
    return strawberry.Schema(query=SampleQuery)


def _graphql_field(name: str) -> Any:
    return _schema()._schema.type_map["Sample"].fields[name]


def _strawberry_field() -> Any:
    from strawberry.schema.schema_converter import GraphQLCoreConverter

    return _graphql_field("computed").extensions[GraphQLCoreConverter.DEFINITION_BACKREF]


def _executor() -> Any:
    from graphql import parse
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

    document = parse("{ sample { plain computed } }")
    return StrawberryGraphQLCoreExecutionContext.build(_schema()._schema, document)


def _uvicorn_protocol() -> Any:
    from uvicorn.config import Config
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    from uvicorn.server import ServerState

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise NotImplementedError

    loop = asyncio.new_event_loop()
    try:
        config = Config(app, log_level="warning", lifespan="off")
        state = ServerState()
        return HttpToolsProtocol(config=config, server_state=state, app_state={}, _loop=loop)
    finally:
        loop.close()


def _info() -> Any:
    from strawberry.types.info import Info

    return Info(_raw_info=None, _field=_strawberry_field())  # type: ignore[arg-type]


def _depth_limiter() -> Any:
    from strawberry.extensions import QueryDepthLimiter

    return QueryDepthLimiter(max_depth=3)


def _ignore_context() -> Any:
    from strawberry.extensions.query_depth_limiter import IgnoreContext

    return IgnoreContext(field_name="f", field_args={}, node=None, context=None)  # type: ignore[arg-type]


SAMPLES: dict[str, Callable[[], Any]] = {
    "strawberry schema": _schema,
    "graphql schema": lambda: _schema()._schema,
    "converter": lambda: _schema().schema_converter,
    "concrete type": lambda: _schema().schema_converter.type_map["Sample"],
    "plain field": lambda: _graphql_field("plain"),
    "field": _strawberry_field,
    "resolver": lambda: _strawberry_field().base_resolver,
    "object definition": lambda: _schema().schema_converter.type_map["Sample"].definition,
    "info": _info,
    "executor": _executor,
    "uvicorn protocol": _uvicorn_protocol,
    "depth limiter": _depth_limiter,
    "ignore context": _ignore_context,
}


def _resolve(entry: Listed) -> Any:
    """The listed object, or a failure naming what is gone."""
    try:
        found: Any = importlib.import_module(entry.module)
    except ImportError as error:
        pytest.fail(entry.gone(f"no module {entry.module} ({error})"), pytrace=False)
    path = entry.name.split(".")
    if entry.on is not None:
        try:
            found = SAMPLES[entry.on]()
        except Exception as error:
            why = f"no {entry.on} to look for it on ({type(error).__name__}: {error})"
            pytest.fail(entry.gone(why), pytrace=False)
        path = path[1:]
    for step in path:
        if not hasattr(found, step):
            pytest.fail(entry.gone(f"no attribute {step!r}"), pytrace=False)
        found = getattr(found, step)
    return found


@pytest.mark.parametrize("entry", listed(), ids=lambda entry: f"{entry.library}:{entry.where}")
def test_a_listed_private_name_is_still_there(entry: Listed) -> None:
    # when the name is looked up in the installed library
    found = _resolve(entry)

    # then it exists, and takes the parameters the project calls or overrides it with
    if entry.params is None:
        return
    parameters = list(inspect.signature(found).parameters)
    if parameters[:1] in (["self"], ["cls"]):
        parameters = parameters[1:]
    expected = list(entry.params)
    compared = parameters if entry.override else parameters[: len(expected)]
    assert compared == expected, entry.gone(f"its parameters are now {parameters}, not {expected}")


# -- the list is complete: internal modules imported anywhere are on it --------------------


def _public(module: str, name: str) -> bool:
    """Whether `from module import name` uses the library's public API: no part is
    private, and the name is exported by the module itself (when it is a top-level
    package or one below it, e.g. `graphql.execution`, `starlette.routing`) or by the
    package one below the top that holds the module (`strawberry.types` for
    `strawberry.types.field`)."""
    parts = module.split(".")
    if (module, name) in DOCUMENTED:
        return True
    if name.startswith("_") or any(part.startswith("_") for part in parts):
        return False
    imported = importlib.import_module(module)
    if len(parts) <= 2:
        exported = getattr(imported, "__all__", None)
        return exported is None or name in exported
    package = importlib.import_module(".".join(parts[:2]))
    return name in getattr(package, "__all__", ())


def imported_internals() -> Iterator[tuple[str, str, str]]:
    """(module, name, file) of every internal import from the libraries."""
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.ImportFrom) or node.module is None:
                    continue
                if node.module.split(".")[0] not in LIBRARIES:
                    continue
                for alias in node.names:
                    if not _public(node.module, alias.name):
                        yield node.module, alias.name, str(path.relative_to(ROOT))


def test_every_internal_import_is_listed() -> None:
    # given what the list names (a class listed by one of its attributes counts)
    named = {(entry.module, entry.name.split(".")[0]) for entry in listed()}

    # when the sources are read for imports of internals
    missing = sorted(
        f"{file}: from {module} import {name}"
        for module, name, file in imported_internals()
        if (module, name) not in named
    )

    # then each is on the list
    assert missing == [], f"add these to {LISTED.relative_to(ROOT)}: {missing}"
