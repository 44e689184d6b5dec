"""Catalog emulator: PATCH of ML models and tables (contract API.md §5.6, SEARCH_LINEAGE_AUTHZ
§4). Each edit reads back exactly, with the rest of the entity as it was; what a PATCH
cannot change is restored; broken patches and invalid results are refused, writing nothing.

Seeded entities used: `mlflow_prod.churn_predictor` (1.1, last changed by bob; owned by
alice and ml-platform; domain Marketing; tags Tier.Tier1 and the glossary term
Business.Churn), `sklearn_lab.lead_scoring` (0.1, kevin's alone, no domain, no tags) and
the table `postgres_shop.shop.public.customers` (0.2, alice's; Tier.Tier1, PII.Sensitive).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.emulator.catalog.seed import seed_id
from tests.conftest import EmulatorHandle
from tests.emulator.catalog import ALICE, patch, tag, without_volatile

CHURN = "mlflow_prod.churn_predictor"
CHURN_ID = seed_id("mlmodel", CHURN)
LEAD = "sklearn_lab.lead_scoring"
LEAD_ID = seed_id("mlmodel", LEAD)
CUSTOMERS = "postgres_shop.shop.public.customers"
CUSTOMERS_ID = seed_id("table", CUSTOMERS)
MARKETING = seed_id("domain", "Marketing")
FINANCE = seed_id("domain", "Finance")
KEVIN = seed_id("user", "kevin")


def model(catalog: httpx.Client, model_id: str) -> dict[str, Any]:
    body: dict[str, Any] = catalog.get(f"/mlmodels/{model_id}", params={"fields": "*"}).json()
    return body


def table(catalog: httpx.Client, table_id: str) -> dict[str, Any]:
    body: dict[str, Any] = catalog.get(f"/tables/{table_id}", params={"fields": "*"}).json()
    return body


def label(catalog: httpx.Client, fqn: str) -> dict[str, Any]:
    """A classification tag's label as the catalog renders it on an asset."""
    found = catalog.get(f"/tags/name/{fqn}").json()
    out = {"tagFQN": fqn, "name": found["name"], "description": found["description"]}
    if "style" in found:
        out["style"] = found["style"]
    return {**out, **tag(fqn), "href": found["href"]}


def reference(emulator: EmulatorHandle, catalog: httpx.Client, path: str) -> dict[str, Any]:
    """The reference an entity (by its path under /v1) renders as in another one."""
    found = catalog.get(path).json()
    kind = path.split("/")[1][:-1]
    out = {"id": found["id"], "type": kind, "name": found["name"]}
    out["fullyQualifiedName"] = found["fullyQualifiedName"]
    if "displayName" in found:
        out["displayName"] = found["displayName"]
    return {
        **out,
        "deleted": False,
        "href": f"{emulator.catalog_url}/v1{path.rsplit('/', 1)[0]}/{found['id']}",
    }


def domain_ref(emulator: EmulatorHandle, name: str) -> dict[str, Any]:
    entity_id = seed_id("domain", name)
    return {
        "id": entity_id,
        "type": "domain",
        "name": name,
        "fullyQualifiedName": name,
        "displayName": name,
        "deleted": False,
        "href": f"{emulator.catalog_url}/v1/domains/{entity_id}",
    }


# the request


def test_another_content_type_is_a_415(catalog: httpx.Client) -> None:
    # when a patch is sent as plain JSON, or without a content type
    as_json = catalog.patch(
        f"/mlmodels/{CHURN_ID}", json=[{"op": "add", "path": "/description", "value": "x"}]
    )
    bare = catalog.patch(f"/mlmodels/{CHURN_ID}", content=b"[]")

    # then the resource does not take it, and nothing changes
    for response in (as_json, bare):
        assert (response.status_code, response.json()) == (
            415,
            {"code": 415, "message": "HTTP 415 Unsupported Media Type"},
        )
    assert catalog.get(f"/mlmodels/{CHURN_ID}").json()["version"] == 1.1


@pytest.mark.parametrize(
    "body",
    [
        {"op": "add", "path": "/description"},
        [{"path": "/description"}],
        [["add"]],
        "x",
        [{"op": 1, "path": "/a"}],
    ],
)
def test_a_body_that_is_no_array_of_operations_is_invalid(catalog: httpx.Client, body: Any) -> None:
    response = patch(catalog, f"/mlmodels/{CHURN_ID}", body)

    assert (response.status_code, response.json()) == (
        400,
        {"code": 400, "message": "Invalid request format"},
    )


