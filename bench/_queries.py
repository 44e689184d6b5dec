"""The benchmarked operations, as a catalog frontend sends them, and how to check an answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench._dataset import EDIT_DESCRIPTIONS, Dataset, edit_turn, reset_edits

LIST_PAGE = """
query ModelsPage($first: Int!) {
  mlModels(first: $first) {
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id name displayName algorithm
        service { name serviceType }
        followerCount
        votes { upVotes downVotes }
        tags { tagFQN }
      }
    }
  }
}
"""

DETAIL = """
query ModelDetail($fqn: String!) {
  mlModel(fullyQualifiedName: $fqn) {
    id name displayName description algorithm target
    service { name serviceType }
    mlFeatures {
      name dataType
      featureSources {
        name dataType
        table { fullyQualifiedName columns { name dataType description } }
      }
    }
    followers { name displayName email }
    versions(first: 10) {
      nodes {
        rid createdTime source { type }
        modelApi {
          inputs { name type columns { name dataType required } }
          outputs { name type columns { name dataType } }
        }
      }
    }
  }
}
"""

ENTITIES = """
query($r: [_Any!]!) { _entities(representations: $r) { ... on MlModel { id name algorithm } } }
"""

FOLLOW = """
mutation Follow($id: ID!) {
  follow(kind: ML_MODEL, id: $id) {
    __typename
    ... on FollowSuccess { asset { ... on MlModel { id followerCount } } }
  }
}
"""

UNFOLLOW = """
mutation Unfollow($id: ID!) {
  unfollow(kind: ML_MODEL, id: $id) {
    __typename
    ... on FollowSuccess { asset { ... on MlModel { id followerCount } } }
  }
}
"""

VOTE = """
mutation Vote($id: ID!, $vote: VoteType!) {
  vote(kind: ML_MODEL, id: $id, vote: $vote) {
    __typename
    ... on VoteSuccess { vote asset { ... on MlModel { id votes { upVotes downVotes } } } }
  }
}
"""

EDIT = """
mutation EditModel($id: ID!, $description: String!) {
  updateMlModel(id: $id, input: { description: $description }) {
    __typename
    ... on UpdateMlModelSuccess { changed mlModel { id description version } }
  }
}
"""

# Q6: a search page as a catalog frontend's search box asks for it: the hits' name,
# description, tags, owners, service name and type and follower count, with the tag facet.
# The index document (`_source`) holds followers as user ids and tags without the Tier tag,
# so the gateway reads `tags` and `followerCount` through its model loader.
SEARCH = """
query SearchModels($query: String!, $first: Int!) {
  search(query: $query, kinds: [ML_MODEL], first: $first) {
    totalCount
    facets { tags { value count } }
    edges {
      score
      node {
        ... on MlModel {
          name description
          tags { tagFQN }
          owners { name }
          service { name serviceType }
          followerCount
        }
      }
    }
  }
}
"""

# Q7: a model's lineage graph, its edges with both ends' names (the lineage answer's own
# references; selecting `nodes` would load each model and table of the graph).
LINEAGE = """
query ModelLineage($id: ID!, $depth: Int!) {
  mlModel(id: $id) {
    id
    lineage(upstreamDepth: $depth, downstreamDepth: $depth) {
      edges {
        from { id type name fullyQualifiedName }
        to { id type name fullyQualifiedName }
        columns { fromColumns toColumn }
      }
    }
  }
}
"""

# Q8: Q1's page with the followers' emails (user records the list call does not hold).
FOLLOWER_PAGE = """
query ModelFollowers($first: Int!) {
  mlModels(first: $first) { nodes { id followers { email } } }
}
"""

PAGE_SIZES = (10, 50, 200, 1000)
# A word of 265 of the 1,000 models' descriptions ("customer"): every page size is full.
SEARCH_WORD = "customer"
SEARCH_SIZES = (10, 20, 50)
SEARCH_SIZE = 20
LINEAGE_LEVELS = (1, 3)
LIST_SIZE = 50
MUTATION_FIELDS = ("follow", "unfollow", "vote")
EDIT_FIELDS = ("updateMlModel",)
# Operations that write: left out of the soak.
WRITES = ("Q4", "Q5")

Check = Callable[[dict[str, Any]], str | None]


@dataclass(frozen=True, slots=True)
class Operation:
    """One benchmarked query: request bodies (sent in rotation) and a check of an answer."""

    key: str
    title: str
    short: str
    bodies: tuple[bytes, ...]
    check: Check
    levels: int  # dependent upstream round trips the data needs at least
    # Called before each run of the bodies (they are sent from the first again): puts the
    # data where the rotation expects it.
    prepare: Callable[[], None] | None = None

    def ready(self) -> None:
        if self.prepare is not None:
            self.prepare()


def _body(query: str, variables: dict[str, Any]) -> bytes:
    return orjson.dumps({"query": " ".join(query.split()), "variables": variables})


def _no_errors(check: Check) -> Check:
    def checked(answer: dict[str, Any]) -> str | None:
        if answer.get("errors"):
            return f"errors: {orjson.dumps(answer['errors'])[:300].decode()}"
        return check(answer["data"])

    return checked


def list_page(size: int) -> Operation:
    def check(data: dict[str, Any]) -> str | None:
        edges = data["mlModels"]["edges"]
        if len(edges) != size:
            return f"{len(edges)} models instead of {size}"
        if not all(e["node"]["service"]["serviceType"] for e in edges):
            return "a model without its service type"
        return None

    return Operation(
        f"Q1/{size}",
        f"Q1 model list page ({size} models)",
        "Q1 list page",
        (_body(LIST_PAGE, {"first": size}),),
        _no_errors(check),
        levels=1,
    )


def search_page(size: int) -> Operation:
    """Q6 at `size` hits: one search call (hits and facets) as the floor makes."""

    def check(data: dict[str, Any]) -> str | None:
        found = data["search"]
        edges = found["edges"]
        if len(edges) != size:
            return f"{len(edges)} hits instead of {size}"
        if found["totalCount"] < max(SEARCH_SIZES):
            return f"{found['totalCount']} hits in all, fewer than the largest page"
        if not found["facets"]["tags"]:
            return "no tag facet"
        for edge in edges:
            node = edge["node"]
            text = f"{node['name']} {node['description'] or ''}".lower()
            if edge["score"] is None or SEARCH_WORD not in text:
                return f"{node['name']}: no score, or neither name nor description has the word"
            if not node["service"]["serviceType"] or not isinstance(node["owners"], list):
                return f"{node['name']}: no service type or no owners list"
            if not isinstance(node["followerCount"], int) or not isinstance(node["tags"], list):
                return f"{node['name']}: no follower count or tags"
        return None

    return Operation(
        f"Q6/{size}",
        f"Q6 search page ({size} ML models matching {SEARCH_WORD!r}, tag facet)",
        "Q6 search page",
        (_body(SEARCH, {"query": SEARCH_WORD, "first": size}),),
        _no_errors(check),
        levels=1,
    )


def lineage(dataset: Dataset, depth: int) -> Operation:
    """Q7 at `depth` both ways: the model's lineage graph (one lineage call, as the floor's)."""
    expected = dataset.lineage_edges[depth]

    def check(data: dict[str, Any]) -> str | None:
        model = data["mlModel"]
        if model is None or model["lineage"] is None:
            return "no model or no lineage"
        edges = model["lineage"]["edges"]
        if len(edges) != expected:
            return f"{len(edges)} edges instead of {expected}"
        if not all(e["from"]["name"] and e["to"]["name"] for e in edges):
            return "an edge end without its name"
        return None

    return Operation(
        f"Q7/{depth}",
        f"Q7 model lineage, depth {depth} each way ({expected} edges)",
        f"Q7 lineage depth {depth}",
        (_body(LINEAGE, {"id": dataset.lineage_id, "depth": depth}),),
        _no_errors(check),
        levels=1,
    )


def follower_page(size: int = LIST_SIZE) -> Operation:
    """Q8: a list page with the followers' emails (the list call, then the users)."""

    def check(data: dict[str, Any]) -> str | None:
        nodes = data["mlModels"]["nodes"]
        if len(nodes) != size:
            return f"{len(nodes)} models instead of {size}"
        followers = [u for n in nodes for u in n["followers"]]
        if not followers or not all(u["email"] for u in followers):
            return "no followers, or a follower without an email"
        return None

    return Operation(
        "Q8",
        f"Q8 model list page with followers' emails ({size} models)",
        "Q8 followers' emails",
        (_body(FOLLOWER_PAGE, {"first": size}),),
        _no_errors(check),
        levels=2,
    )


