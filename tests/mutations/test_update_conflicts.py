"""No lost edits: concurrent tag additions all land, a guarded removal is planned again
after a concurrent change, and an edit based on a stale read is refused (expectedVersion)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.conftest import EmulatorHandle, GatewayClient, gateway_settings, running_gateway
from tests.gateway.rest import upstream_calls
from tests.mutations.rest import catalog_write
from tests.mutations.test_update import CHURN, read_model

UPDATE = """
mutation Update($id: ID!, $input: MlModelUpdate!, $version: Float) {
  updateMlModel(id: $id, input: $input, expectedVersion: $version) {
    __typename
    ... on UpdateMlModelSuccess { changed mlModel { version description tags { tagFQN } } }
    ... on MutationError { code message }
  }
}
"""
VERSION = "query($fqn: String!) { mlModel(fullyQualifiedName: $fqn) { id version } }"
PATCH = "PATCH /api/v1/mlmodels/{id}"
READ = "GET /api/v1/mlmodels/{id}"


def patch_as(emulator: EmulatorHandle, user: str, model_id: str, ops: list[dict[str, Any]]) -> None:
    """Someone else's edit, straight to the catalog."""
    response = httpx.patch(
        f"{emulator.catalog_url}/v1/mlmodels/{model_id}",
        content=httpx.Request("PATCH", "http://x", json=ops).content,
        headers={**emulator.headers(user), "Content-Type": "application/json-patch+json"},
        timeout=10,
    )
    response.raise_for_status()


class InterleavingTransport(httpx.AsyncBaseTransport):
    """Real HTTP to the emulator; before each of the gateway's first `times` PATCHes goes
    out, `meanwhile(n)` runs: someone else's edit lands between its read and its patch."""

    def __init__(self, meanwhile: Callable[[int], None], times: int = 1) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.meanwhile = meanwhile
        self.times = times
        self.patches = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and self.patches < self.times:
            self.patches += 1
            await asyncio.to_thread(self.meanwhile, self.patches)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@asynccontextmanager
async def interleaved(
    emulator: EmulatorHandle, executor: str, meanwhile: Callable[[int], None], times: int = 1
) -> AsyncIterator[GatewayClient]:
    settings = gateway_settings(emulator, executor=executor)
    transport = InterleavingTransport(meanwhile, times)
    async with running_gateway(settings, emulator, transport=transport) as gateway:
        yield gateway


