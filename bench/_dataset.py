"""The data the benchmark queries read: extra ML models created through the catalog's REST API
(clones of the seeded ones, with their followers and votes), lineage edges around Q2's model
(so that its graph grows with the depth walked), and the ids each query uses."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
import orjson

from gateway.emulator.auth import make_jwt
from gateway.emulator.config import DEFAULT_TOKEN

AUTH = f"Bearer {DEFAULT_TOKEN}"
ENTITY_COUNT = 100
MUTATION_MODELS = 20
# Q5's models: twice the largest concurrency measured (50), so that no two edits of one model
# are in flight at once (an edit whose read already shows its value writes nothing).
EDIT_MODELS = 100
RESET_CONCURRENCY = 8
# Q5 sets each model's description to one of these in turn; before a run every model is
# given EDIT_START, so that every edit of the rotation, from any turn on, changes it.
EDIT_DESCRIPTIONS = (
    "Weekly demand forecast per store and product (edited: A).",
    "Weekly demand forecast per store and product (edited: B).",
)
EDIT_START = "Weekly demand forecast per store and product."
SEED_CONCURRENCY = 16
# Q7: tables chained around the lineage model, beyond the feature-source tables the catalog
# records (depth 1 upstream): UPSTREAM_CHAIN more levels upstream of each source table and
# DOWNSTREAM_CHAIN levels downstream of the model, one level past the deepest walk (3).
UPSTREAM_CHAIN = 3
DOWNSTREAM_CHAIN = 4
LINEAGE_DEPTHS = range(4)
# What a model create request accepts of a model as the catalog answers it.
CLONED = (
    "displayName", "description", "algorithm", "target", "mlHyperParameters", "mlStore",
    "server", "tags",
)  # fmt: skip


class EmulatorControl:
    """The emulator's `/_emulator/` knobs."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client = httpx.Client(base_url=url, timeout=30)

    def reset_counters(self) -> None:
        self._client.delete("/_emulator/counters").raise_for_status()

    def calls(self) -> int:
        """Upstream calls counted since the last reset."""
        response = self._client.get("/_emulator/counters")
        response.raise_for_status()
        return int(response.json()["total"])

    def set_latency(self, ms: float) -> None:
        self._client.put("/_emulator/latency", json={"ms": ms}).raise_for_status()

    def close(self) -> None:
        self._client.close()


@dataclass(frozen=True, slots=True)
class Dataset:
    """The ids the queries use; everything else a client discovers from the answers."""

    catalog: str  # the catalog's API root, e.g. http://127.0.0.1:8585/api
    registry: str  # the registry's host
    detail_fqn: str  # Q2: a registry-linked model with features, tables and followers
    entity_ids: tuple[str, ...]  # Q3: `_entities` representations
    mutation_ids: tuple[str, ...]  # Q4: models followed and voted on
    edit_ids: tuple[str, ...]  # Q5: models whose description is edited
    caller_id: str  # the user the service token belongs to
    model_count: int
    lineage_id: str  # Q7: the model whose lineage is read (Q2's model)
    lineage_edges: tuple[int, ...]  # Q7: its graph's edges at each depth (both ways), 0-3

    @classmethod
    def discover(cls, url: str) -> Dataset:
        with httpx.Client(base_url=f"{url}/api", headers={"Authorization": AUTH}) as client:
            page = client.get(
                "/v1/mlmodels", params={"limit": 1_000_000, "fields": "followers,extension"}
            )
            page.raise_for_status()
            models = page.json()["data"]
            me = client.get("/v1/users/loggedInUser")
            me.raise_for_status()

        def richness(model: dict[str, Any]) -> tuple[int, str]:
            tables = {
                source["dataSource"]["id"]
                for feature in model.get("mlFeatures") or ()
                for source in feature.get("featureSources") or ()
                if source.get("dataSource")
            }
            return len(tables) + len(model.get("followers") or ()), model["fullyQualifiedName"]

        linked = [m for m in models if (m.get("extension") or {}).get("registryModelRid")]
        if not linked:
            raise SystemExit("the catalog has no ML model linked to the registry")
        ids = [m["id"] for m in models]
        detail = max(linked, key=richness)
        with httpx.Client(base_url=f"{url}/api", headers={"Authorization": AUTH}) as client:
            edges = tuple(
                _edge_count(client.get(f"/v1/lineage/mlmodel/{detail['id']}", params=depths(d)))
                for d in LINEAGE_DEPTHS
            )
        return cls(
            catalog=f"{url}/api",
            registry=url,
            detail_fqn=detail["fullyQualifiedName"],
            entity_ids=tuple(ids[-ENTITY_COUNT:]),
            mutation_ids=tuple(ids[:MUTATION_MODELS]),
            edit_ids=tuple(ids[MUTATION_MODELS : MUTATION_MODELS + EDIT_MODELS]),
            caller_id=me.json()["id"],
            model_count=len(models),
            lineage_id=detail["id"],
            lineage_edges=edges,
        )


def depths(depth: int) -> dict[str, str]:
    """Q7's lineage parameters: `depth` both ways."""
    return {"upstreamDepth": str(depth), "downstreamDepth": str(depth)}


def _edge_count(response: httpx.Response) -> int:
    response.raise_for_status()
    graph = response.json()
    return len(graph["upstreamEdges"]) + len(graph["downstreamEdges"])