def operations(
    dataset: Dataset,
    with_mutations: bool,
    with_edits: bool = False,
    with_search: bool = False,
) -> list[Operation]:
    def detail(data: dict[str, Any]) -> str | None:
        model = data["mlModel"]
        if model is None:
            return "no model"
        tables = [s["table"] for f in model["mlFeatures"] for s in f["featureSources"]]
        if not tables or not all(t and t["columns"] for t in tables):
            return "a feature source without its table columns"
        if not model["followers"] or not all(u["email"] for u in model["followers"]):
            return "no followers with emails"
        if not model["versions"] or not model["versions"]["nodes"]:
            return "no registry versions"
        return None

    def entities(data: dict[str, Any]) -> str | None:
        found = [e["id"] for e in data["_entities"] if e]
        if found != list(dataset.entity_ids):
            return f"{len(found)} entities instead of {len(dataset.entity_ids)}"
        return None

    references = [{"__typename": "MlModel", "id": i} for i in dataset.entity_ids]
    ops = [
        list_page(LIST_SIZE),
        Operation(
            "Q2",
            f"Q2 model detail ({dataset.detail_fqn})",
            "Q2 model detail",
            (_body(DETAIL, {"fqn": dataset.detail_fqn}),),
            _no_errors(detail),
            levels=2,
        ),
        Operation(
            "Q3",
            f"Q3 _entities, {len(references)} MlModel representations",
            "Q3 _entities",
            (_body(ENTITIES, {"r": references}),),
            _no_errors(entities),
            levels=1,
        ),
    ]
    if with_mutations:
        ops.append(mutations(dataset))
    if with_edits:
        ops.append(edits(dataset))
    if with_search:
        ops.append(search_page(SEARCH_SIZE))
        ops += [lineage(dataset, depth) for depth in LINEAGE_LEVELS]
    ops.append(follower_page())
    return ops


