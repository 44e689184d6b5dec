"""A real Apollo Gateway over this gateway and the reviews subgraph, queried both ways.

`@apollo/gateway` on `@apollo/server` runs the composed supergraph; the tests read fields
of both subgraphs in both directions, with exact data and upstream call counts.
"""

from __future__ import annotations

from typing import Any

from gateway.emulator.auth import make_jwt
from tests.conftest import EmulatorHandle
from tests.federation.conftest import HeaderRecorder, Supergraph
from tests.gateway.rest import all_models, catalog_get, upstream_calls

MODEL_WITH_REVIEWS = """
query ModelWithReviews($fqn: String!) {
  mlModel(fullyQualifiedName: $fqn) {
    name
    algorithm
    service { name }
    averageRating
    reviews { id rating body author { name displayName } }
  }
}
"""

TABLE_WITH_REVIEWS = """
query TableWithReviews($fqn: String!) {
  table(fullyQualifiedName: $fqn) { name columns { name } reviews { id rating author { name } } }
}
"""

REVIEWS_WITH_ASSETS = """
query ReviewsWithAssets {
  reviews(first: 10) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes {
      id
      rating
      author { name }
      model { id fullyQualifiedName algorithm followerCount }
      table { fullyQualifiedName name columns { name } }
    }
  }
}
"""

CALLER_AND_REVIEWED_MODEL = """
query CallerAndReviewedModel { me { name } reviews(first: 1) { nodes { model { name } } } }
"""


def by_id(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in items}


def test_our_model_with_their_reviews_and_our_authors(
    supergraph: Supergraph, emulator: EmulatorHandle, reviews: list[dict[str, Any]]
) -> None:
    # given
    model = next(m for m in all_models(emulator) if m["id"] == reviews[0]["modelId"])
    users = by_id(catalog_get(emulator, "/v1/users", limit=1000)["data"])
    of_model = [r for r in reviews if r.get("modelId") == model["id"]]
    # when
    result = supergraph.execute(MODEL_WITH_REVIEWS, {"fqn": model["fullyQualifiedName"]})
    # then
    assert result == {
        "data": {
            "mlModel": {
                "name": model["name"],
                "algorithm": model["algorithm"],
                "service": {"name": model["service"]["name"]},
                "averageRating": sum(r["rating"] for r in of_model) / len(of_model),
                "reviews": [
                    {
                        "id": r["id"],
                        "rating": r["rating"],
                        "body": r["body"],
                        "author": {
                            "name": users[r["authorId"]]["name"],
                            "displayName": users[r["authorId"]].get("displayName"),
                        },
                    }
                    for r in of_model
                ],
            }
        }
    }
    assert len(of_model) == 2


def test_our_table_by_its_name_key_with_their_reviews(
    supergraph: Supergraph, emulator: EmulatorHandle, reviews: list[dict[str, Any]]
) -> None:
    # given
    review = next(r for r in reviews if "tableFqn" in r)
    table = catalog_get(emulator, f"/v1/tables/name/{review['tableFqn']}", fields="columns")
    author = catalog_get(emulator, f"/v1/users/{review['authorId']}")
    # when
    result = supergraph.execute(TABLE_WITH_REVIEWS, {"fqn": review["tableFqn"]})
    # then
    assert result == {
        "data": {
            "table": {
                "name": table["name"],
                "columns": [{"name": c["name"]} for c in table["columns"]],
                "reviews": [
                    {
                        "id": review["id"],
                        "rating": review["rating"],
                        "author": {"name": author["name"]},
                    }
                ],
            }
        }
    }


