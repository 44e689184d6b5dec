"""Records decode what the upstreams send: required fields enforced, unknown ones ignored."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from gateway.base.errors import UpstreamError
from gateway.upstream.http import decoder_for
from gateway.upstream.records import (
    ColumnRecord,
    EntityReferenceRecord,
    ListPage,
    MlModelRecord,
    ModelApiColumnRecord,
    ModelApiIORecord,
    ModelVersionPageRecord,
    ModelVersionRecord,
    ModelVersionSourceRecord,
    PagingRecord,
    RegistryModelRecord,
    TableRecord,
    TagLabelRecord,
    VotesRecord,
)

SERVICE = b'{"id":"5b0e","type":"mlmodelService","name":"mlflow_prod"}'
MODEL = (
    b'{"id":"3b1f","name":"churn","algorithm":"XGBoost","version":0.2,'
    b'"updatedAt":1714000000000,"service":' + SERVICE + b"}"
)


def model_with(extra: bytes) -> bytes:
    return MODEL[:-1] + b"," + extra + b"}"


def test_relationship_fields_not_requested_decode_as_none() -> None:
    model = msgspec.json.decode(MODEL, type=MlModelRecord)
    assert (model.owners, model.followers, model.tags, model.votes) == (None, None, None, None)
    assert (model.extension, model.domains, model.ml_features) == (None, None, None)
    assert model.deleted is False


def test_requested_empty_relationships_decode_as_empty() -> None:
    body = model_with(
        b'"owners":[],"followers":[],"tags":[],'
        b'"votes":{"upVotes":0,"downVotes":0,"upVoters":[],"downVoters":[]}'
    )
    model = msgspec.json.decode(body, type=MlModelRecord)
    assert (model.owners, model.followers, model.tags) == ([], [], [])
    votes = model.votes
    assert votes is not None
    assert (votes.up_votes, votes.down_votes, votes.up_voters, votes.down_voters) == (0, 0, [], [])


def test_unknown_properties_are_ignored() -> None:
    body = model_with(b'"entityStatus":"Unprocessed","futureField":{"a":[1,2]}')
    model = msgspec.json.decode(body, type=MlModelRecord)
    assert (model.id, model.version, model.updated_at) == ("3b1f", 0.2, 1714000000000)
    assert model.service == EntityReferenceRecord(
        id="5b0e", type="mlmodelService", name="mlflow_prod"
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"id":"3b1f","name":"churn","version":0.1,"updatedAt":1,"service":' + SERVICE + b"}",
        model_with(b'"deleted":"no"'),
        model_with(b'"followers":{"id":"x"}'),
    ],
    ids=["missing-algorithm", "wrong-type", "wrong-shape"],
)
def test_wrong_types_and_missing_required_fields_are_rejected(body: bytes) -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(body, type=MlModelRecord)


def test_tag_labels_use_the_upstream_tag_fqn_spelling() -> None:
    body = (
        b'{"tagFQN":"PII.Sensitive","source":"Classification",'
        b'"labelType":"Manual","state":"Confirmed"}'
    )
    tag = msgspec.json.decode(body, type=TagLabelRecord)
    assert tag == TagLabelRecord(
        tag_fqn="PII.Sensitive", source="Classification", label_type="Manual", state="Confirmed"
    )
    assert msgspec.json.encode(tag) == body


def test_nested_columns_decode_recursively() -> None:
    body = (
        b'{"id":"t1","name":"orders","version":0.1,"updatedAt":1,"columns":['
        b'{"name":"address","dataType":"STRUCT","children":[{"name":"city","dataType":"VARCHAR",'
        b'"dataLength":64}]}]}'
    )
    table = msgspec.json.decode(body, type=TableRecord)
    assert table.columns == [
        ColumnRecord(
            name="address",
            data_type="STRUCT",
            children=[ColumnRecord(name="city", data_type="VARCHAR", data_length=64)],
        )
    ]


def test_a_list_page_decodes_its_items_and_cursors() -> None:
    body = b'{"data":[' + MODEL + b'],"paging":{"after":"eyJuYW1lIjoi","total":57}}'
    page = decoder_for(ListPage[MlModelRecord]).decode(body)
    assert [m.name for m in page.data] == ["churn"]
    assert page.paging == PagingRecord(before=None, after="eyJuYW1lIjoi", total=57)


def test_decoders_are_cached_per_type() -> None:
    assert decoder_for(ListPage[TableRecord]) is decoder_for(ListPage[TableRecord])


def test_unknown_union_variants_decode_loosely() -> None:
    body = (
        b'{"rid":"ri.models.main.model-version.1","modelApi":{"inputs":[{"type":"video",'
        b'"frames":3}],"outputs":[{"type":"unsupported","unsupportedType":"x","params":{"a":"b"}}]},'
        b'"condaRequirements":[],"backingRepositories":[],"createdTime":"2025-01-01T00:00:00Z",'
        b'"source":{"type":"notebook","notebookRid":"ri.x"}}'
    )
    version = msgspec.json.decode(body, type=ModelVersionRecord)
    assert version.model_api.inputs == [ModelApiIORecord(type="video")]
    assert version.model_api.outputs == [
        ModelApiIORecord(type="unsupported", unsupported_type="x", params={"a": "b"})
    ]
    assert version.source == ModelVersionSourceRecord(type="notebook")


def test_a_version_without_conda_requirements_is_rejected() -> None:
    body = (
        b'{"rid":"r","modelApi":{"inputs":[],"outputs":[]},"backingRepositories":[],'
        b'"createdTime":"2025-01-01T00:00:00Z"}'
    )
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(body, type=ModelVersionRecord)


# The contract's own registry examples


def read_example(contracts_dir: Path, name: str) -> bytes:
    return (contracts_dir / "foundry" / "examples" / name).read_bytes()


def test_contract_get_model_example(contracts_dir: Path) -> None:
    model = msgspec.json.decode(
        read_example(contracts_dir, "get-model.response.json"), type=RegistryModelRecord
    )
    assert model == RegistryModelRecord(
        rid="ri.models.main.model.8c1d6f0a-2e3b-4a5c-9d7e-6f1a2b3c4d5e"
    )


def test_contract_get_model_version_example(contracts_dir: Path) -> None:
    version = msgspec.json.decode(
        read_example(contracts_dir, "get-model-version.response.json"), type=ModelVersionRecord
    )
    assert version.rid == "ri.models.main.model-version.1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"
    assert version.created_time == "2025-02-27T16:04:11.102Z"
    assert version.conda_requirements == ["python=3.10", "pandas=1.5.3", "xgboost=1.7.6"]
    assert version.linked_experiment == (
        "ri.models.main.experiment.5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"
    )
    assert version.source == ModelVersionSourceRecord(
        type="codeRepository",
        repository_rid="ri.stemma.main.repository.0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        branch="master",
    )
    customers = version.model_api.inputs[0]
    assert (customers.type, customers.name, customers.required, customers.format) == (
        "tabular",
        "customers",
        True,
        None,
    )
    assert customers.columns is not None
    assert customers.columns[0] == ModelApiColumnRecord(
        name="customer_id", required=True, data_type={"type": "string"}
    )
    assert customers.columns[4].data_type == {
        "type": "map",
        "keyType": {"type": "string"},
        "valueType": {"type": "any"},
    }
    assert version.model_api.outputs[0].format == "SPARK"


def test_contract_version_pages(contracts_dir: Path) -> None:
    decode = decoder_for(ModelVersionPageRecord).decode
    first = decode(read_example(contracts_dir, "list-model-versions.page1.response.json"))
    last = decode(read_example(contracts_dir, "list-model-versions.page2.response.json"))
    empty = decode(read_example(contracts_dir, "list-model-versions.empty.response.json"))
    assert [v.rid for v in first.data] == [
        "ri.models.main.model-version.6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
    ]
    assert first.next_page_token == "v1.eyJvZmZzZXQiOjF9"
    assert last.next_page_token is None
    assert empty == ModelVersionPageRecord(data=[], next_page_token=None)


def test_contract_promote_version_example(contracts_dir: Path) -> None:
    version = msgspec.json.decode(
        read_example(contracts_dir, "promote-version.response.json"), type=ModelVersionRecord
    )
    assert version.source == ModelVersionSourceRecord(
        type="promoted",
        previous_model_rid="ri.models.main.model.8c1d6f0a-2e3b-4a5c-9d7e-6f1a2b3c4d5e",
        previous_model_version_rid=(
            "ri.models.main.model-version.6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
        ),
    )
    parameter = version.model_api.inputs[1]
    assert (parameter.type, parameter.name, parameter.required, parameter.data_type) == (
        "parameter",
        "threshold",
        False,
        {"type": "double"},
    )


def test_features_and_hyper_parameters_decode_when_read() -> None:
    # given
    body = model_with(
        b'"mlFeatures":[{"name":"tenure","dataType":"numerical","featureSources":'
        b'[{"name":"tenure_days","dataSource":{"id":"9a","type":"table"}}]}],'
        b'"mlHyperParameters":[{"name":"eta","value":"0.3"}]'
    )
    # when
    model = msgspec.json.decode(body, type=MlModelRecord)
    # then
    assert model.ml_hyper_parameters is not None
    assert [(h.name, h.value) for h in model.ml_hyper_parameters] == [("eta", "0.3")]
    assert model.ml_features is not None
    [feature] = model.ml_features
    assert (feature.name, feature.data_type) == ("tenure", "numerical")
    sources = feature.feature_sources or []
    assert [(s.name, s.data_source.id if s.data_source else None) for s in sources] == [
        ("tenure_days", "9a")
    ]


def test_features_of_the_wrong_shape_are_the_catalogs_error_when_read() -> None:
    # given
    model = msgspec.json.decode(model_with(b'"mlFeatures":{"name":"x"}'), type=MlModelRecord)
    # when
    with pytest.raises(UpstreamError) as raised:
        _ = model.ml_features
    # then
    assert (raised.value.code, raised.value.message) == (
        "UPSTREAM_ERROR",
        "The catalog sent an invalid response",
    )
    assert model.name == "churn"


def test_voters_decode_when_read() -> None:
    # given
    body = model_with(
        b'"votes":{"upVotes":2,"downVotes":1,"upVoters":[{"id":"u1","type":"user","name":"ada"},'
        b'{"id":"u2","type":"user"}],"downVoters":[{"id":"u3","type":"user","name":"bob"}]}'
    )
    # when
    votes = msgspec.json.decode(body, type=MlModelRecord).votes
    # then
    assert votes is not None
    assert (votes.up_votes, votes.down_votes) == (2, 1)
    assert votes.up_voters == [
        EntityReferenceRecord(id="u1", type="user", name="ada"),
        EntityReferenceRecord(id="u2", type="user"),
    ]
    assert votes.down_voters == [EntityReferenceRecord(id="u3", type="user", name="bob")]
    assert VotesRecord().up_voters == []


def test_voters_of_the_wrong_shape_are_the_catalogs_error_when_read() -> None:
    # given
    body = model_with(b'"votes":{"upVotes":1,"downVotes":0,"upVoters":[{"name":"no id"}]}')
    votes = msgspec.json.decode(body, type=MlModelRecord).votes
    assert votes is not None
    # when
    with pytest.raises(UpstreamError) as raised:
        _ = votes.up_voters
    # then
    assert (raised.value.code, raised.value.message) == (
        "UPSTREAM_ERROR",
        "The catalog sent an invalid response",
    )
    assert votes.up_votes == 1