def mutations(dataset: Dataset) -> Operation:
    """Follow, vote up, unfollow, withdraw the vote: in turn, over a set of models."""
    bodies: list[bytes] = []
    for model_id in dataset.mutation_ids:
        bodies += [
            _body(FOLLOW, {"id": model_id}),
            _body(VOTE, {"id": model_id, "vote": "UP"}),
            _body(UNFOLLOW, {"id": model_id}),
            _body(VOTE, {"id": model_id, "vote": "NONE"}),
        ]

    def check(data: dict[str, Any]) -> str | None:
        (result,) = data.values()
        if result["__typename"] not in ("FollowSuccess", "VoteSuccess"):
            return f"answered {result['__typename']}"
        return None

    return Operation(
        "Q4",
        f"Q4 follow/vote/unfollow/unvote mix over {len(dataset.mutation_ids)} models",
        "Q4 mutations",
        tuple(bodies),
        _no_errors(check),
        levels=2,
    )


def edits(dataset: Dataset) -> Operation:
    """`updateMlModel` of a model's description: each model of a set given the first
    description, then each the second, and again; each edit changes the model, so it is
    a read and a patch. The models are reset before each run (`prepare`)."""
    count = len(dataset.edit_ids)
    bodies = []
    for turn in range(count * len(EDIT_DESCRIPTIONS)):
        model_id, description = edit_turn(dataset, turn)
        bodies.append(_body(EDIT, {"id": model_id, "description": description}))

    def check(data: dict[str, Any]) -> str | None:
        result = data["updateMlModel"]
        if result["__typename"] != "UpdateMlModelSuccess":
            return f"answered {result['__typename']}"
        if not result["changed"]:
            return "the edit changed nothing (no patch sent)"
        if result["mlModel"]["description"] not in EDIT_DESCRIPTIONS:
            return f"description {result['mlModel']['description']!r} after the edit"
        return None

    return Operation(
        "Q5",
        f"Q5 updateMlModel description, alternating over {count} models",
        "Q5 edit",
        tuple(bodies),
        _no_errors(check),
        levels=2,
        prepare=lambda: reset_edits(dataset),
    )


def _mutation_fields(schema: Path) -> set[str]:
    text = schema.read_text() if schema.exists() else ""
    block = re.search(r"^type Mutation \{(.*?)^\}", text, re.MULTILINE | re.DOTALL)
    if block is None:
        return set()
    return set(re.findall(r"^  (\w+)[(:]", block.group(1), re.MULTILINE))


def schema_has_mutations(schema: Path) -> bool:
    """Whether the committed SDL declares the follow, unfollow and vote mutations."""
    names = _mutation_fields(schema)
    return all(name in names for name in MUTATION_FIELDS)


def schema_has_edits(schema: Path) -> bool:
    """Whether the committed SDL declares `updateMlModel`."""
    names = _mutation_fields(schema)
    return all(name in names for name in EDIT_FIELDS)


def _type_fields(schema: Path, name: str) -> set[str]:
    text = schema.read_text() if schema.exists() else ""
    block = re.search(rf"^type {name}\b[^{{]*\{{(.*?)^\}}", text, re.MULTILINE | re.DOTALL)
    if block is None:
        return set()
    return set(re.findall(r"^  (\w+)[(:]", block.group(1), re.MULTILINE))


def schema_has_search(schema: Path) -> bool:
    """Whether the committed SDL declares `Query.search` and `MlModel.lineage` (Q6, Q7)."""
    return "search" in _type_fields(schema, "Query") and "lineage" in _type_fields(
        schema, "MlModel"
    )