def test_their_reviews_with_our_models_tables_and_users(
    supergraph: Supergraph, emulator: EmulatorHandle, reviews: list[dict[str, Any]]
) -> None:
    # given
    models = by_id(all_models(emulator, fields="followers"))
    users = by_id(catalog_get(emulator, "/v1/users", limit=1000)["data"])
    tables = {
        t["fullyQualifiedName"]: t
        for t in catalog_get(emulator, "/v1/tables", limit=1000, fields="columns")["data"]
    }
    emulator.reset_counters()
    # when
    result = supergraph.execute(REVIEWS_WITH_ASSETS)
    # then: the review of an unknown model gets `model: null`; this subgraph answers that
    # entity with null and no error, which Apollo Gateway reports as a value completion
    expected_nodes = []
    for r in reviews:
        model = models.get(r.get("modelId", ""))
        table = tables.get(r.get("tableFqn", ""))
        expected_nodes.append(
            {
                "id": r["id"],
                "rating": r["rating"],
                "author": {"name": users[r["authorId"]]["name"]} if "authorId" in r else None,
                "model": {
                    "id": model["id"],
                    "fullyQualifiedName": model["fullyQualifiedName"],
                    "algorithm": model["algorithm"],
                    "followerCount": len(model.get("followers", [])),
                }
                if model
                else None,
                "table": {
                    "fullyQualifiedName": table["fullyQualifiedName"],
                    "name": table["name"],
                    "columns": [{"name": c["name"]} for c in table["columns"]],
                }
                if table
                else None,
            }
        )
    unknown = [i for i, r in enumerate(reviews) if "modelId" in r and r["modelId"] not in models]
    assert unknown == [len(reviews) - 1]
    assert result == {
        "extensions": {
            "valueCompletion": [
                {
                    "message": "Cannot return null for non-nullable field "
                    "MlModel.fullyQualifiedName.",
                    "path": ["reviews", "nodes", unknown[0], "model", "fullyQualifiedName"],
                    "extensions": {"code": "INVALID_GRAPHQL"},
                }
            ]
        },
        "data": {
            "reviews": {
                "totalCount": len(reviews),
                "pageInfo": {
                    "hasNextPage": False,
                    "hasPreviousPage": False,
                    "startCursor": reviews[0]["id"],
                    "endCursor": reviews[-1]["id"],
                },
                "nodes": expected_nodes,
            }
        },
    }
    assert [n["model"] is None for n in expected_nodes] == [False, False, False, True, True]
    # and: one GET per distinct entity the reviews name
    assert upstream_calls(emulator) == {
        "GET /api/v1/mlmodels/{id}": len({r["modelId"] for r in reviews if "modelId" in r}),
        "GET /api/v1/tables/name/{fqn:path}": len(
            {r["tableFqn"] for r in reviews if "tableFqn" in r}
        ),
        "GET /api/v1/users/{id}": len({r["authorId"] for r in reviews if "authorId" in r}),
    }


def test_caller_headers_reach_this_subgraph_through_the_apollo_gateway(
    supergraph: Supergraph,
    emulator: EmulatorHandle,
    recorder: HeaderRecorder,
    reviews: list[dict[str, Any]],
) -> None:
    # given: a seeded user other than the service token's
    user = next(u for u in catalog_get(emulator, "/v1/users")["data"] if u["name"] != "admin")
    model = catalog_get(emulator, f"/v1/mlmodels/{reviews[0]['modelId']}")
    headers = {
        "Authorization": f"Bearer {make_jwt(user['name'])}",
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "X-Request-ID": "federation-test-1",
    }
    # when
    result = supergraph.execute(CALLER_AND_REVIEWED_MODEL, headers=headers)
    # then: the catalog saw the caller, not the gateway's service token
    assert result == {
        "data": {
            "me": {"name": user["name"]},
            "reviews": {"nodes": [{"model": {"name": model["name"]}}]},
        }
    }
    # and: the root fetch and the entity fetch both carried the caller's headers
    forwarded = [
        (seen.get("authorization"), seen.get("traceparent"), seen.get("x-request-id"))
        for seen in recorder.seen
    ]
    assert forwarded == [tuple(headers.values())] * 2


def test_without_caller_headers_the_service_token_is_used(
    supergraph: Supergraph, emulator: EmulatorHandle, recorder: HeaderRecorder
) -> None:
    # when
    result = supergraph.execute(CALLER_AND_REVIEWED_MODEL)
    # then
    assert result["data"]["me"] == {"name": "admin"}
    assert [seen.get("authorization") for seen in recorder.seen] == [None, None]
