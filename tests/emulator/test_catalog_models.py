"""Catalog emulator: ML model services and ML models — create, read, upsert and its merge rules."""

from __future__ import annotations

import httpx

from gateway.emulator.catalog.seed import SEED_ADMIN, seed_id
from gateway.emulator.ids import registry_model_rid
from tests.conftest import EmulatorHandle
from tests.emulator.catalog import ALICE, tag

CHURN_FQN = "mlflow_prod.churn_predictor"
BOB = seed_id("user", "bob")


def test_create_service_then_model_answers_201_with_location(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given a new ML model service
    service = catalog.post(
        "/services/mlmodelServices",
        json={"name": "lab", "serviceType": "Sklearn", "description": "Lab"},
    )
    assert service.status_code == 201
    assert service.json()["fullyQualifiedName"] == "lab"
    assert service.headers["location"] == service.json()["href"]

    # when a model is created in it
    created = catalog.post(
        "/mlmodels",
        json={"name": "iris", "service": "lab", "algorithm": "SVC", "tags": [tag("Tier.Tier3")]},
    )

    # then it is 0.1, named under the service, with the sent tags and a Location
    assert created.status_code == 201
    body = created.json()
    assert created.headers["location"] == f"{emulator.catalog_url}/v1/mlmodels/{body['id']}"
    assert body["fullyQualifiedName"] == "lab.iris"
    assert body["version"] == 0.1
    assert body["algorithm"] == "SVC"
    assert body["serviceType"] == "Sklearn"
    assert body["service"]["name"] == "lab"
    assert body["updatedBy"] == SEED_ADMIN
    assert [t["tagFQN"] for t in body["tags"]] == ["Tier.Tier3"]
    assert "followers" not in body
    assert "X-OpenMetadata-Change" not in created.headers
    assert catalog.get(f"/mlmodels/{body['id']}").json()["name"] == "iris"


def test_create_defaults_the_algorithm(catalog: httpx.Client) -> None:
    # when a model is created without an algorithm
    created = catalog.post("/mlmodels", json={"name": "plain", "service": "sklearn_lab"})

    # then the upstream default applies
    assert created.status_code == 201
    assert created.json()["algorithm"] == "mlmodel"


def test_post_of_an_existing_name_is_409_even_when_soft_deleted(catalog: httpx.Client) -> None:
    # given a model
    body = {"name": "twin", "service": "mlflow_prod"}
    first = catalog.post("/mlmodels", json=body)
    assert first.status_code == 201

    # when the same name is posted again, live and after a soft delete
    live = catalog.post("/mlmodels", json=body)
    catalog.delete(f"/mlmodels/{first.json()['id']}")
    deleted = catalog.post("/mlmodels", json=body)

    # then both are conflicts with the upstream body
    for response in (live, deleted):
        assert response.status_code == 409
        assert response.json() == {"code": 409, "message": "Entity already exists"}


def test_get_by_id_and_by_fqn_answer_the_same_model(catalog: httpx.Client) -> None:
    # when the seeded churn model is read both ways
    by_id = catalog.get(f"/mlmodels/{seed_id('mlmodel', CHURN_FQN)}")
    by_name = catalog.get(f"/mlmodels/name/{CHURN_FQN}")

    # then both are the same entity, without relationship fields
    assert by_id.status_code == by_name.status_code == 200
    assert by_id.json() == by_name.json()
    body = by_id.json()
    assert body["version"] == 1.1
    assert body["algorithm"] == "LightGBM"
    assert body["entityStatus"] == "Unprocessed"
    for field in ("owners", "followers", "tags", "votes", "extension", "domains"):
        assert field not in body


def test_relationship_fields_come_only_when_requested(catalog: httpx.Client) -> None:
    # when the churn model is read with relationship fields
    body = catalog.get(
        f"/mlmodels/name/{CHURN_FQN}",
        params={"fields": "owners, tags,extension,domains,dataProducts"},
    ).json()

    # then exactly those are filled
    assert [o["name"] for o in body["owners"]] == ["alice", "ml-platform"]
    assert [t["tagFQN"] for t in body["tags"]] == ["Tier.Tier1", "Business.Churn"]
    assert body["tags"][1]["source"] == "Glossary"
    assert body["extension"] == {"registryModelRid": registry_model_rid("churn_predictor")}
    assert [d["name"] for d in body["domains"]] == ["Marketing"]
    assert [d["name"] for d in body["dataProducts"]] == ["CustomerInsights"]
    assert "followers" not in body
    assert "votes" not in body


def test_empty_relationship_fields_are_empty_lists_and_zero_votes(catalog: httpx.Client) -> None:
    # given a bare new model
    created = catalog.post("/mlmodels", json={"name": "bare", "service": "vertex_ai"}).json()

    # when every field is requested
    body = catalog.get(f"/mlmodels/{created['id']}", params={"fields": "*"}).json()

    # then relationship fields are present and empty
    assert body["owners"] == []
    assert body["followers"] == []
    assert body["tags"] == []
    assert body["domains"] == []
    assert body["votes"] == {"upVotes": 0, "downVotes": 0, "upVoters": [], "downVoters": []}
    assert "extension" not in body


def test_fqn_with_a_dot_in_a_name_is_quoted_and_found_url_encoded(catalog: httpx.Client) -> None:
    # given a model whose name holds a dot
    created = catalog.post("/mlmodels", json={"name": "churn.v2", "service": "mlflow_prod"})
    assert created.json()["fullyQualifiedName"] == 'mlflow_prod."churn.v2"'

    # when it is looked up by its URL-encoded FQN
    found = catalog.get("/mlmodels/name/mlflow_prod.%22churn.v2%22")

    # then it is found
    assert found.status_code == 200
    assert found.json()["id"] == created.json()["id"]


def test_feature_sources_resolve_table_references(catalog: httpx.Client) -> None:
    # given a table of the seed
    table_fqn = "postgres_shop.shop.public.customers"
    table_id = seed_id("table", table_fqn)

    # when a model reads one of its columns
    created = catalog.post(
        "/mlmodels",
        json={
            "name": "ages",
            "service": "sklearn_lab",
            "mlFeatures": [
                {
                    "name": "age",
                    "dataType": "numerical",
                    "featureSources": [
                        {
                            "name": "age",
                            "dataType": "integer",
                            "dataSource": {"id": table_id, "type": "table"},
                        }
                    ],
                }
            ],
        },
    )

    # then the feature and its source carry FQNs and a full reference
    assert created.status_code == 201
    feature = created.json()["mlFeatures"][0]
    assert feature["fullyQualifiedName"] == "sklearn_lab.ages.age"
    source = feature["featureSources"][0]
    assert source["fullyQualifiedName"] == f"{table_fqn}.age"
    assert source["dataSource"] == {
        "id": table_id,
        "type": "table",
        "name": "customers",
        "fullyQualifiedName": table_fqn,
        "deleted": False,
    }


def test_upsert_creates_201_then_updates_200_with_the_put_merge_rules(
    catalog: httpx.Client,
) -> None:
    # given a model created by PUT
    first = catalog.put(
        "/mlmodels",
        json={
            "name": "merge",
            "service": "mlflow_prod",
            "description": "first",
            "tags": [tag("PII.Sensitive")],
            "owners": [{"id": ALICE, "type": "user"}],
        },
    )
    assert first.status_code == 201
    assert first.headers["X-OpenMetadata-Change"] == "entityCreated"
    assert first.json()["version"] == 0.1

    # when it is PUT again with another tag, no owners and no description
    second = catalog.put(
        "/mlmodels", json={"name": "merge", "service": "mlflow_prod", "tags": [tag("Tier.Tier2")]}
    )

    # then tags merge, owners are kept, the description is cleared
    assert second.status_code == 200
    assert second.headers["X-OpenMetadata-Change"] == "entityUpdated"
    body = catalog.get(f"/mlmodels/{first.json()['id']}", params={"fields": "tags,owners"}).json()
    assert body["version"] == 0.2
    assert [t["tagFQN"] for t in body["tags"]] == ["PII.Sensitive", "Tier.Tier2"]
    assert [o["id"] for o in body["owners"]] == [ALICE]
    assert "description" not in body
    change = body["changeDescription"]
    assert change["previousVersion"] == 0.1
    assert change["fieldsUpdated"] == []
    assert change["fieldsDeleted"] == [{"name": "description", "oldValue": "first"}]
    assert [f["name"] for f in change["fieldsAdded"]] == ["tags"]


def test_upsert_replaces_owners_only_with_a_non_empty_list(catalog: httpx.Client) -> None:
    # given a model owned by alice
    body = {"name": "owned", "service": "mlflow_prod", "owners": [{"id": ALICE, "type": "user"}]}
    model_id = catalog.put("/mlmodels", json=body).json()["id"]

    # when it is PUT with an empty owner list, then with bob
    catalog.put("/mlmodels", json={**body, "owners": []})
    kept = catalog.get(f"/mlmodels/{model_id}", params={"fields": "owners"}).json()
    catalog.put("/mlmodels", json={**body, "owners": [{"id": BOB, "type": "user"}]})
    replaced = catalog.get(f"/mlmodels/{model_id}", params={"fields": "owners"}).json()

    # then the empty list kept alice and bob replaced her
    assert [o["name"] for o in kept["owners"]] == ["alice"]
    assert kept["version"] == 0.1
    assert [o["name"] for o in replaced["owners"]] == ["bob"]
    assert replaced["version"] == 0.2


def test_upsert_without_changes_is_entity_no_change(catalog: httpx.Client) -> None:
    # given a model
    body = {"name": "same", "service": "mlflow_prod", "description": "d"}
    catalog.put("/mlmodels", json=body)

    # when the same body is PUT again
    again = catalog.put("/mlmodels", json=body)

    # then nothing changes
    assert again.status_code == 200
    assert again.headers["X-OpenMetadata-Change"] == "entityNoChange"
    assert again.json()["version"] == 0.1


def test_upsert_keeps_the_extension_when_absent(catalog: httpx.Client) -> None:
    # given the seeded churn model, linked to the registry
    current = catalog.get(f"/mlmodels/name/{CHURN_FQN}").json()

    # when it is PUT without an extension
    catalog.put(
        "/mlmodels",
        json={"name": "churn_predictor", "service": "mlflow_prod", "algorithm": "LightGBM"},
    )

    # then the registry link survives
    after = catalog.get(f"/mlmodels/{current['id']}", params={"fields": "extension"}).json()
    assert after["extension"] == {"registryModelRid": registry_model_rid("churn_predictor")}


def test_upsert_by_a_bot_keeps_a_non_empty_description(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given a bot user and a described model the bot owns (so that it may edit it)
    bot = {"name": "ingestion-bot", "email": "ingestion-bot@example.com", "isBot": True}
    created = catalog.post("/users", json=bot)
    assert created.status_code == 201
    owners = [{"id": created.json()["id"], "type": "user"}]
    body = {"name": "curated", "service": "mlflow_prod", "description": "human words"}
    catalog.put("/mlmodels", json={**body, "owners": owners})

    # when the bot PUTs another description
    put = catalog.put(
        "/mlmodels",
        json={**body, "description": "bot words"},
        headers=emulator.headers("ingestion-bot"),
    )

    # then the call is accepted and the human description stays
    assert put.status_code == 200
    found = catalog.get("/mlmodels/name/mlflow_prod.curated").json()
    assert found["description"] == "human words"


def test_services_answer_connection_only_to_admins_with_secrets_masked(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # when the SageMaker service is read by the admin and by a plain user
    admin = catalog.get("/services/mlmodelServices/name/sagemaker_prod").json()
    user = catalog.get(
        "/services/mlmodelServices/name/sagemaker_prod", headers=emulator.headers("bob")
    ).json()

    # then only the admin sees the connection, with the secret masked (and the defaults
    # the credentials schema declares filled in)
    aws = admin["connection"]["config"]["awsConfig"]
    assert aws == {
        "enabled": False,
        "awsAccessKeyId": "AKIAEXAMPLEKEY",
        "awsSecretAccessKey": "*********",
        "awsRegion": "eu-west-1",
        "assumeRoleSessionName": "OpenMetadataSession",
    }
    assert "connection" not in user


def test_service_upsert_creates_then_updates(catalog: httpx.Client) -> None:
    # given a database service created by PUT
    body = {"name": "mysql_crm", "serviceType": "Mysql"}
    created = catalog.put("/services/databaseServices", json=body)

    # when it is PUT again with a description
    updated = catalog.put("/services/databaseServices", json={**body, "description": "CRM"})

    # then 201 then 200, version 0.1 then 0.2
    assert (created.status_code, created.json()["version"]) == (201, 0.1)
    assert (updated.status_code, updated.json()["version"]) == (200, 0.2)
    assert updated.headers["X-OpenMetadata-Change"] == "entityUpdated"
    assert (
        catalog.get(f"/services/databaseServices/{created.json()['id']}").json()["description"]
        == "CRM"
    )


def test_an_id_in_any_form_javas_uuid_parser_reads_finds_the_entity(
    catalog: httpx.Client,
) -> None:
    # given a seeded model's canonical id
    model = catalog.get(f"/mlmodels/name/{CHURN_FQN}").json()
    canonical = model["id"]

    # when it is asked for in upper case, then the same entity answers, its id canonical
    upper = catalog.get(f"/mlmodels/{canonical.upper()}")
    assert (upper.status_code, upper.json()) == (200, model)

    # and a string that is no UUID is the path's 404
    bad = catalog.get(f"/mlmodels/{canonical[:-1]}x")
    assert (bad.status_code, bad.json()) == (404, {"code": 404, "message": "HTTP 404 Not Found"})