def edit_turn(dataset: Dataset, turn: int) -> tuple[str, str]:
    """Q5's edit at `turn` of its rotation: (model id, new description). Every model is set
    to the first description, then every model to the second, and so on: two edits of one
    model are `len(edit_ids)` turns apart, so each changes it."""
    count = len(dataset.edit_ids)
    index = turn % (count * len(EDIT_DESCRIPTIONS))
    return dataset.edit_ids[index % count], EDIT_DESCRIPTIONS[index // count]


def reset_edits(dataset: Dataset) -> None:
    """Give Q5's models EDIT_START (before each run of the rotation, which starts anew)."""
    set_descriptions(dataset, dataset.edit_ids, EDIT_START)


def set_descriptions(dataset: Dataset, ids: Sequence[str], description: str) -> None:
    """Give each model `description`: a JSON Patch per model, as the admin, straight to the
    catalog."""
    patch = orjson.dumps([{"op": "add", "path": "/description", "value": description}])
    headers = {"Authorization": AUTH, "Content-Type": "application/json-patch+json"}
    with httpx.Client(base_url=dataset.catalog, headers=headers, timeout=30) as client:

        def send(model_id: str) -> None:
            client.patch(f"/v1/mlmodels/{model_id}", content=patch).raise_for_status()

        with concurrent.futures.ThreadPoolExecutor(RESET_CONCURRENCY) as pool:
            list(pool.map(send, ids))


def _create_body(model: dict[str, Any], name: str) -> dict[str, Any]:
    body = {key: model[key] for key in CLONED if model.get(key) is not None}
    body["name"] = name
    body["service"] = model["service"]["fullyQualifiedName"]
    body["mlFeatures"] = [
        {key: value for key, value in feature.items() if key != "fullyQualifiedName"}
        for feature in model.get("mlFeatures") or ()
    ]
    return body


async def _clone(
    session: aiohttp.ClientSession, api: str, model: dict[str, Any], name: str
) -> None:
    async with session.post(f"{api}/v1/mlmodels", json=_create_body(model, name)) as response:
        if response.status != 201:
            detail = await response.text()
            raise SystemExit(f"creating model {name}: HTTP {response.status} {detail}")
        created = await response.json()
    path = f"{api}/v1/mlmodels/{created['id']}"
    calls = [
        session.put(f"{path}/followers", json=follower["id"])
        for follower in model.get("followers") or ()
    ]
    votes = model.get("votes") or {}
    for kind, voters in (("votedUp", "upVoters"), ("votedDown", "downVoters")):
        for voter in votes.get(voters) or ():
            auth = {"Authorization": f"Bearer {make_jwt(voter['name'])}"}
            calls.append(session.put(f"{path}/vote", json={"updatedVoteType": kind}, headers=auth))
    for call in calls:
        async with call as response:
            if response.status != 200:
                raise SystemExit(f"decorating model {name}: HTTP {response.status}")


async def _grow(url: str, total: int) -> int:
    api = f"{url}/api"
    connector = aiohttp.TCPConnector(limit=SEED_CONCURRENCY)
    headers = {"Authorization": AUTH}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        params = {"limit": "1000000", "fields": "followers,votes,tags"}
        async with session.get(f"{api}/v1/mlmodels", params=params) as response:
            response.raise_for_status()
            seeded = (await response.json())["data"]
        missing = total - len(seeded)
        gate = asyncio.Semaphore(SEED_CONCURRENCY)

        async def clone(i: int) -> None:
            model = seeded[i % len(seeded)]
            async with gate:
                await _clone(session, api, model, f"{model['name']}_{i // len(seeded):03d}")

        await asyncio.gather(*(clone(i) for i in range(max(missing, 0))))
    return max(missing, 0)


def _chain_lineage(url: str) -> None:
    """Lineage edges around Q7's model (`Dataset.discover` picks it): a chain of
    UPSTREAM_CHAIN tables upstream of each of its source tables and one of DOWNSTREAM_CHAIN
    tables downstream of it, taken in FQN order from the tables it does not read. PUT as
    the admin; adding an edge that is there changes nothing, so this may run again."""
    dataset = Dataset.discover(url)
    with httpx.Client(base_url=f"{url}/api", headers={"Authorization": AUTH}, timeout=30) as api:
        graph = api.get(f"/v1/lineage/mlmodel/{dataset.lineage_id}", params=depths(1))
        graph.raise_for_status()
        sources = sorted(e["fromEntity"] for e in graph.json()["upstreamEdges"])
        listed = api.get("/v1/tables", params={"limit": 1000})
        listed.raise_for_status()
        tables = sorted(listed.json()["data"], key=lambda t: t["fullyQualifiedName"])
        free = iter(t["id"] for t in tables if t["id"] not in sources)
        edges: list[tuple[tuple[str, str], tuple[str, str]]] = []
        for source in sources:
            below = source
            for _ in range(UPSTREAM_CHAIN):
                above = next(free)
                edges.append((("table", above), ("table", below)))
                below = above
        above_end = ("mlmodel", dataset.lineage_id)
        for _ in range(DOWNSTREAM_CHAIN):
            below_end = ("table", next(free))
            edges.append((above_end, below_end))
            above_end = below_end
        for (from_type, from_id), (to_type, to_id) in edges:
            body = {
                "edge": {
                    "fromEntity": {"type": from_type, "id": from_id},
                    "toEntity": {"type": to_type, "id": to_id},
                }
            }
            api.put("/v1/lineage", json=body).raise_for_status()


def grow_catalog(control: EmulatorControl, total: int) -> int:
    """Clone seeded models (features, tags, followers, votes) until the catalog holds `total`,
    then chain lineage around Q7's model.

    Runs with the emulator's latency off; answers how many models were created.
    """
    with httpx.Client(timeout=30) as client:
        latency = float(client.get(f"{control.url}/_emulator/latency").json()["ms"])
    control.set_latency(0)
    try:
        created = asyncio.run(_grow(control.url, total))
        _chain_lineage(control.url)
        return created
    finally:
        control.set_latency(latency)
