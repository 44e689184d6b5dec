"""Catalog emulator: the operation each PATCH path needs (SEARCH_LINEAGE_AUTHZ §3, §4.2).

kevin is a plain user (a data consumer): he owns `sklearn_lab.lead_scoring` and the table
`snowflake_dw.analytics.staging.stg_customers`, not `mlflow_prod.churn_predictor` (alice's
and ml-platform's) nor the table `postgres_shop.shop.public.customers` (alice's). lena is
the data steward.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.emulator.catalog.seed import seed_id
from tests.conftest import EmulatorHandle
from tests.emulator.catalog import ALICE, patch, tag

CHURN_ID = seed_id("mlmodel", "mlflow_prod.churn_predictor")
LEAD_ID = seed_id("mlmodel", "sklearn_lab.lead_scoring")
CUSTOMERS_ID = seed_id("table", "postgres_shop.shop.public.customers")
FINANCE = seed_id("domain", "Finance")
KEVIN = seed_id("user", "kevin")


def refused(who: str, operations: str) -> dict[str, Any]:
    principal = f"Principal: CatalogPrincipal{{name='{who}'}}"
    return {"code": 403, "message": f"{principal} operations [{operations}] not allowed"}


def glossary(fqn: str) -> dict[str, str]:
    return {**tag(fqn), "source": "Glossary"}


ALLOWED_TO_ANYONE = [
    ("description", [{"op": "add", "path": "/description", "value": "Kevin's words."}]),
    ("tag", [{"op": "add", "path": "/tags/-", "value": tag("PII.NonSensitive")}]),
    ("tag-removed", [{"op": "remove", "path": "/tags/1"}]),
    ("tier", [{"op": "replace", "path": "/tags/0", "value": tag("Tier.Tier2")}]),
    ("certification", [{"op": "add", "path": "/tags/-", "value": tag("Certification.Gold")}]),
    ("glossary-term", [{"op": "add", "path": "/tags/-", "value": glossary("Business.Revenue")}]),
    ("feature", [{"op": "add", "path": "/mlFeatures/0/description", "value": "Tenure."}]),
    (
        "feature-tag",
        [{"op": "add", "path": "/mlFeatures/0/tags/-", "value": tag("PII.NonSensitive")}],
    ),
    (
        "guarded",
        [
            {"op": "test", "path": "/tags/1/tagFQN", "value": "Business.Churn"},
            {"op": "remove", "path": "/tags/1"},
            {"op": "add", "path": "/description", "value": "Tested."},
        ],
    ),
]


@pytest.mark.parametrize(
    "ops", [c[1] for c in ALLOWED_TO_ANYONE], ids=[c[0] for c in ALLOWED_TO_ANYONE]
)
def test_a_plain_user_edits_descriptions_and_tags_of_any_asset(
    catalog: httpx.Client, emulator: EmulatorHandle, ops: list[dict[str, Any]]
) -> None:
    response = patch(catalog, f"/mlmodels/{CHURN_ID}", ops, emulator.headers("kevin"))

    assert response.status_code == 200
    assert (response.json()["version"], response.json()["updatedBy"]) == (1.2, "kevin")


def test_a_plain_user_edits_a_column_of_any_table(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    response = patch(
        catalog,
        f"/tables/{CUSTOMERS_ID}",
        [
            {"op": "add", "path": "/columns/1/description", "value": "Where receipts go."},
            {"op": "add", "path": "/columns/1/tags/-", "value": tag("Subject.Customer")},
        ],
        emulator.headers("kevin"),
    )

    assert response.status_code == 200
    assert response.json()["columns"][1]["description"] == "Where receipts go."


REFUSED = [
    ("display-name", [{"op": "add", "path": "/displayName", "value": "Mine"}], "EditDisplayName"),
    (
        "domains",
        [{"op": "add", "path": "/domains", "value": [{"id": FINANCE, "type": "domain"}]}],
        "EditAll",
    ),
    ("algorithm", [{"op": "replace", "path": "/algorithm", "value": "CatBoost"}], "EditAll"),
    (
        "description-and-domains",
        [
            {"op": "add", "path": "/description", "value": "Moved."},
            {"op": "replace", "path": "/domains", "value": []},
        ],
        "EditAll",
    ),
    (
        "display-name-and-owners",
        [
            {"op": "add", "path": "/displayName", "value": "Mine"},
            {"op": "add", "path": "/description", "value": "Mine."},
            {"op": "add", "path": "/owners/-", "value": {"id": KEVIN, "type": "user"}},
        ],
        "EditDisplayName, EditOwners",
    ),
    (
        "custom-property",
        [{"op": "add", "path": "/extension/retrainingCadenceDays", "value": 7}],
        "EditCustomFields",
    ),
    (
        "feature-source",
        [{"op": "remove", "path": "/mlFeatures/0/featureSources/0"}],
        "EditAll",
    ),
]


@pytest.mark.parametrize(
    ("ops", "operations"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_a_plain_user_may_not_change_the_rest_of_what_it_does_not_own(
    catalog: httpx.Client, emulator: EmulatorHandle, ops: list[dict[str, Any]], operations: str
) -> None:
    before = catalog.get(f"/mlmodels/{CHURN_ID}", params={"fields": "*"}).json()

    response = patch(catalog, f"/mlmodels/{CHURN_ID}", ops, emulator.headers("kevin"))

    assert (response.status_code, response.json()) == (403, refused("kevin", operations))
    assert response.headers["WWW-Authenticate"] == "om-auth"
    assert catalog.get(f"/mlmodels/{CHURN_ID}", params={"fields": "*"}).json() == before


def test_a_column_rename_needs_edit_all(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    response = patch(
        catalog,
        f"/tables/{CUSTOMERS_ID}",
        [{"op": "replace", "path": "/columns/1/name", "value": "mail"}],
        emulator.headers("kevin"),
    )

    assert (response.status_code, response.json()) == (403, refused("kevin", "EditAll"))


def test_an_owner_edits_everything(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    # when kevin renames, moves, retrains and shares the model he owns, in one patch
    response = patch(
        catalog,
        f"/mlmodels/{LEAD_ID}",
        [
            {"op": "add", "path": "/displayName", "value": "Leads"},
            {"op": "add", "path": "/domains", "value": [{"id": FINANCE, "type": "domain"}]},
            {"op": "replace", "path": "/algorithm", "value": "CatBoost"},
            {"op": "add", "path": "/extension", "value": {"retrainingCadenceDays": 7}},
            {"op": "add", "path": "/owners/-", "value": {"id": ALICE, "type": "user"}},
        ],
        emulator.headers("kevin"),
    )

    # then all of it is written, a breaking change
    body = response.json()
    assert response.status_code == 200
    assert (body["displayName"], body["algorithm"], body["version"]) == ("Leads", "CatBoost", 1.0)
    assert [d["name"] for d in body["domains"]] == ["Finance"]
    assert [o["name"] for o in body["owners"]] == ["alice", "kevin"]
    assert body["extension"] == {"retrainingCadenceDays": 7}


def test_anyone_may_set_the_owners_of_an_unowned_asset(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given a model with no owner
    model_id = catalog.post("/mlmodels", json={"name": "orphan", "service": "mlflow_prod"}).json()[
        "id"
    ]
    take = [{"op": "add", "path": "/owners/-", "value": {"id": KEVIN, "type": "user"}}]

    # when kevin takes it, then bob tries to take it too
    kevins = patch(catalog, f"/mlmodels/{model_id}", take, emulator.headers("kevin"))
    bobs = patch(
        catalog,
        f"/mlmodels/{model_id}",
        [
            {
                "op": "replace",
                "path": "/owners",
                "value": [{"id": seed_id("user", "bob"), "type": "user"}],
            }
        ],
        emulator.headers("bob"),
    )

    # then kevin could (noOwner), and owns it now, so bob cannot
    assert kevins.status_code == 200
    assert [o["name"] for o in kevins.json()["owners"]] == ["kevin"]
    assert (bobs.status_code, bobs.json()) == (403, refused("bob", "EditOwners"))


def test_a_member_of_an_owning_team_edits_everything(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # alice is in ml-platform, which owns the churn model along with her; emma is too
    response = patch(
        catalog,
        f"/mlmodels/{CHURN_ID}",
        [{"op": "add", "path": "/displayName", "value": "Churn"}],
        emulator.headers("emma"),
    )

    assert (response.status_code, response.json()["displayName"]) == (200, "Churn")


def test_the_data_steward_renames_but_does_not_move(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    renamed = patch(
        catalog,
        f"/mlmodels/{CHURN_ID}",
        [{"op": "add", "path": "/displayName", "value": "Churn"}],
        emulator.headers("lena"),
    )
    moved = patch(
        catalog,
        f"/mlmodels/{CHURN_ID}",
        [{"op": "replace", "path": "/domains", "value": []}],
        emulator.headers("lena"),
    )

    assert renamed.status_code == 200
    assert (moved.status_code, moved.json()) == (403, refused("lena", "EditAll"))


def test_a_principal_with_no_user_is_not_found(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    response = patch(
        catalog,
        f"/mlmodels/{CHURN_ID}",
        [{"op": "add", "path": "/description", "value": "x"}],
        emulator.headers("ghost"),
    )

    assert (response.status_code, response.json()) == (
        404,
        {"code": 404, "message": "user instance for ghost not found"},
    )
