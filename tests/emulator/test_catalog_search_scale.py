"""Catalog emulator: a search over a grown catalog (1,000 ML models) does work that follows
its page and its matches, not the index's size: only the page's documents are decoded, and
the facet counts read the matching documents' terms through the term index."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.emulator.catalog import search_index
from gateway.emulator.catalog.search_query import parse_query_string
from tests.conftest import EmulatorHandle
from tests.emulator.test_catalog_search import MODELS, search

GROWN = 1_000
SEEDED_MODELS = 30


def _index(emulator: EmulatorHandle) -> search_index.SearchIndex:
    """The search index of the emulator the tests talk to (served in this process)."""
    app: Any = emulator.server.server.config.app
    index: search_index.SearchIndex = app.state.emulator.catalog.search
    return index


def _grow(catalog: httpx.Client) -> None:
    models = [
        {
            "name": f"{'customer' if i % 4 == 0 else 'demand'}_scorer_{i:04d}",
            "description": "Scores each customer weekly." if i % 8 == 0 else "Forecasts demand.",
            "service": "sklearn_lab" if i % 2 else "mlflow_prod",
        }
        for i in range(GROWN - SEEDED_MODELS)
    ]
    for start in range(0, len(models), 250):
        bulk = catalog.put("/mlmodels/bulk", json=models[start : start + 250])
        assert bulk.json()["status"] == "success", bulk.text


def test_search_over_a_thousand_models_decodes_only_its_page(
    emulator: EmulatorHandle, catalog: httpx.Client
) -> None:
    # given a catalog of 1,000 models, a quarter of them named for customers
    _grow(catalog)
    assert search(catalog, size=0)["hits"]["total"]["value"] == GROWN

    # when a page of 20 is searched for, with the default facets
    before = search_index.decoded
    body = search(catalog, q="customer", **{"from": 0}, size=20)
    decoded = search_index.decoded - before

    # then only the page's documents were decoded, though many more match
    total = body["hits"]["total"]["value"]
    assert total > 250
    assert len(body["hits"]["hits"]) == 20
    assert decoded == 20
    # and the facets count every match
    services = body["aggregations"]["sterms#serviceType"]["buckets"]
    assert sum(bucket["doc_count"] for bucket in services) == total
    assert body["hits"]["hits"][0]["_score"] == body["hits"]["max_score"]


def test_facet_counts_read_the_matching_documents_terms_through_the_term_index(
    emulator: EmulatorHandle, catalog: httpx.Client
) -> None:
    # given a catalog of 1,000 models
    _grow(catalog)
    index = _index(emulator)

    # when SQLite plans a facet's statement for a free-text search
    plan = index.facet_plan([MODELS], False, [parse_query_string("customer")], "serviceType")

    # then the matches are read once, and each one's terms by (id, field) through the index,
    # never by scanning the field's terms of every document
    assert any("USING COVERING INDEX search_term_id (id=? AND field=?)" in p for p in plan)
    assert not any(p.startswith(("SCAN t", "SEARCH t USING PRIMARY KEY")) for p in plan)
    # and the counts are those of the matching documents
    counted = index.buckets(
        [MODELS], False, [parse_query_string("customer")], "serviceType", lower=True
    )
    assert sum(count for _, count in counted) == index.count(
        [MODELS], False, [parse_query_string("customer")]
    )
