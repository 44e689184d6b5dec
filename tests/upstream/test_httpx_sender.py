"""The httpx fallback (GATEWAY_HTTP_TRANSPORT=httpx) at steady state: no import per call.

httpcore asks sniffio which event loop runs for every lock it makes; without sniffio
installed, each ask was a failed import that searched sys.path (~1.5 ms of CPU a call).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType

import pytest

from gateway.upstream.catalog import CatalogClient
from gateway.upstream.http import UpstreamConfig, UpstreamHttp
from tests.conftest import EmulatorHandle


class ImportRecorder(MetaPathFinder):
    """Sees every import that reaches the finders (one not already in sys.modules)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        self.names.append(fullname)
        return None


@pytest.fixture
def imports() -> Iterator[ImportRecorder]:
    recorder = ImportRecorder()
    sys.meta_path.insert(0, recorder)
    yield recorder
    sys.meta_path.remove(recorder)


async def test_calls_through_httpx_import_nothing(
    emulator: EmulatorHandle, imports: ImportRecorder
) -> None:
    http = UpstreamHttp(UpstreamConfig("catalog", emulator.catalog_url, transport="httpx"))
    client = CatalogClient(http, auth=f"Bearer {emulator.token}")
    try:
        page = await client.list_models(limit=3)  # the first call may import lazily
        imports.names.clear()
        for model in page.data:
            assert (await client.get_model(model.id)).id == model.id
        assert imports.names == []
    finally:
        await http.aclose()
