"""Shared fixtures: a seeded emulator on a real port, helpers to drive its knobs, and the
GraphQL executor each gateway of a test runs (the GraphQL-level suites run under each)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

import httpx
import pytest

from gateway.base.settings import Settings
from gateway.emulator.app import create_emulator_app
from gateway.emulator.auth import make_jwt
from gateway.emulator.config import DEFAULT_TOKEN, EmulatorConfig
from tests.servers import ThreadedServer

if TYPE_CHECKING:
    from gateway.upstream.resilience import Clock

ROOT = Path(__file__).resolve().parents[1]
EXECUTORS: tuple[str, ...] = get_args(Settings.model_fields["executor"].annotation)
# The GraphQL-level suites: each of their tests that talks to the emulator runs once per
# executor (GATEWAY_EXECUTOR), and must answer alike under both.
PER_EXECUTOR = (
    "tests/gateway/",
    "tests/mutations/",
    "tests/federation/",
    "tests/fuzz/",
    "tests/resilience/test_upstream_down.py",
)
# Run once, under the default: these compare both executors themselves, or run no query.
ONCE = (
    "tests/gateway/test_execution.py",
    "tests/gateway/test_executor_parity.py",
    "tests/gateway/test_models_by_table.py",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--executors",
        default=",".join(EXECUTORS),
        help="comma-separated executors the GraphQL-level suites run under "
        f"(default: {','.join(EXECUTORS)})",
    )


def chosen_executors(config: pytest.Config) -> list[str]:
    chosen = [name.strip() for name in str(config.getoption("executors")).split(",")]
    unknown = sorted(set(chosen) - set(EXECUTORS))
    if unknown or not chosen:
        raise pytest.UsageError(f"--executors: {unknown or chosen} not among {EXECUTORS}")
    return chosen


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    where = metafunc.definition.path.relative_to(ROOT).as_posix()
    talks_to_the_emulator = {"emulator", "emulator_server"} & set(metafunc.fixturenames)
    if talks_to_the_emulator and where.startswith(PER_EXECUTOR) and not where.startswith(ONCE):
        # Session-scoped, so a gateway a module or the session shares (the federation
        # subgraph, the fuzzed one) is made once per executor and tests are grouped by it.
        executors = chosen_executors(metafunc.config)
        metafunc.parametrize("executor", executors, indirect=True, scope="session")


@pytest.fixture(scope="session")
def executor(request: pytest.FixtureRequest) -> str:
    """The executor of this test's gateways: each of --executors in turn for the
    GraphQL-level suites, else the default. Fixtures sharing a gateway across tests pass it
    to `gateway_settings`; within a test, GATEWAY_EXECUTOR carries it."""
    chosen: str = getattr(request, "param", Settings.model_fields["executor"].default)
    return chosen


@pytest.fixture(autouse=True)
def _executor_env(executor: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`GATEWAY_EXECUTOR` for the test (whatever the shell has): every `Settings` it makes
    (`gateway_settings`, `create_schema()`, a `gateway serve` it starts) reads it."""
    monkeypatch.setenv("GATEWAY_EXECUTOR", executor)


class EmulatorHandle:
    """A running emulator: its base URL plus the admin knobs as plain methods."""

    def __init__(self, server: ThreadedServer) -> None:
        self.server = server
        self.url = server.url
        self.catalog_url = f"{server.url}/api"
        self.registry_url = server.url
        self.admin = httpx.Client(base_url=f"{server.url}/_emulator", timeout=10)
        self.token = DEFAULT_TOKEN

    def headers(self, user: str | None = None) -> dict[str, str]:
        token = make_jwt(user) if user else self.token
        return {"Authorization": f"Bearer {token}"}

    def reset(self) -> None:
        self.admin.post("/reset").raise_for_status()

    def counters(self) -> dict[str, int]:
        return dict(self.admin.get("/counters").json()["routes"])

    def reset_counters(self) -> None:
        self.admin.delete("/counters").raise_for_status()

    def requests(self) -> list[dict[str, object]]:
        return list(self.admin.get("/requests").json()["requests"])

    def add_fault(self, **fault: object) -> None:
        self.admin.post("/faults", json=fault).raise_for_status()

    def clear_faults(self) -> None:
        self.admin.delete("/faults").raise_for_status()

    def set_latency(self, ms: float) -> None:
        self.admin.put("/latency", json={"ms": ms}).raise_for_status()


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorHandle]:
    server = ThreadedServer(create_emulator_app(EmulatorConfig(data=":memory:"))).start()
    handle = EmulatorHandle(server)
    yield handle
    handle.admin.close()
    server.stop()


@pytest.fixture
def emulator(emulator_server: EmulatorHandle) -> Iterator[EmulatorHandle]:
    """The shared emulator, reseeded with clean knobs for each test that asks for it."""
    emulator_server.reset()
    yield emulator_server
    emulator_server.clear_faults()
    emulator_server.set_latency(0)


