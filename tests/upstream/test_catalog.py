"""CatalogClient against the emulator: reads decode the seed, `fields` is pushed down."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from gateway.base.errors import (
    BadUserInputError,
    ConflictError,
    NotFoundError,
    UnauthenticatedError,
)
from gateway.emulator.auth import make_jwt
from gateway.emulator.catalog.seed import (
    ML_SERVICE_NAMES,
    SEED_ADMIN_ID,
    SEED_MODEL_COUNT,
    SEED_USER_NAMES,
    seed_id,
)
from gateway.emulator.config import DEFAULT_TOKEN
from gateway.emulator.ids import registry_model_rid
from gateway.upstream.catalog import CatalogClient
from gateway.upstream.http import UpstreamConfig, UpstreamHttp
from gateway.upstream.records import (
    ColumnRecord,
    EntityReferenceRecord,
    MlHyperParameterRecord,
    MlStoreRecord,
)
from tests.conftest import EmulatorHandle
from tests.upstream.conftest import Transport, logged

CHURN = "mlflow_prod.churn_predictor"
CHURN_ID = seed_id("mlmodel", CHURN)
CUSTOMERS = "postgres_shop.shop.public.customers"
CUSTOMERS_ID = seed_id("table", CUSTOMERS)
ALICE_ID = seed_id("user", "alice")
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


async def test_get_model_by_name_decodes_the_seeded_model(catalog: CatalogClient) -> None:
    # when
    model = await catalog.get_model_by_name(CHURN)
    # then
    assert (model.id, model.name, model.fully_qualified_name) == (
        CHURN_ID,
        "churn_predictor",
        CHURN,
    )
    assert (model.display_name, model.algorithm, model.target) == (
        "Churn predictor",
        "LightGBM",
        "churned",
    )
    assert (model.service.id, model.service.type, model.service.name) == (
        seed_id("mlmodelService", "mlflow_prod"),
        "mlmodelService",
        "mlflow_prod",
    )
    assert (model.service_type, model.version, model.updated_by, model.deleted) == (
        "Mlflow",
        1.1,
        "bob",
        False,
    )
    assert model.ml_hyper_parameters == [
        MlHyperParameterRecord(name="num_leaves", value="31"),
        MlHyperParameterRecord(name="learning_rate", value="0.05"),
        MlHyperParameterRecord(name="n_estimators", value="600"),
    ]
    assert model.ml_store == MlStoreRecord(storage="s3://ml-artifacts/mlflow/churn_predictor")
    assert model.ml_features is not None
    assert [f.name for f in model.ml_features] == [
        "tenure_days",
        "orders_90d",
        "days_since_last_order",
        "support_tickets_90d",
        "country",
    ]
    source = (model.ml_features[4].feature_sources or [])[0]
    assert (source.name, source.data_type) == ("country_code", "string")
    assert source.data_source is not None
    assert source.data_source.fully_qualified_name == (
        "bigquery_analytics.events_prod.ml_features.customer_features"
    )
    # relationship fields that were not asked for
    assert (model.owners, model.followers, model.votes, model.tags, model.extension) == (
        None,
        None,
        None,
        None,
        None,
    )


async def test_fields_are_pushed_down_and_decoded(
    catalog: CatalogClient, emulator: EmulatorHandle
) -> None:
    # when
    fields = ["votes", "owners", "extension", "tags", "domains", "followers", "owners"]
    model = await catalog.get_model(CHURN_ID, fields=fields)
    # then the query names each field once, sorted
    assert logged(emulator, "GET /api/v1/mlmodels/{id}") == [
        ("fields=domains,extension,followers,owners,tags,votes", 200)
    ]
    assert [(o.type, o.name) for o in model.owners or []] == [
        ("user", "alice"),
        ("team", "ml-platform"),
    ]
    assert model.followers == []
    assert model.votes is not None
    assert (model.votes.up_votes, model.votes.down_votes, model.votes.up_voters) == (0, 1, [])
    assert [v.name for v in model.votes.down_voters] == ["alice"]
    assert model.extension == {"registryModelRid": registry_model_rid("churn_predictor")}
    assert [(t.tag_fqn, t.source) for t in model.tags or []] == [
        ("Tier.Tier1", "Classification"),
        ("Business.Churn", "Glossary"),
    ]
    assert [d.name for d in model.domains or []] == ["Marketing"]


async def test_list_models_pages_by_name(catalog: CatalogClient, emulator: EmulatorHandle) -> None:
    # given every seeded model, in the catalog's order
    everything = await catalog.list_models(limit=1000)
    names = [m.name for m in everything.data]
    # when
    first = await catalog.list_models(limit=3)
    assert first.paging.after is not None
    second = await catalog.list_models(limit=3, after=first.paging.after)
    back = await catalog.list_models(limit=3, before=second.paging.before)
    # then
    assert everything.paging.total == SEED_MODEL_COUNT
    assert names == sorted(names)
    assert [m.name for m in first.data + second.data] == names[:6]
    assert (first.paging.before, first.paging.total) == (None, SEED_MODEL_COUNT)
    assert [m.name for m in back.data] == names[:3]
    assert [query for query, _ in logged(emulator, "GET /api/v1/mlmodels")] == [
        "limit=1000",
        "limit=3",
        f"limit=3&after={quote(first.paging.after, safe='')}",
        f"limit=3&before={quote(second.paging.before or '', safe='')}",
    ]


async def test_list_models_of_one_service(catalog: CatalogClient) -> None:
    page = await catalog.list_models(service="sklearn_lab", limit=100)
    assert page.data
    assert {m.service.name for m in page.data} == {"sklearn_lab"}
    assert page.paging.total == len(page.data)


async def test_tables_by_name_id_and_schema(
    catalog: CatalogClient, emulator: EmulatorHandle
) -> None:
    # when
    table = await catalog.get_table_by_name(CUSTOMERS, fields=["owners"])
    same = await catalog.get_table(CUSTOMERS_ID, fields=["owners"])
    tagged = await catalog.get_table(CUSTOMERS_ID, fields=["columns", "tags"])
    page = await catalog.list_tables(database_schema="postgres_shop.shop.public", limit=2)
    # then
    assert same == table
    assert (table.id, table.name, table.table_type, table.version) == (
        CUSTOMERS_ID,
        "customers",
        "Regular",
        0.2,
    )
    assert (table.service_type, table.description) == (
        "Postgres",
        "Registered customers of the web shop.",
    )
    schema_id = seed_id("databaseSchema", "postgres_shop.shop.public")
    assert table.database_schema == EntityReferenceRecord(
        id=schema_id,
        type="databaseSchema",
        name="public",
        fully_qualified_name="postgres_shop.shop.public",
        deleted=False,
        href=f"{emulator.catalog_url}/v1/databaseSchemas/{schema_id}",
    )
    assert table.database is not None
    assert table.database.fully_qualified_name == "postgres_shop.shop"
    assert table.columns[0] == ColumnRecord(
        name="customer_id",
        data_type="BIGINT",
        data_type_display="bigint",
        description="Surrogate key",
        constraint="PRIMARY_KEY",
        ordinal_position=1,
        fully_qualified_name=f"{CUSTOMERS}.customer_id",
    )
    assert (table.columns[1].name, table.columns[1].data_length) == ("email", 255)
    assert [o.name for o in table.owners or []] == ["alice"]
    assert (table.followers, table.tags) == (None, None)
    # column tags come back only with both `columns` and `tags`
    assert tagged.columns[0].tags == []
    assert [t.tag_fqn for t in tagged.columns[1].tags or []] == ["PII.Sensitive"]
    assert [t.tag_fqn for t in tagged.tags or []] == ["Tier.Tier1", "PII.Sensitive"]
    assert [t.name for t in page.data] == ["addresses", "cart_items"]
    assert page.paging.total == 15


async def test_list_tables_of_a_database(catalog: CatalogClient) -> None:
    page = await catalog.list_tables(database="postgres_shop.shop", limit=1000)
    assert {t.database.fully_qualified_name for t in page.data if t.database} == {
        "postgres_shop.shop"
    }
    assert page.paging.total == len(page.data)


async def test_services(catalog: CatalogClient) -> None:
    # when
    ml = await catalog.list_services("mlmodel")
    pg = await catalog.get_service_by_name("database", "postgres_shop")
    again = await catalog.get_service("database", pg.id)
    created = await catalog.create_service(
        "mlmodel", {"name": "mlflow_canary", "serviceType": "Mlflow"}
    )
    # then
    assert [(s.name, s.service_type) for s in ml.data] == [
        ("mlflow_prod", "Mlflow"),
        ("sagemaker_prod", "SageMaker"),
        ("sklearn_lab", "Sklearn"),
        ("vertex_ai", "VertexAI"),
    ]
    assert sorted(ML_SERVICE_NAMES) == [s.name for s in ml.data]
    assert (pg.id, pg.service_type, pg.version) == (
        seed_id("databaseService", "postgres_shop"),
        "Postgres",
        0.1,
    )
    assert again == pg
    assert (created.name, created.fully_qualified_name, created.service_type) == (
        "mlflow_canary",
        "mlflow_canary",
        "Mlflow",
    )
    assert created.version == 0.1


async def test_users(catalog: CatalogClient) -> None:
    me = await catalog.get_logged_in_user()
    alice = await catalog.get_user_by_name("alice", fields=["owns"])
    by_id = await catalog.get_user(ALICE_ID)
    page = await catalog.list_users(limit=5)
    assert (me.id, me.name, me.is_admin, me.email) == (
        SEED_ADMIN_ID,
        "admin",
        True,
        "admin@example.com",
    )
    assert (alice.id, alice.display_name, alice.email) == (
        ALICE_ID,
        "Alice Nguyen",
        "alice.nguyen@example.com",
    )
    assert alice.owns is not None
    assert CUSTOMERS in {o.fully_qualified_name for o in alice.owns}
    assert (by_id.owns, by_id.name) == (None, "alice")
    assert page.paging.total == len(SEED_USER_NAMES)
    assert [u.name for u in page.data] == sorted(SEED_USER_NAMES)[:5]


# Writes


async def test_create_upsert_delete_and_restore_a_model(catalog: CatalogClient) -> None:
    # given a new model
    body = {"name": "churn_canary", "service": "mlflow_prod", "algorithm": "XGBoost"}
    created = await catalog.create_model(body)
    # when it is upserted twice, soft deleted and restored
    _, created_again = await catalog.upsert_model({**body, "name": "churn_shadow"})
    updated, created_by_update = await catalog.upsert_model({**body, "description": "canary"})
    deleted = await catalog.delete_model(created.id)
    with pytest.raises(NotFoundError):
        await catalog.get_model(created.id)
    hidden = await catalog.get_model(created.id, include="deleted")
    restored = await catalog.restore_model(created.id)
    # then
    assert (created.fully_qualified_name, created.version, created.algorithm) == (
        "mlflow_prod.churn_canary",
        0.1,
        "XGBoost",
    )
    assert (created_again, created_by_update) == (True, False)
    assert (updated.id, updated.description, updated.version) == (created.id, "canary", 0.2)
    assert (deleted.deleted, hidden.deleted, restored.deleted) == (True, True, False)
    assert (deleted.version, restored.version) == (0.3, 0.4)


async def test_bulk_upsert_reports_each_item(catalog: CatalogClient) -> None:
    result = await catalog.bulk_upsert_models(
        [{"name": "bulk_one", "service": "mlflow_prod"}, {"name": "x", "service": "nope"}]
    )
    assert (result.status, result.number_of_rows_processed) == ("partialSuccess", 2)
    assert (result.number_of_rows_passed, result.number_of_rows_failed) == (1, 1)
    assert [(r.request, r.status) for r in result.success_request] == [
        ("mlflow_prod.bulk_one", 200)
    ]
    assert [(r.request, r.message, r.status) for r in result.failed_request] == [
        (
            {"name": "x", "service": "nope"},
            "mlmodelService instance for nope not found",
            400,
        )
    ]


async def test_a_name_with_reserved_characters_round_trips(catalog: CatalogClient) -> None:
    created = await catalog.create_model({"name": 'ab/c d.e%"?', "service": "mlflow_prod"})
    assert created.fully_qualified_name is not None
    found = await catalog.get_model_by_name(created.fully_qualified_name)
    assert (found.id, found.name) == (created.id, 'ab/c d.e%"?')


async def test_follow_and_unfollow(catalog: CatalogClient) -> None:
    # when
    followed = await catalog.add_follower("mlmodel", CHURN_ID, ALICE_ID)
    with_follower = await catalog.get_model(CHURN_ID, fields=["followers"])
    unfollowed = await catalog.remove_follower("mlmodel", CHURN_ID, ALICE_ID)
    without = await catalog.get_model(CHURN_ID, fields=["followers"])
    # then
    assert (followed.event_type, followed.entity_type, followed.entity_id) == (
        "entityUpdated",
        "mlmodel",
        CHURN_ID,
    )
    assert (followed.user_name, followed.previous_version, followed.current_version) == (
        "admin",
        1.1,
        1.1,
    )
    assert followed.change_description is not None
    assert followed.change_description["fieldsAdded"][0]["name"] == "followers"
    assert [f.id for f in with_follower.followers or []] == [ALICE_ID]
    assert unfollowed.entity_fully_qualified_name == CHURN
    assert without.followers == []


async def test_the_voter_is_the_caller(
    emulator: EmulatorHandle, catalog_http: UpstreamHttp
) -> None:
    # given alice's credentials
    alice = CatalogClient(catalog_http, auth=f"Bearer {make_jwt('alice')}")
    # when
    event = await alice.cast_vote("table", CUSTOMERS_ID, "votedUp")
    table = await alice.get_table(CUSTOMERS_ID, fields=["votes"])
    # then
    assert (event.user_name, event.entity_type, event.entity_id) == ("alice", "table", CUSTOMERS_ID)
    assert table.votes is not None
    assert (table.votes.up_votes, [v.name for v in table.votes.up_voters]) == (1, ["alice"])


# Errors and credentials


async def test_an_unknown_id_is_not_found(catalog: CatalogClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        await catalog.get_table(UNKNOWN_ID)
    assert caught.value.to_extensions() == {"code": "NOT_FOUND", "upstream": "catalog"}
    assert caught.value.status == 404


async def test_a_duplicate_create_is_a_conflict(catalog: CatalogClient) -> None:
    with pytest.raises(ConflictError) as caught:
        await catalog.create_model({"name": "churn_predictor", "service": "mlflow_prod"})
    assert caught.value.to_extensions() == {"code": "CONFLICT", "upstream": "catalog"}
    assert caught.value.message == "The catalog reports a conflict with an existing resource"


async def test_a_missing_reference_names_itself(catalog: CatalogClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        await catalog.create_model({"name": "orphan", "service": "no_such_service"})
    assert caught.value.message == "mlmodelService instance for no_such_service not found"
    assert caught.value.to_extensions() == {"code": "NOT_FOUND", "upstream": "catalog"}


async def test_an_unknown_field_is_bad_user_input(catalog: CatalogClient) -> None:
    with pytest.raises(BadUserInputError) as caught:
        await catalog.get_model(CHURN_ID, fields=["nope"])
    assert caught.value.message == "Invalid field name nope"
    assert caught.value.status == 400


async def test_no_credentials_at_all_is_unauthenticated(catalog_http: UpstreamHttp) -> None:
    with pytest.raises(UnauthenticatedError) as caught:
        await CatalogClient(catalog_http, auth=None).get_logged_in_user()
    assert caught.value.to_extensions() == {"code": "UNAUTHENTICATED", "upstream": "catalog"}


async def test_the_service_token_is_the_fallback_and_the_caller_wins(
    emulator: EmulatorHandle, transport: Transport
) -> None:
    # given an upstream configured with the admin's token as service token
    config = UpstreamConfig(
        "catalog", emulator.catalog_url, token=DEFAULT_TOKEN, transport=transport
    )
    http = UpstreamHttp(config)
    # when
    service = await CatalogClient(http, auth=None).get_logged_in_user()
    caller = await CatalogClient(http, auth=f"Bearer {make_jwt('bob')}").get_logged_in_user()
    await http.aclose()
    # then
    assert (service.name, caller.name) == ("admin", "bob")