async def test_fifty_concurrent_tag_additions_all_land(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given fifty tags of a new classification, and the model's tags
    catalog_write(emulator, "POST", "/v1/classifications", {"name": "Crowd", "description": "."})
    names = [f"Crowd.t{i:02d}" for i in range(50)]
    for name in names:
        tag = {"name": name.split(".")[1], "description": ".", "classification": "Crowd"}
        catalog_write(emulator, "POST", "/v1/tags", tag)
    before = read_model(emulator, CHURN)
    # when fifty edits, each adding one of them, run at once
    results = await asyncio.gather(
        *(
            gateway.execute(UPDATE, {"id": before["id"], "input": {"addTags": [{"tagFQN": n}]}})
            for n in names
        )
    )
    # then every edit succeeded and every tag is on the model, the earlier ones kept
    assert [r["data"]["updateMlModel"]["__typename"] for r in results] == [
        "UpdateMlModelSuccess"
    ] * 50
    tags = [t["tagFQN"] for t in read_model(emulator, CHURN)["tags"]]
    assert tags[:2] == [t["tagFQN"] for t in before["tags"]]
    assert sorted(tags[2:]) == names
    # and no edit needed a second try: appends are sent unguarded
    assert upstream_calls(emulator)[PATCH] == 50


async def test_a_removal_is_planned_again_when_the_list_changed_meanwhile(
    emulator: EmulatorHandle, executor: str
) -> None:
    # given the model's tags [Tier.Tier1, Business.Churn], and lena removing Tier.Tier1
    # between the gateway's read and its patch (Business.Churn moves from index 1 to 0)
    model = read_model(emulator, CHURN)
    remove_first = [{"op": "remove", "path": "/tags/0"}]
    emulator.reset_counters()
    async with interleaved(
        emulator, executor, lambda _: patch_as(emulator, "lena", model["id"], remove_first)
    ) as gateway:
        # when the admin removes Business.Churn
        result = await gateway.execute(
            UPDATE, {"id": model["id"], "input": {"removeTags": ["Business.Churn"]}}
        )
    # then its patch failed its test (index 1 is gone), was planned again on a fresh read
    # and applied: both removals landed, and nothing else was removed
    assert upstream_calls(emulator) == {READ: 2, PATCH: 3}
    assert result["data"]["updateMlModel"]["__typename"] == "UpdateMlModelSuccess"
    assert result["data"]["updateMlModel"]["mlModel"]["tags"] == []
    assert read_model(emulator, CHURN)["tags"] == []


async def test_an_edit_that_keeps_losing_the_race_is_a_conflict(
    emulator: EmulatorHandle, executor: str
) -> None:
    # given others changing the description before each of the gateway's patches
    model = read_model(emulator, CHURN)

    def meanwhile(n: int) -> None:
        edit = [{"op": "add", "path": "/description", "value": f"Edit {n}."}]
        patch_as(emulator, ("lena", "bob")[n % 2], model["id"], edit)

    emulator.reset_counters()
    async with interleaved(emulator, executor, meanwhile, times=4) as gateway:
        # when the admin removes a tag
        result = await gateway.execute(
            UPDATE, {"id": model["id"], "input": {"removeTags": ["Tier.Tier1"]}}
        )
    # then after the first try and three fresh reads it gives up: a conflict, the tag kept
    assert result == {
        "data": {
            "updateMlModel": {
                "__typename": "ConflictError",
                "code": "CONFLICT",
                "message": "The ML model kept changing while the edit was applied (3 fresh "
                "reads). Read it again and retry.",
            }
        }
    }
    assert upstream_calls(emulator) == {READ: 4, PATCH: 8}
    after = read_model(emulator, CHURN)
    assert [t["tagFQN"] for t in after["tags"]] == ["Tier.Tier1", "Business.Churn"]
    assert after["description"] == "Edit 4."


async def test_an_edit_based_on_a_stale_read_is_refused_and_the_newer_edit_stays(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given the version a frontend read, then lena's edit through the gateway
    read = (await gateway.execute(VERSION, {"fqn": CHURN}))["data"]["mlModel"]
    theirs = await gateway.execute(
        UPDATE, {"id": read["id"], "input": {"description": "Lena's."}}, user="lena"
    )
    newer = theirs["data"]["updateMlModel"]["mlModel"]["version"]
    emulator.reset_counters()
    # when the frontend saves its edit based on the version it read
    result = await gateway.execute(
        UPDATE,
        {"id": read["id"], "input": {"description": "Mine."}, "version": read["version"]},
    )
    # then it is refused without a write, and lena's edit is intact
    assert result == {
        "data": {
            "updateMlModel": {
                "__typename": "ConflictError",
                "code": "CONFLICT",
                "message": f"The ML model is at version {newer}, not at the expected "
                f"{read['version']}: it changed since it was read. Read it again and retry.",
            }
        }
    }
    assert newer > read["version"]
    assert upstream_calls(emulator) == {READ: 1}
    assert read_model(emulator, CHURN)["description"] == "Lena's."


async def test_a_change_between_the_read_and_the_patch_is_refused_by_the_catalog(
    emulator: EmulatorHandle, executor: str
) -> None:
    # given lena's edit landing between the gateway's read and its patch
    model = read_model(emulator, CHURN)
    edit = [{"op": "add", "path": "/description", "value": "Lena's."}]
    emulator.reset_counters()
    async with interleaved(
        emulator, executor, lambda _: patch_as(emulator, "lena", model["id"], edit)
    ) as gateway:
        # when the admin saves an edit based on the version it read
        result = await gateway.execute(
            UPDATE,
            {"id": model["id"], "input": {"description": "Mine."}, "version": model["version"]},
        )
    # then the catalog refused the patch (If-Match W/"<version>"), the gateway did not retry
    assert result == {
        "data": {
            "updateMlModel": {
                "__typename": "ConflictError",
                "code": "CONFLICT",
                "message": f"The ML model changed since version {model['version']} (the "
                "expected version) was read. Read it again and retry.",
            }
        }
    }
    assert upstream_calls(emulator) == {READ: 1, PATCH: 2}
    assert read_model(emulator, CHURN)["description"] == "Lena's."


async def test_the_current_version_lets_the_edit_through(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    model = read_model(emulator, CHURN)
    result = await gateway.execute(
        UPDATE, {"id": model["id"], "input": {"description": "Mine."}, "version": model["version"]}
    )
    after = read_model(emulator, CHURN)
    assert result["data"]["updateMlModel"] == {
        "__typename": "UpdateMlModelSuccess",
        "changed": True,
        "mlModel": {
            "version": after["version"],
            "description": "Mine.",
            "tags": [{"tagFQN": t["tagFQN"]} for t in after["tags"]],
        },
    }
    assert after["version"] > model["version"]
