"""Catalog emulator: `/v1/search/query` and `/v1/search/aggregate` over an index kept in step
with every write, and the knob that holds indexing back."""

from __future__ import annotations

import json
from typing import Any

import httpx

from gateway.emulator.catalog.seed import seed_id
from tests.conftest import EmulatorHandle
from tests.emulator.catalog import ALICE, tag

MODELS = "mlmodel_search_index"
CHURN = seed_id("mlmodel", "mlflow_prod.churn_predictor")
FRAUD = seed_id("mlmodel", "sagemaker_prod.fraud_detector")
ORDERS = seed_id("table", "postgres_shop.shop.public.orders")
SHARDS = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}


def search(catalog: httpx.Client, **params: Any) -> dict[str, Any]:
    params.setdefault("index", MODELS)
    params.setdefault("deleted", "false")
    for key in ("query_filter", "post_filter"):
        if isinstance(params.get(key), dict):
            params[key] = json.dumps(params[key])
    response = catalog.get("/search/query", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def names(body: dict[str, Any]) -> list[str]:
    return [hit["_source"]["name"] for hit in body["hits"]["hits"]]


def must(*clauses: dict[str, Any]) -> dict[str, Any]:
    return {"query": {"bool": {"must": list(clauses)}}}


def test_free_text_ranks_models_holding_the_words_first(catalog: httpx.Client) -> None:
    # when models are searched for words of a name and description
    body = search(catalog, q="customer lifetime")

    # then the model holding both words ranks first, by score, with highlights
    hits = body["hits"]["hits"]
    assert names(body)[0] == "customer_ltv"
    assert hits[0]["_score"] == body["hits"]["max_score"]
    assert [h["_score"] for h in hits] == sorted((h["_score"] for h in hits), reverse=True)
    assert hits[0]["sort"] == [hits[0]["_score"]]
    assert hits[0]["highlight"]["displayName"] == [
        '<span class="text-highlighter">Customer</span> '
        '<span class="text-highlighter">lifetime</span> value'
    ]
    assert body["took"] >= 0
    assert body["timed_out"] is False
    assert body["_shards"] == SHARDS


def test_hit_carries_the_index_document(catalog: httpx.Client) -> None:
    body = search(catalog, q="*", query_filter={"query": {"ids": {"values": [CHURN]}}})

    hit = body["hits"]["hits"][0]
    assert hit["_index"] == MODELS
    assert hit["_id"] == CHURN
    source = hit["_source"]
    assert source["entityType"] == "mlmodel"
    assert source["fullyQualifiedName"] == "mlflow_prod.churn_predictor"
    assert source["fqnParts"] == ["mlflow_prod", "mlflow_prod.churn_predictor"]
    assert source["serviceType"] == "Mlflow"
    assert source["service"]["name"] == "mlflow_prod"
    assert source["descriptionStatus"] == "COMPLETE"
    assert "votes" not in source
    assert "changeDescription" not in source
    assert all(isinstance(follower, str) for follower in source["followers"])
    assert source["href"].endswith(f"/v1/mlmodels/{CHURN}")
    assert {edge["fromEntity"]["fullyQualifiedName"] for edge in source["upstreamLineage"]} == {
        "bigquery_analytics.events_prod.ml_features.customer_features",
        "snowflake_dw.analytics.marts.churn_labels",
    }
    assert not any(label["tagFQN"].startswith("Tier.") for label in source["tags"])


def test_tag_and_owner_filters_narrow_and_facets_count_the_hits(catalog: httpx.Client) -> None:
    # when models are filtered on a tag
    body = search(
        catalog,
        q="*",
        query_filter=must({"term": {"tags.tagFQN": "PII.Sensitive"}}),
        sort_field="name.keyword",
        sort_order="asc",
    )

    # then only the tagged ones come back, and the facets count exactly them
    assert names(body) == ["address_validator", "customer_age_estimator", "fraud_detector"]
    assert body["hits"]["total"] == {"value": 3, "relation": "eq"}
    assert body["hits"]["max_score"] is None
    assert body["aggregations"]["sterms#tags.tagFQN"]["buckets"][0] == {
        "key": "pii.sensitive",
        "doc_count": 3,
    }
    types = body["aggregations"]["sterms#serviceType"]["buckets"]
    assert sum(bucket["doc_count"] for bucket in types) == 3
    # and an owner filter narrows further
    narrowed = search(
        catalog,
        q="*",
        query_filter=must(
            {"term": {"tags.tagFQN": "pii.sensitive"}},
            {"terms": {"owners.name": ["alice", "bob", "carol", "david", "emma"]}},
        ),
    )
    assert set(names(narrowed)) < set(names(body))
    owners = search(catalog, q="*", query_filter=must({"term": {"owners.name": "alice"}}))
    assert sorted(names(owners)) == ["churn_predictor", "demand_forecaster"]
    facet = owners["aggregations"]["sterms#owners.displayName.keyword"]["buckets"]
    assert {"key": "Alice Nguyen", "doc_count": 2} in facet


def test_post_filter_narrows_hits_but_not_facets(catalog: httpx.Client) -> None:
    body = search(catalog, q="*", post_filter=must({"term": {"serviceType": "Sklearn"}}))

    assert {h["_source"]["serviceType"] for h in body["hits"]["hits"]} == {"Sklearn"}
    keys = {b["key"] for b in body["aggregations"]["sterms#serviceType"]["buckets"]}
    assert keys == {"mlflow", "sagemaker", "vertexai", "sklearn"}


def test_sorting_by_name_and_by_followers(catalog: httpx.Client) -> None:
    by_name = search(catalog, q="*", size=50, sort_field="name.keyword", sort_order="asc")
    listed = names(by_name)
    assert listed == sorted(listed)
    assert by_name["hits"]["hits"][0]["sort"] == [listed[0]]

    by_followers = search(catalog, q="*", size=50, sort_field="followers", sort_order="desc")
    counts = [len(h["_source"]["followers"]) for h in by_followers["hits"]["hits"]]
    assert counts == sorted(counts, reverse=True)
    assert [h["sort"][0] for h in by_followers["hits"]["hits"]] == counts


def test_paging_returns_each_model_once(catalog: httpx.Client) -> None:
    total = search(catalog, q="*", size=0)["hits"]["total"]["value"]
    seen: list[str] = []
    for start in range(0, total, 7):
        page = search(
            catalog, q="*", sort_field="name.keyword", sort_order="asc", size=7, **{"from": start}
        )
        seen += [hit["_id"] for hit in page["hits"]["hits"]]
    assert len(seen) == len(set(seen)) == total == 30


def test_search_after_continues_a_sort(catalog: httpx.Client) -> None:
    first = search(catalog, q="*", size=5, sort_field="fullyQualifiedName", sort_order="asc")
    last = first["hits"]["hits"][-1]["sort"]
    second = search(
        catalog,
        q="*",
        size=5,
        sort_field="fullyQualifiedName",
        sort_order="asc",
        search_after=",".join(str(v) for v in last),
    )
    both = [*names(first), *names(second)]
    every = names(
        search(catalog, q="*", size=10, sort_field="fullyQualifiedName", sort_order="asc")
    )
    assert both == every


def test_ids_and_terms_on_id_read_many_entities(catalog: httpx.Client) -> None:
    for query in (
        {"query": {"bool": {"filter": [{"ids": {"values": [CHURN, FRAUD]}}]}}},
        {"query": {"bool": {"filter": [{"terms": {"id": [CHURN, FRAUD]}}]}}},
    ):
        body = search(catalog, q="*", size=10, query_filter=query)
        assert sorted(hit["_id"] for hit in body["hits"]["hits"]) == sorted([CHURN, FRAUD])


def test_query_string_fields_and_operators(catalog: httpx.Client) -> None:
    both = search(catalog, q="churn AND predictor", size=50)
    assert set(names(both)) == {"churn_predictor", "churn_predictor_prod", "churn_baseline"}
    typed = search(catalog, q="serviceType:sklearn AND NOT churn", size=50)
    assert typed["hits"]["total"]["value"] > 0
    assert "churn_baseline" not in names(typed)
    assert {h["_source"]["serviceType"] for h in typed["hits"]["hits"]} == {"Sklearn"}


def test_unparseable_queries_are_refused(catalog: httpx.Client) -> None:
    for q in ("(churn", "churn AND", 'name:"open', "name:"):
        response = catalog.get("/search/query", params={"q": q, "index": MODELS})
        assert response.status_code == 400, q
        assert response.json()["code"] == 400
        assert response.json()["message"].startswith(f"Failed to parse query [{q}]")
    response = catalog.get(
        "/search/query", params={"q": "*", "index": MODELS, "query_filter": "{not json"}
    )
    assert response.status_code == 400


def test_source_fields_can_be_chosen_or_left_out(catalog: httpx.Client) -> None:
    chosen = search(catalog, q="*", size=1, include_source_fields=["name", "service.name"])
    assert chosen["hits"]["hits"][0]["_source"].keys() == {"name", "service"}
    assert chosen["hits"]["hits"][0]["_source"]["service"].keys() == {"name"}
    without = search(catalog, q="*", size=1, fetch_source="false")
    assert "_source" not in without["hits"]["hits"][0]


def test_tables_index_and_aliases(catalog: httpx.Client) -> None:
    tables = search(catalog, index="table", q="orders", size=50)
    assert ORDERS in [hit["_id"] for hit in tables["hits"]["hits"]]
    assert {hit["_index"] for hit in tables["hits"]["hits"]} == {"table_search_index"}
    both = search(catalog, index="dataAsset", q="*", size=0)
    models = search(catalog, q="*", size=0)["hits"]["total"]["value"]
    assert both["hits"]["total"]["value"] > models


def test_create_tag_delete_are_searchable_at_each_step(catalog: httpx.Client) -> None:
    # given a new model
    created = catalog.post(
        "/mlmodels",
        json={"name": "zebra_scorer", "service": "sklearn_lab", "algorithm": "Zebra"},
    )
    assert created.status_code == 201
    model_id = created.json()["id"]
    assert names(search(catalog, q="zebra")) == ["zebra_scorer"]

    # when it is tagged through a PATCH
    patched = catalog.patch(
        f"/mlmodels/{model_id}",
        json=[{"op": "add", "path": "/tags", "value": [tag("PII.Sensitive")]}],
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert patched.status_code == 200
    tagged = search(
        catalog, q="zebra", query_filter=must({"term": {"tags.tagFQN": "PII.Sensitive"}})
    )
    assert names(tagged) == ["zebra_scorer"]

    # and followed
    catalog.put(f"/mlmodels/{model_id}/followers", json=ALICE).raise_for_status()
    assert search(catalog, q="zebra")["hits"]["hits"][0]["_source"]["followers"] == [ALICE]

    # then a soft delete hides it unless deleted ones are asked for
    catalog.delete(f"/mlmodels/{model_id}").raise_for_status()
    assert names(search(catalog, q="zebra")) == []
    assert names(search(catalog, q="zebra", deleted="true")) == ["zebra_scorer"]

    # and a restore brings it back, a hard delete removes it for good
    catalog.put("/mlmodels/restore", json={"id": model_id}).raise_for_status()
    assert names(search(catalog, q="zebra")) == ["zebra_scorer"]
    catalog.delete(f"/mlmodels/{model_id}", params={"hardDelete": "true"}).raise_for_status()
    for deleted in ("true", "false"):
        assert names(search(catalog, q="zebra", deleted=deleted)) == []


def test_hold_keeps_writes_out_of_the_index_until_released(
    emulator: EmulatorHandle, catalog: httpx.Client
) -> None:
    # given indexing is held
    held = emulator.admin.put("/search/hold", json={"hold": True})
    assert held.json() == {"hold": True, "pending": 0}

    # when a model is created
    created = catalog.post("/mlmodels", json={"name": "okapi_ranker", "service": "sklearn_lab"})
    assert created.status_code == 201
    model_id = created.json()["id"]

    # then it is not yet found, while the entity API has it
    ids = {"query": {"bool": {"filter": [{"ids": {"values": [model_id]}}]}}}
    assert search(catalog, q="*", query_filter=ids)["hits"]["hits"] == []
    assert emulator.admin.get("/search/hold").json() == {"hold": True, "pending": 1}

    # and once released it is
    released = emulator.admin.put("/search/hold", json={"hold": False})
    assert released.json() == {"hold": False, "pending": 0}
    assert names(search(catalog, q="*", query_filter=ids)) == ["okapi_ranker"]


def test_votes_show_as_total_votes(catalog: httpx.Client) -> None:
    before = search(catalog, q="*", query_filter={"query": {"ids": {"values": [FRAUD]}}})
    total = before["hits"]["hits"][0]["_source"]["totalVotes"]
    catalog.put(f"/mlmodels/{FRAUD}/vote", json={"updatedVoteType": "votedUp"}).raise_for_status()
    after = search(catalog, q="*", query_filter={"query": {"ids": {"values": [FRAUD]}}})
    assert after["hits"]["hits"][0]["_source"]["totalVotes"] in (total, total + 1)
    assert "votes" not in after["hits"]["hits"][0]["_source"]


def test_aggregate_endpoint_answers_sorted_buckets(catalog: httpx.Client) -> None:
    response = catalog.get(
        "/search/aggregate", params={"index": MODELS, "field": "tags.tagFQN", "value": ".*pii.*"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["hits"]["hits"] == []
    assert body["aggregations"] == {
        "sterms#tags.tagFQN": {
            "doc_count_error_upper_bound": 0,
            "sum_other_doc_count": 0,
            "buckets": [{"key": "pii.sensitive", "doc_count": 3}],
        }
    }
    every = catalog.get("/search/aggregate", params={"index": MODELS, "field": "serviceType"})
    keys = [b["key"] for b in every.json()["aggregations"]["sterms#serviceType"]["buckets"]]
    assert keys == sorted(keys) == ["mlflow", "sagemaker", "sklearn", "vertexai"]


def test_aggregate_needs_a_field(catalog: httpx.Client) -> None:
    response = catalog.get("/search/aggregate", params={"index": MODELS})
    assert response.status_code == 400
    assert response.json() == {
        "code": 400,
        "message": "Aggregation field (fieldName) cannot be null or empty",
    }


def test_search_needs_a_user_record(emulator: EmulatorHandle) -> None:
    response = httpx.get(
        f"{emulator.catalog_url}/v1/search/query",
        params={"q": "*"},
        headers=emulator.headers("nobody"),
    )
    assert response.status_code == 404
    assert response.json() == {"code": 404, "message": "user instance for nobody not found"}


def test_put_and_bulk_writes_are_searchable(catalog: httpx.Client) -> None:
    # given two models written through PUT /bulk
    bulk = catalog.put(
        "/mlmodels/bulk",
        json=[
            {"name": "quokka_one", "service": "sklearn_lab"},
            {"name": "quokka_two", "service": "sklearn_lab"},
        ],
    )
    assert bulk.json()["status"] == "success"
    assert sorted(names(search(catalog, q="quokka"))) == ["quokka_one", "quokka_two"]

    # when one is updated by PUT with a new description
    put = catalog.put(
        "/mlmodels",
        json={"name": "quokka_one", "service": "sklearn_lab", "description": "Marsupial"},
    )
    assert put.status_code == 200

    # then its new words find it
    assert names(search(catalog, q="marsupial")) == ["quokka_one"]
    assert names(search(catalog, q="description:marsupial")) == ["quokka_one"]