def test_an_unknown_or_deleted_entity_is_not_found(catalog: httpx.Client) -> None:
    unknown = seed_id("mlmodel", "mlflow_prod.nope")
    ops = [{"op": "add", "path": "/description", "value": "x"}]
    catalog.delete(f"/mlmodels/{LEAD_ID}")

    by_id = patch(catalog, f"/mlmodels/{unknown}", ops)
    by_name = patch(catalog, "/tables/name/postgres_shop.shop.public.nope", ops)
    deleted = patch(catalog, f"/mlmodels/{LEAD_ID}", ops)

    assert (by_id.status_code, by_id.json()["message"]) == (
        404,
        f"mlmodel instance for {unknown} not found",
    )
    assert (by_name.status_code, by_name.json()["message"]) == (
        404,
        "table instance for postgres_shop.shop.public.nope not found",
    )
    assert (deleted.status_code, deleted.json()["message"]) == (
        404,
        f"mlmodel instance for {LEAD_ID} not found",
    )


# edits read back exactly


def test_a_description_edit_changes_the_description_alone(catalog: httpx.Client) -> None:
    # given the model as stored
    before = model(catalog, CHURN_ID)

    # when its description is set
    response = patch(
        catalog, f"/mlmodels/{CHURN_ID}", [{"op": "add", "path": "/description", "value": "New."}]
    )

    # then the answer is the entity with every relationship field, one version up, by admin
    after = model(catalog, CHURN_ID)
    assert response.status_code == 200
    assert response.headers["X-OpenMetadata-Change"] == "entityUpdated"
    assert response.json() == after
    assert (after["version"], after["updatedBy"]) == (1.2, "admin")
    change = {
        "fieldsAdded": [],
        "fieldsUpdated": [
            {"name": "description", "oldValue": before["description"], "newValue": "New."}
        ],
        "fieldsDeleted": [],
        "previousVersion": 1.1,
    }
    assert after["changeDescription"] == after["incrementalChangeDescription"] == change
    # and nothing but the description changed
    assert without_volatile(after) == {**without_volatile(before), "description": "New."}


def test_tags_are_added_and_removed(catalog: httpx.Client) -> None:
    before = model(catalog, CHURN_ID)

    # when Tier.Tier1 (index 0) is removed and PII.Sensitive appended
    response = patch(
        catalog,
        f"/mlmodels/{CHURN_ID}",
        [
            {"op": "remove", "path": "/tags/0"},
            {"op": "add", "path": "/tags/-", "value": tag("PII.Sensitive")},
        ],
    )

    # then the labels read back in that order, rendered from their tags
    after = model(catalog, CHURN_ID)
    assert response.status_code == 200
    assert after["tags"] == [before["tags"][1], label(catalog, "PII.Sensitive")]
    assert without_volatile(after) == {**without_volatile(before), "tags": after["tags"]}
    assert after["changeDescription"]["fieldsAdded"][0]["name"] == "tags"
    assert after["changeDescription"]["fieldsDeleted"][0]["name"] == "tags"