CONTRACTS_HINT = "point it at the upstream contracts (.ci/run uses ../shared/contracts)"


def in_ci(environ: Mapping[str, str]) -> bool:
    """Under CI (`CI` is true, 1 or yes), where whatever a test needs must be provided."""
    return environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@dataclass(frozen=True, slots=True)
class Missing:
    """Why something tests need is not there, and whether that fails them (under CI)."""

    reason: str
    fail: bool


def find_contracts_dir(environ: Mapping[str, str]) -> Path | Missing:
    """The contracts directory `GATEWAY_CONTRACTS_DIR` names, or why there is none."""
    value = environ.get("GATEWAY_CONTRACTS_DIR")
    if not value:
        reason = f"GATEWAY_CONTRACTS_DIR is not set: {CONTRACTS_HINT}"
    elif not Path(value).is_dir():
        reason = f"GATEWAY_CONTRACTS_DIR={value} is not a directory: {CONTRACTS_HINT}"
    else:
        return Path(value)
    return Missing(reason, fail=in_ci(environ))


# The registry API through one keep-alive client per module (emulator and contract tests).
@pytest.fixture(scope="module")
def preview_client(emulator_server: EmulatorHandle) -> Iterator[httpx.Client]:
    """One keep-alive client per module, sending the token and `preview=true`."""
    with httpx.Client(
        base_url=emulator_server.registry_url,
        headers=emulator_server.headers(),
        params={"preview": "true"},
        timeout=10,
    ) as client:
        yield client


@pytest.fixture
def registry(emulator: EmulatorHandle, preview_client: httpx.Client) -> httpx.Client:
    """The module's client, talking to the freshly reseeded emulator."""
    return preview_client


@pytest.fixture(scope="session")
def contracts_dir() -> Path:
    """`$GATEWAY_CONTRACTS_DIR`; without it tests needing it fail under CI, skip elsewhere."""
    found = find_contracts_dir(os.environ)
    if isinstance(found, Missing):
        if found.fail:
            pytest.fail(found.reason, pytrace=False)
        pytest.skip(found.reason)
    return found


class GatewayClient:
    """Talks GraphQL to an in-process gateway app whose upstream is the emulator."""

    def __init__(self, client: httpx.AsyncClient, emulator: EmulatorHandle) -> None:
        self.http = client
        self.emulator = emulator

    async def execute(
        self,
        query: str,
        variables: dict[str, object] | None = None,
        *,
        user: str | None = None,
        headers: dict[str, str] | None = None,
        anonymous: bool = False,
    ) -> dict[str, Any]:
        """POST an operation and return the decoded JSON body (any status): as `user`
        (a JWT naming them), with `headers`, with no credentials when `anonymous`, else
        with the emulator's admin token."""
        all_headers = dict(headers or {})
        if user is not None:
            all_headers["Authorization"] = f"Bearer {make_jwt(user)}"
        elif not anonymous and "Authorization" not in all_headers:
            all_headers["Authorization"] = f"Bearer {DEFAULT_TOKEN}"
        body: dict[str, object] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        response = await self.http.post("/graphql", json=body, headers=all_headers)
        result: dict[str, Any] = response.json()
        return result


def gateway_settings(emulator: EmulatorHandle, **overrides: object) -> Settings:
    """Settings of a gateway over `emulator`: short timeouts, the emulator's token; the
    executor is GATEWAY_EXECUTOR's (see `executor`) unless given."""
    values: dict[str, object] = {
        "catalog_url": emulator.catalog_url,
        "registry_url": emulator.registry_url,
        "catalog_token": DEFAULT_TOKEN,
        "registry_token": DEFAULT_TOKEN,
        # Generous: a test that wants a timeout sets its own; a loaded machine (two busy
        # cores, mutation testing) must not turn a slow answer into a failure.
        "upstream_timeout": 15.0,
        "connect_timeout": 5.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def until(condition: Callable[[], object], what: str, *, within: float = 30.0) -> None:
    """Poll `condition()` until it holds; fail after `within` seconds, naming `what`."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {within} s for {what}")
        await asyncio.sleep(0.01)


class FakeClock:
    """A monotonic clock that moves only when the test advances it."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@asynccontextmanager
async def running_gateway(
    settings: Settings,
    emulator: EmulatorHandle,
    *,
    clock: Clock = time.monotonic,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[GatewayClient]:
    """The gateway app in process; `clock` is its time (circuit breakers, caller cache),
    `transport` (an httpx transport toward the emulator) replaces its HTTP transport."""
    from gateway.server.app import create_app

    app = create_app(settings, clock=clock, transport=transport)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield GatewayClient(client, emulator)


@pytest.fixture
async def gateway(emulator: EmulatorHandle, executor: str) -> AsyncIterator[GatewayClient]:
    """A gateway over the freshly reseeded emulator, using the service token by default,
    running the test's executor."""
    settings = gateway_settings(emulator, executor=executor)
    async with running_gateway(settings, emulator) as client:
        yield client
