"""Catalog emulator: classifications and tags (`/v1/classifications`, `/v1/tags`), and the
rules tag labels follow (the tag must exist, mutually exclusive classifications)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.emulator.catalog.seed import SEED_EPOCH_MS, SEED_TAG_FQNS, seed_id
from tests.conftest import EmulatorHandle
from tests.emulator.catalog import set_clock, tag

T0 = 1_714_000_000_000
CLASSIFICATIONS = [
    "Certification", "Compliance", "DataQuality", "Lifecycle", "PII", "PersonalData", "Subject",
    "Tier",
]  # fmt: skip


def href(emulator: EmulatorHandle, collection: str, entity_id: str) -> str:
    return f"{emulator.catalog_url}/v1/{collection}/{entity_id}"


def classification_ref(emulator: EmulatorHandle, name: str) -> dict[str, Any]:
    entity_id = seed_id("classification", name)
    return {
        "id": entity_id,
        "type": "classification",
        "name": name,
        "fullyQualifiedName": name,
        "deleted": False,
        "href": href(emulator, "classifications", entity_id),
    }


def test_the_seeded_classifications_list_by_name(catalog: httpx.Client) -> None:
    response = catalog.get("/classifications", params={"limit": 100})

    assert response.status_code == 200
    assert [c["name"] for c in response.json()["data"]] == CLASSIFICATIONS
    assert response.json()["paging"] == {"total": 8}


def test_a_classification_by_name(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    response = catalog.get("/classifications/name/Tier", params={"fields": "termCount"})

    assert response.status_code == 200
    assert response.json() == {
        "id": seed_id("classification", "Tier"),
        "name": "Tier",
        "fullyQualifiedName": "Tier",
        "disabled": False,
        "description": "Business importance of a data asset, from Tier1 (critical) to Tier5 "
        "(unused).",
        "provider": "system",
        "mutuallyExclusive": True,
        "version": 0.1,
        "updatedAt": SEED_EPOCH_MS,
        "updatedBy": "admin",
        "href": href(emulator, "classifications", seed_id("classification", "Tier")),
        "deleted": False,
        "termCount": 5,
    }


def test_the_seeded_tags(catalog: httpx.Client) -> None:
    # when every tag is listed
    response = catalog.get("/tags", params={"limit": 1000})

    # then the 33 seeded ones come, ordered by name
    data = response.json()["data"]
    assert len(SEED_TAG_FQNS) == 33
    assert response.json()["paging"] == {"total": 33}
    assert sorted(t["fullyQualifiedName"] for t in data) == sorted(SEED_TAG_FQNS)
    assert [t["name"] for t in data] == sorted(t["name"] for t in data)


def test_tags_list_by_parent_with_paging(catalog: httpx.Client) -> None:
    # when the Tier tags are listed two at a time
    first = catalog.get("/tags", params={"parent": "Tier", "limit": 2}).json()
    second = catalog.get(
        "/tags", params={"parent": "Tier", "limit": 2, "after": first["paging"]["after"]}
    ).json()

    # then they come in order, five in all
    assert [t["fullyQualifiedName"] for t in first["data"]] == ["Tier.Tier1", "Tier.Tier2"]
    assert [t["fullyQualifiedName"] for t in second["data"]] == ["Tier.Tier3", "Tier.Tier4"]
    assert first["paging"]["total"] == 5
    # and a parent names a classification exactly
    assert catalog.get("/tags", params={"parent": "tier"}).json()["paging"] == {"total": 0}


def test_a_tag_by_name(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    response = catalog.get("/tags/name/Tier.Tier1", params={"fields": "children,owners"})

    assert response.status_code == 200
    assert response.json() == {
        "id": seed_id("tag", "Tier.Tier1"),
        "name": "Tier1",
        "fullyQualifiedName": "Tier.Tier1",
        "classification": classification_ref(emulator, "Tier"),
        "deprecated": False,
        "disabled": False,
        "description": "Critical source of truth, business-wide.",
        "style": {"color": "#F5222D"},
        "provider": "system",
        "mutuallyExclusive": False,
        "autoClassificationEnabled": False,
        "autoClassificationPriority": 50,
        "version": 0.1,
        "updatedAt": SEED_EPOCH_MS,
        "updatedBy": "admin",
        "href": href(emulator, "tags", seed_id("tag", "Tier.Tier1")),
        "deleted": False,
        "owners": [],
        "children": [],
    }


def test_a_label_links_to_its_tag(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    table = catalog.get(
        f"/tables/name/{'postgres_shop.shop.public.orders'}", params={"fields": "tags"}
    ).json()

    assert table["tags"] == [
        {
            "tagFQN": "Tier.Tier1",
            "name": "Tier1",
            "description": "Critical source of truth, business-wide.",
            "style": {"color": "#F5222D"},
            "source": "Classification",
            "labelType": "Manual",
            "state": "Confirmed",
            "href": href(emulator, "tags", seed_id("tag", "Tier.Tier1")),
        }
    ]


def test_an_admin_creates_a_classification_and_tags_under_it(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given the clock at T0
    set_clock(emulator, T0)

    # when a classification is created, then a tag in it and a tag under that tag
    created = catalog.post(
        "/classifications",
        json={
            "name": "Retention",
            "description": "How long data is kept.",
            "mutuallyExclusive": True,
        },
    )
    short = catalog.post(
        "/tags",
        json={"name": "Short", "classification": "Retention", "description": "Under a year."},
    )
    nested = catalog.post(
        "/tags", json={"name": "Days30", "parent": "Retention.Short", "description": "30 days."}
    )

    # then each is created by the admin at T0, and the tags hang off their parents
    assert created.status_code == 201
    classification_id = created.json()["id"]
    assert created.headers["Location"] == href(emulator, "classifications", classification_id)
    assert created.json() == {
        "id": classification_id,
        "name": "Retention",
        "fullyQualifiedName": "Retention",
        "disabled": False,
        "description": "How long data is kept.",
        "provider": "user",
        "mutuallyExclusive": True,
        "version": 0.1,
        "updatedAt": T0,
        "updatedBy": "admin",
        "href": href(emulator, "classifications", classification_id),
        "deleted": False,
    }
    assert short.status_code == 201
    assert (nested.status_code, nested.json()["fullyQualifiedName"]) == (
        201,
        "Retention.Short.Days30",
    )
    short_ref = {
        "id": short.json()["id"],
        "type": "tag",
        "name": "Short",
        "fullyQualifiedName": "Retention.Short",
        "deleted": False,
        "href": href(emulator, "tags", short.json()["id"]),
    }
    assert nested.json()["parent"] == short_ref
    assert nested.json()["classification"]["id"] == classification_id
    # and the classification counts both, the parent lists its child, `parent` filters
    counted = catalog.get("/classifications/name/Retention", params={"fields": "termCount"})
    assert counted.json()["termCount"] == 2
    children = catalog.get("/tags/name/Retention.Short", params={"fields": "children"}).json()
    assert [c["fullyQualifiedName"] for c in children["children"]] == ["Retention.Short.Days30"]
    under = catalog.get("/tags", params={"parent": "Retention.Short"}).json()["data"]
    assert [t["fullyQualifiedName"] for t in under] == ["Retention.Short.Days30"]


def test_a_created_tag_can_label_an_asset(catalog: httpx.Client) -> None:
    catalog.post("/classifications", json={"name": "Retention", "description": "r"})
    catalog.post("/tags", json={"name": "Long", "classification": "Retention", "description": "l"})

    created = catalog.post(
        "/mlmodels",
        json={"name": "kept", "service": "mlflow_prod", "tags": [tag("Retention.Long")]},
    )

    assert created.status_code == 201
    assert [t["tagFQN"] for t in created.json()["tags"]] == ["Retention.Long"]


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        (
            "/tags",
            {"name": "X", "classification": "Nope", "description": "d"},
            404,
            "classification instance for Nope not found",
        ),
        (
            "/tags",
            {"name": "X", "parent": "Tier.Nope", "description": "d"},
            404,
            "tag instance for Tier.Nope not found",
        ),
        ("/tags", {"name": "Tier1", "classification": "Tier", "description": "d"}, 409, None),
        ("/classifications", {"name": "PII", "description": "d"}, 409, None),
        ("/tags", {"name": "X", "classification": "Tier"}, 400, "[description must not be null]"),
        ("/tags", {"name": "X", "description": "d"}, 400, "[classification must not be null]"),
        ("/classifications", {"description": "d"}, 400, "[name must not be null]"),
        (
            "/tags",
            {
                "name": "X",
                "classification": "Tier",
                "description": "d",
                "autoClassificationPriority": 101,
            },
            400,
            "[autoClassificationPriority must be less than or equal to 100]",
        ),
    ],
)
def test_creation_errors(
    catalog: httpx.Client, path: str, body: dict[str, Any], status: int, message: str | None
) -> None:
    response = catalog.post(path, json=body)

    expected = "Entity already exists" if status == 409 else message
    assert (response.status_code, response.json()) == (
        status,
        {"code": status, "message": expected},
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/classifications", {"name": "Mine", "description": "d"}),
        ("/tags", {"name": "Mine", "classification": "Tier", "description": "d"}),
    ],
)
def test_creation_needs_create(
    catalog: httpx.Client, emulator: EmulatorHandle, path: str, body: dict[str, Any]
) -> None:
    response = catalog.post(path, json=body, headers=emulator.headers("bob"))

    assert (response.status_code, response.json()) == (
        403,
        {
            "code": 403,
            "message": "Principal: CatalogPrincipal{name='bob'} operations [Create] not allowed",
        },
    )


def test_two_tags_of_a_mutually_exclusive_classification_are_refused(
    catalog: httpx.Client,
) -> None:
    # when a model is created with two tiers, or two PII tags on a feature
    two_tiers = catalog.post(
        "/mlmodels",
        json={
            "name": "m",
            "service": "mlflow_prod",
            "tags": [tag("Tier.Tier1"), tag("Tier.Tier2")],
        },
    )
    feature = {"name": "f", "tags": [tag("PII.None"), tag("PII.Sensitive")]}
    two_pii = catalog.post(
        "/mlmodels", json={"name": "m", "service": "mlflow_prod", "mlFeatures": [feature]}
    )
    # while two tags of a classification that is not exclusive are fine
    two_subjects = catalog.post(
        "/mlmodels",
        json={
            "name": "m",
            "service": "mlflow_prod",
            "tags": [tag("Subject.Customer"), tag("Subject.Finance")],
        },
    )

    # then the later label is named first, as the upstream does
    assert (two_tiers.status_code, two_tiers.json()["message"]) == (
        400,
        "Tag labels Tier.Tier2 and Tier.Tier1 are mutually exclusive and can't be assigned "
        "together",
    )
    assert (two_pii.status_code, two_pii.json()["message"]) == (
        400,
        "Tag labels PII.Sensitive and PII.None are mutually exclusive and can't be assigned "
        "together",
    )
    assert two_subjects.status_code == 201


def test_a_put_cannot_merge_a_second_tier_into_an_asset(catalog: httpx.Client) -> None:
    # given a model tiered Tier1
    body = {"name": "tiered", "service": "mlflow_prod", "tags": [tag("Tier.Tier1")]}
    catalog.post("/mlmodels", json=body)

    # when a PUT adds Tier2 (PUT merges tags, so both would be kept)
    response = catalog.put("/mlmodels", json={**body, "tags": [tag("Tier.Tier2")]})

    # then it is refused
    assert (response.status_code, response.json()["message"]) == (
        400,
        "Tag labels Tier.Tier2 and Tier.Tier1 are mutually exclusive and can't be assigned "
        "together",
    )


def test_a_deleted_tag_no_longer_labels(catalog: httpx.Client) -> None:
    # given a tag soft deleted
    deleted = catalog.delete(f"/tags/{seed_id('tag', 'Lifecycle.Retired')}")
    assert deleted.status_code == 200

    # when a model is labelled with it
    response = catalog.post(
        "/mlmodels",
        json={"name": "late", "service": "mlflow_prod", "tags": [tag("Lifecycle.Retired")]},
    )

    # then the tag is not found, until it is restored
    assert (response.status_code, response.json()["message"]) == (
        404,
        "tag instance for Lifecycle.Retired not found",
    )
    catalog.put("/tags/restore", json={"id": seed_id("tag", "Lifecycle.Retired")})
    again = catalog.post(
        "/mlmodels",
        json={"name": "late", "service": "mlflow_prod", "tags": [tag("Lifecycle.Retired")]},
    )
    assert again.status_code == 201


def test_a_classification_with_tags_is_deleted_only_recursively(catalog: httpx.Client) -> None:
    plain = catalog.delete("/classifications/name/Compliance")
    recursive = catalog.delete("/classifications/name/Compliance", params={"recursive": "true"})

    assert (plain.status_code, plain.json()["message"]) == (400, "classification is not empty")
    assert recursive.status_code == 200
    assert catalog.get("/tags/name/Compliance.GDPR").status_code == 404
