"""Search translation without a catalog: filters as `query_filter`, hits as entity records."""

from __future__ import annotations

import msgspec
import pytest

from gateway.base.errors import BadUserInputError
from gateway.domain.types.search import decode_cursor, encode_cursor
from gateway.upstream.records_search import (
    EntityLineageRecord,
    SearchResponseRecord,
    source_kind,
    source_model,
    source_table,
)
from gateway.upstream.routes import route_template
from gateway.upstream.search import SearchFilters, query_filter

# The contract's example answer (SEARCH_LINEAGE_AUTHZ.md §1.4), ids filled in.
ANSWER = b"""{"took":5,"timed_out":false,
 "_shards":{"total":1,"successful":1,"skipped":0,"failed":0},
 "hits":{"total":{"value":1,"relation":"eq"},"max_score":null,
  "hits":[{"_index":"mlmodel_search_index","_id":"3b1f","_score":null,"sort":[1714000000000],
   "_source":{"id":"3b1f","name":"churn","fullyQualifiedName":"mlflow_prod.churn",
    "displayName":"churn","algorithm":"XGBoost",
    "entityType":"mlmodel","deleted":false,"version":0.3,"updatedAt":1714000000000,
    "serviceType":"Mlflow",
    "service":{"id":"s1","type":"mlmodelService","name":"mlflow_prod",
     "fullyQualifiedName":"mlflow_prod"},
    "owners":[],"domains":[],"followers":["9c2e"],"totalVotes":1,
    "tags":[{"tagFQN":"PII.Sensitive","source":"Classification","labelType":"Manual",
     "state":"Confirmed"}],
    "descriptionStatus":"COMPLETE","fqnParts":["mlflow_prod","mlflow_prod.churn"]},
   "highlight":{"name":["<span class=\\"text-highlighter\\">churn</span>"]}}]},
 "aggregations":{"sterms#serviceType":{"doc_count_error_upper_bound":0,
  "sum_other_doc_count":0,"buckets":[{"key":"mlflow","doc_count":1}]},
  "sterms#tags.tagFQN":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,
  "buckets":[{"key":"pii.sensitive","doc_count":1}]}}}"""


def test_no_filters_is_no_query_filter() -> None:
    assert query_filter(SearchFilters()) is None


def test_filters_must_all_match_and_values_of_one_any() -> None:
    found = query_filter(
        SearchFilters(tags=("PII.Sensitive", "Tier.Tier1"), service_types=("Mlflow",))
    )
    assert found == {
        "query": {
            "bool": {
                "must": [
                    {
                        "bool": {
                            "should": [
                                {"term": {"tags.tagFQN": "PII.Sensitive"}},
                                {"term": {"tier.tagFQN": "Tier.Tier1"}},
                            ],
                            "minimum_should_match": 1,
                        }
                    },
                    {"term": {"serviceType": "Mlflow"}},
                ]
            }
        }
    }


def test_owners_match_by_name_or_display_name() -> None:
    found = query_filter(SearchFilters(owners=("alice",)))
    assert found == {
        "query": {
            "bool": {
                "must": [
                    {
                        "bool": {
                            "should": [
                                {"term": {"owners.name.keyword": "alice"}},
                                {"term": {"owners.displayName.keyword": "alice"}},
                            ],
                            "minimum_should_match": 1,
                        }
                    }
                ]
            }
        }
    }


def test_a_hit_decodes_into_a_model_record_without_the_index_only_fields() -> None:
    answer = msgspec.json.decode(ANSWER, type=SearchResponseRecord)
    hit = answer.hits.hits[0]
    assert source_kind(hit) == "mlmodel"
    record = source_model(hit)
    assert (record.id, record.name, record.fully_qualified_name) == (
        "3b1f",
        "churn",
        "mlflow_prod.churn",
    )
    # followers (user ids there) and votes (dropped) load through the entity API; the ids
    # count the followers, and a model's tags are its indexed ones plus its Tier tag
    assert (record.followers, record.votes, record.follower_count) == (None, None, 1)
    assert [t.tag_fqn for t in record.tags or ()] == ["PII.Sensitive"]
    # a display name equal to the name is the index's fallback, not a value
    assert record.display_name is None
    assert record.owners == []
    assert record.extension == {}
    assert hit.highlight == {"name": ['<span class="text-highlighter">churn</span>']}
    assert [(b.key, b.doc_count) for b in answer.buckets("tags.tagFQN") or ()] == [
        ("pii.sensitive", 1)
    ]
    assert answer.buckets("owners.displayName.keyword") is None


def test_a_table_hit_decodes_into_a_table_record() -> None:
    hit = msgspec.json.decode(
        b'{"hits":{"total":{"value":1},"hits":[{"_index":"table_search_index","_id":"t1",'
        b'"_score":2.5,"_source":{"id":"t1","name":"customers","columns":[{"name":"age",'
        b'"dataType":"INT"}],"version":0.1,"updatedAt":1,"followers":[],"entityType":"table"}}]}}',
        type=SearchResponseRecord,
    ).hits.hits[0]
    record = source_table(hit)
    assert (record.name, [c.name for c in record.columns], record.followers) == (
        "customers",
        ["age"],
        None,
    )


def test_lineage_answer_decodes() -> None:
    record = msgspec.json.decode(
        b'{"entity":{"id":"m1","type":"mlmodel"},"nodes":[{"id":"t1","type":"table"}],'
        b'"upstreamEdges":[{"fromEntity":"t1","toEntity":"m1","lineageDetails":'
        b'{"columnsLineage":[{"fromColumns":["a.b"],"toColumn":"c.d"}]}}],"downstreamEdges":[]}',
        type=EntityLineageRecord,
    )
    edge = record.upstream_edges[0]
    assert (edge.from_entity, edge.to_entity) == ("t1", "m1")
    assert edge.lineage_details is not None
    assert edge.lineage_details.columns_lineage[0].from_columns == ["a.b"]


def test_search_and_lineage_routes_are_templated() -> None:
    assert route_template("/v1/search/query") == "/v1/search/query"
    assert route_template("/v1/lineage/table/abc") == "/v1/lineage/{entity}/{id}"


def test_cursors_round_trip_and_junk_is_bad_user_input() -> None:
    assert decode_cursor(encode_cursor(41)) == 41
    with pytest.raises(BadUserInputError) as raised:
        decode_cursor("not-a-cursor")
    assert raised.value.extensions == {"argument": "after"}