def test_owners_are_replaced_added_and_cleared(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    before = model(catalog, LEAD_ID)
    alice = reference(emulator, catalog, f"/users/{ALICE}")
    kevin = reference(emulator, catalog, f"/users/{KEVIN}")

    # when alice is added, then the owners replaced by alice alone, then cleared
    added = patch(
        catalog,
        f"/mlmodels/{LEAD_ID}",
        [{"op": "add", "path": "/owners/-", "value": {"id": ALICE, "type": "user"}}],
    ).json()["owners"]
    replaced = patch(
        catalog,
        f"/mlmodels/{LEAD_ID}",
        [{"op": "replace", "path": "/owners", "value": [{"id": ALICE, "type": "user"}]}],
    ).json()["owners"]
    cleared = patch(
        catalog, f"/mlmodels/{LEAD_ID}", [{"op": "replace", "path": "/owners", "value": []}]
    )

    # then each reads back (by name), and the rest is as it was
    assert added == [alice, kevin]
    assert replaced == [alice]
    after = model(catalog, LEAD_ID)
    assert cleared.json()["owners"] == after["owners"] == []
    assert without_volatile(after) == {**without_volatile(before), "owners": []}


def test_a_domain_is_set_and_the_data_products_follow(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    before = model(catalog, LEAD_ID)

    response = patch(
        catalog,
        f"/mlmodels/{LEAD_ID}",
        [{"op": "add", "path": "/domains", "value": [{"id": FINANCE, "type": "domain"}]}],
    )

    after = model(catalog, LEAD_ID)
    assert response.status_code == 200
    assert after["domains"] == [domain_ref(emulator, "Finance")]
    assert without_volatile(after) == {**without_volatile(before), "domains": after["domains"]}


def test_column_edits_read_back_exactly(catalog: httpx.Client) -> None:
    # given the customers table (column 1 is email, tagged PII.Sensitive)
    before = table(catalog, CUSTOMERS_ID)
    assert before["columns"][1]["name"] == "email"

    # when column 0 gets a new description and column 1 a second tag, and loses its first
    response = patch(
        catalog,
        f"/tables/name/{CUSTOMERS}",
        [
            {"op": "add", "path": "/columns/0/description", "value": "Key."},
            {"op": "add", "path": "/columns/1/tags/-", "value": tag("Subject.Customer")},
            {"op": "remove", "path": "/columns/1/tags/0"},
        ],
    )

    # then exactly those changed
    after = table(catalog, CUSTOMERS_ID)
    assert response.status_code == 200
    assert response.json() == after
    columns = [dict(c) for c in before["columns"]]
    columns[0]["description"] = "Key."
    columns[1]["tags"] = [label(catalog, "Subject.Customer")]
    assert without_volatile(after) == {**without_volatile(before), "columns": columns}
    assert after["changeDescription"] == {
        "fieldsAdded": [
            {
                "name": "columns.email.tags",
                "newValue": '[{"tagFQN":"Subject.Customer","name":"Customer","description":'
                '"Customers, their accounts and their behaviour.","source":"Classification",'
                '"labelType":"Manual","state":"Confirmed"}]',
            }
        ],
        "fieldsUpdated": [
            {
                "name": "columns.customer_id.description",
                "oldValue": "Surrogate key",
                "newValue": "Key.",
            }
        ],
        "fieldsDeleted": [
            {
                "name": "columns.email.tags",
                "oldValue": '[{"tagFQN":"PII.Sensitive","name":"Sensitive","description":'
                '"Personal data whose loss could harm the person.","source":"Classification",'
                '"labelType":"Manual","state":"Confirmed"}]',
            }
        ],
        "previousVersion": 0.2,
    }


def test_a_nested_column_is_edited_by_its_path(catalog: httpx.Client) -> None:
    # given a table with a struct column
    created = catalog.post(
        "/tables",
        json={
            "name": "people",
            "databaseSchema": "postgres_shop.shop.public",
            "columns": [
                {"name": "id", "dataType": "INT"},
                {
                    "name": "address",
                    "dataType": "STRUCT",
                    "children": [
                        {"name": "street", "dataType": "STRING"},
                        {"name": "city", "dataType": "STRING", "tags": [tag("PII.Sensitive")]},
                    ],
                },
            ],
        },
    ).json()
    before = table(catalog, created["id"])

    # when the nested city column is described and retagged
    response = patch(
        catalog,
        f"/tables/{created['id']}",
        [
            {"op": "add", "path": "/columns/1/children/1/description", "value": "Town."},
            {"op": "remove", "path": "/columns/1/children/1/tags/0"},
            {"op": "add", "path": "/columns/1/children/1/tags/-", "value": tag("PII.NonSensitive")},
        ],
    )

    # then that column alone changed, one version up
    after = table(catalog, created["id"])
    assert (response.status_code, after["version"]) == (200, 0.2)
    columns = before["columns"]
    city = columns[1]["children"][1]
    city.update(description="Town.", tags=[label(catalog, "PII.NonSensitive")])
    assert without_volatile(after) == {**without_volatile(before), "columns": columns}
    assert [c["name"] for c in after["changeDescription"]["fieldsAdded"]] == [
        "columns.address.children.city.description",
        "columns.address.children.city.tags",
    ]


def test_a_feature_description_is_edited_by_its_path(catalog: httpx.Client) -> None:
    before = model(catalog, CHURN_ID)

    response = patch(
        catalog,
        f"/mlmodels/{CHURN_ID}",
        [{"op": "add", "path": "/mlFeatures/0/description", "value": "Days as a customer."}],
    )

    after = model(catalog, CHURN_ID)
    assert response.status_code == 200
    features = before["mlFeatures"]
    features[0]["description"] = "Days as a customer."
    assert without_volatile(after) == {**without_volatile(before), "mlFeatures": features}


def test_what_a_patch_cannot_change_is_restored(catalog: httpx.Client) -> None:
    # given the model (followed by alice) and the table as stored
    catalog.put(f"/mlmodels/{CHURN_ID}/followers", json=ALICE)
    before, before_table = model(catalog, CHURN_ID), table(catalog, CUSTOMERS_ID)
    other = seed_id("mlmodel", "other")

    # when a patch rewrites their identity, containers, version and bookkeeping too
    ops = [
        {"op": "replace", "path": "/id", "value": other},
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "replace", "path": "/fullyQualifiedName", "value": "x.renamed"},
        {"op": "replace", "path": "/service/id", "value": other},
        {"op": "replace", "path": "/version", "value": 9.9},
        {"op": "replace", "path": "/updatedAt", "value": 1},
        {"op": "replace", "path": "/updatedBy", "value": "mallory"},
        {"op": "add", "path": "/changeDescription", "value": {}},
        {"op": "remove", "path": "/followers/0"},
        {"op": "replace", "path": "/votes/upVotes", "value": 99},
        {"op": "add", "path": "/description", "value": "Only this."},
    ]
    response = patch(catalog, f"/mlmodels/{CHURN_ID}", ops)
    table_ops = [
        {"op": "replace", "path": "/databaseSchema/id", "value": other},
        {"op": "replace", "path": "/database/name", "value": "other"},
        {"op": "replace", "path": "/service/fullyQualifiedName", "value": "other"},
        {"op": "replace", "path": "/serviceType", "value": "Mysql"},
        {"op": "add", "path": "/description", "value": "Only this."},
    ]
    table_response = patch(catalog, f"/tables/{CUSTOMERS_ID}", table_ops)

    # then the description alone changed, and the version moved on by the usual step
    after, after_table = model(catalog, CHURN_ID), table(catalog, CUSTOMERS_ID)
    assert (response.status_code, table_response.status_code) == (200, 200)
    assert without_volatile(after) == {**without_volatile(before), "description": "Only this."}
    assert (after["version"], after["updatedBy"]) == (1.2, "admin")
    assert without_volatile(after_table) == {
        **without_volatile(before_table),
        "description": "Only this.",
    }


def test_paths_ending_in_href_are_ignored(catalog: httpx.Client) -> None:
    before = model(catalog, CHURN_ID)

    # when a patch changes hrefs only
    response = patch(
        catalog,
        f"/mlmodels/{CHURN_ID}",
        [
            {"op": "replace", "path": "/owners/0/href", "value": "http://elsewhere"},
            {"op": "remove", "path": "/nothing/here/href"},
        ],
    )

    # then nothing changed, and the answer says so
    assert response.status_code == 200
    assert response.headers["X-OpenMetadata-Change"] == "entityNoChange"
    assert model(catalog, CHURN_ID) == before


def test_a_patch_that_changes_nothing_writes_nothing(catalog: httpx.Client) -> None:
    before = model(catalog, CHURN_ID)

    response = patch(
        catalog,
        f"/mlmodels/{CHURN_ID}",
        [
            {"op": "add", "path": "/description", "value": before["description"]},
            {"op": "test", "path": "/tags/0/tagFQN", "value": "Tier.Tier1"},
            {"op": "add", "path": "/tags/-", "value": tag("Tier.Tier1")},
        ],
    )

    assert (response.status_code, response.headers["X-OpenMetadata-Change"]) == (
        200,
        "entityNoChange",
    )
    assert response.json() == before
    assert model(catalog, CHURN_ID) == before
    history = catalog.get(f"/mlmodels/{CHURN_ID}/versions").json()["versions"]
    assert len(history) == 4


def test_deleted_cannot_be_set(catalog: httpx.Client) -> None:
    response = patch(
        catalog, f"/tables/{CUSTOMERS_ID}", [{"op": "replace", "path": "/deleted", "value": True}]
    )

    assert (response.status_code, response.json()) == (
        400,
        {"code": 400, "message": "table attribute deleted can't be modified"},
    )
    assert table(catalog, CUSTOMERS_ID)["deleted"] is False


# patches that cannot apply (the upstream's answer is UNCONFIRMED; the emulator's is a 400)


@pytest.mark.parametrize(
    ("ops", "message"),
    [
        (
            [{"op": "replace", "path": "/nope", "value": 1}],
            "JSON patch replace /nope failed: /nope does not exist",
        ),
        (
            [{"op": "remove", "path": "/tags/5"}],
            "JSON patch remove /tags/5 failed: index 5 is out of range, /tags has 2 items",
        ),
        (
            [{"op": "add", "path": "/tags/3", "value": tag("PII.None")}],
            "JSON patch add /tags/3 failed: index 3 is out of range, /tags has 2 items",
        ),
        (
            [{"op": "add", "path": "/mlFeatures/x/description", "value": "d"}],
            "JSON patch add /mlFeatures/x/description failed: x is not an index of /mlFeatures",
        ),
        (
            [
                {"op": "add", "path": "/description", "value": "first"},
                {"op": "test", "path": "/tags/0/tagFQN", "value": "PII.Sensitive"},
            ],
            "JSON patch test /tags/0/tagFQN failed: the value differs from the tested one",
        ),
        (
            [{"op": "test", "path": "/tags/7/tagFQN", "value": "PII.Sensitive"}],
            "JSON patch test /tags/7/tagFQN failed: index 7 is out of range, /tags has 2 items",
        ),
        (
            [{"op": "move", "from": "/nope", "path": "/description"}],
            "JSON patch move /description failed: from /nope does not exist",
        ),
        (
            [{"op": "frobnicate", "path": "/description"}],
            "JSON patch frobnicate /description failed: unknown operation",
        ),
        ([{"op": "add", "path": "/description"}], "JSON patch add /description failed: no value"),
        ([{"op": "copy", "path": "/description"}], "JSON patch copy /description failed: no from"),
        (
            [{"op": "add", "path": "description", "value": "x"}],
            "JSON patch add description failed: description is not a JSON pointer",
        ),
    ],
)
def test_a_patch_that_cannot_apply_is_a_400_and_writes_nothing(
    catalog: httpx.Client, ops: list[dict[str, Any]], message: str
) -> None:
    before = model(catalog, CHURN_ID)

    response = patch(catalog, f"/mlmodels/{CHURN_ID}", ops)

    assert (response.status_code, response.json()) == (400, {"code": 400, "message": message})
    assert model(catalog, CHURN_ID) == before


# the result must be a valid entity


def rule(name: str, context: str) -> dict[str, Any]:
    return {
        "code": 400,
        "errorType": "RULE_VIOLATION",
        "message": f"Rule [{name}] validation failed: Entity does not satisfy the rule. "
        f"Rule context: {context}",
    }


OWNERSHIP = rule(
    "Multiple Users or Single Team Ownership",
    "Validates that an entity has either multiple owners or a single team as the owner.",
)
DOMAINS = rule(
    "Multiple Domains are not allowed",
    "By default, we only allow entities to be assigned to a single domain, except for Users "
    "and Teams.",
)
ML_PLATFORM = seed_id("team", "ml-platform")
NOBODY = seed_id("user", "nobody")


@pytest.mark.parametrize(
    ("ops", "status", "body"),
    [
        (
            [{"op": "add", "path": "/tags/-", "value": tag("PII.Nope")}],
            404,
            {"code": 404, "message": "tag instance for PII.Nope not found"},
        ),
        (
            [
                {
                    "op": "add",
                    "path": "/tags/-",
                    "value": {**tag("Business.Nope"), "source": "Glossary"},
                }
            ],
            404,
            {"code": 404, "message": "glossaryTerm instance for Business.Nope not found"},
        ),
        (
            [{"op": "add", "path": "/mlFeatures/0/tags/-", "value": tag("PII.Nope")}],
            404,
            {"code": 404, "message": "tag instance for PII.Nope not found"},
        ),
        (
            [
                {"op": "add", "path": "/tags/-", "value": tag("Certification.Gold")},
                {"op": "add", "path": "/tags/-", "value": tag("Certification.Silver")},
            ],
            400,
            {
                "code": 400,
                "message": "Tag labels Certification.Silver and Certification.Gold are mutually "
                "exclusive and can't be assigned together",
            },
        ),
        (
            [{"op": "add", "path": "/owners/-", "value": {"id": NOBODY, "type": "user"}}],
            404,
            {"code": 404, "message": f"user instance for {NOBODY} not found"},
        ),
        (
            [{"op": "add", "path": "/owners", "value": [{"id": MARKETING, "type": "domain"}]}],
            400,
            {
                "code": 400,
                "message": "Entity of type domain can't be the owner. Only Team of type Group "
                "or a User can own entities.",
            },
        ),
        (
            [
                {
                    "op": "add",
                    "path": "/owners",
                    "value": [{"id": KEVIN, "type": "user"}, {"id": ML_PLATFORM, "type": "team"}],
                }
            ],
            400,
            OWNERSHIP,
        ),
        (
            [{"op": "add", "path": "/domains/-", "value": {"id": NOBODY, "type": "domain"}}],
            404,
            {"code": 404, "message": f"domain instance for {NOBODY} not found"},
        ),
        (
            [
                {
                    "op": "add",
                    "path": "/domains",
                    "value": [
                        {"id": MARKETING, "type": "domain"},
                        {"id": FINANCE, "type": "domain"},
                    ],
                }
            ],
            400,
            DOMAINS,
        ),
        (
            [
                {
                    "op": "add",
                    "path": "/dataProducts/-",
                    "value": {
                        "id": seed_id("dataProduct", "CustomerInsights"),
                        "type": "dataProduct",
                    },
                }
            ],
            400,
            {"code": 400, "message": "Domain cannot be empty when data products are provided."},
        ),
        (
            [{"op": "add", "path": "/extension", "value": {"nope": 1}}],
            400,
            {"code": 400, "message": "Unknown custom field nope"},
        ),
        (
            [{"op": "add", "path": "/colour", "value": "red"}],
            400,
            {"code": 400, "message": "Invalid request format"},
        ),
        (
            [{"op": "add", "path": "/description", "value": 7}],
            400,
            {"code": 400, "message": "Invalid request format"},
        ),
        (
            [{"op": "remove", "path": "/mlFeatures/0/name"}],
            400,
            {"code": 400, "message": "[mlFeatures[0].name must not be null]"},
        ),
    ],
)
def test_an_invalid_result_is_refused_and_writes_nothing(
    catalog: httpx.Client, ops: list[dict[str, Any]], status: int, body: dict[str, Any]
) -> None:
    before = model(catalog, LEAD_ID)

    response = patch(catalog, f"/mlmodels/{LEAD_ID}", ops)

    assert (response.status_code, response.json()) == (status, body)
    assert model(catalog, LEAD_ID) == before


def test_a_column_needs_its_sizes_and_a_known_type(catalog: httpx.Client) -> None:
    # customers' column 1 (email) is a VARCHAR(255)
    lost_length = patch(
        catalog, f"/tables/{CUSTOMERS_ID}", [{"op": "remove", "path": "/columns/1/dataLength"}]
    )
    bad_type = patch(
        catalog,
        f"/tables/{CUSTOMERS_ID}",
        [{"op": "replace", "path": "/columns/1/dataType", "value": "TEXTUAL"}],
    )

    assert (lost_length.status_code, lost_length.json()["message"]) == (
        400,
        "For column data types char, varchar, binary, varbinary dataLength must not be null",
    )
    assert (bad_type.status_code, bad_type.json()["message"]) == (400, "Invalid request format")


def test_a_patched_tag_is_what_labels_show(catalog: httpx.Client) -> None:
    # when the admin rewords a tag's description
    response = patch(
        catalog,
        "/tags/name/PII.Sensitive",
        [{"op": "replace", "path": "/description", "value": "Handle with care."}],
    )

    # then the tag and the labels on assets read the new words
    assert (response.status_code, response.json()["version"]) == (200, 0.2)
    labels = table(catalog, CUSTOMERS_ID)["tags"]
    assert [t["description"] for t in labels if t["tagFQN"] == "PII.Sensitive"] == [
        "Handle with care."
    ]
