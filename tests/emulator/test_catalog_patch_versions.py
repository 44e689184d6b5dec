"""Catalog emulator: versions a PATCH makes, the consolidation of one user's edits within ten
minutes (API.md §1), and `If-Match` (SEARCH_LINEAGE_AUTHZ §4.4). The emulator's clock is
frozen and advanced through its knobs, so no test sleeps; it is set after the seed's time
(2025-01-01), as an edit "within ten minutes" of a later change also counts when the clock
reads earlier than that change, as upstream."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import httpx

from gateway.emulator.catalog.seed import seed_id
from tests.conftest import EmulatorHandle
from tests.emulator.catalog import advance_clock, patch, set_clock

T0 = 1_750_000_000_000
ELEVEN_MINUTES = 11 * 60 * 1000
CHURN_ID = seed_id("mlmodel", "mlflow_prod.churn_predictor")


def describe(value: str) -> list[dict[str, Any]]:
    return [{"op": "add", "path": "/description", "value": value}]


def updated(old: str, new: str, previous: float) -> dict[str, Any]:
    return {
        "fieldsAdded": [],
        "fieldsUpdated": [{"name": "description", "oldValue": old, "newValue": new}],
        "fieldsDeleted": [],
        "previousVersion": previous,
    }


def new_model(catalog: httpx.Client, emulator: EmulatorHandle) -> str:
    """A model created by the admin at T0, described `d0`."""
    set_clock(emulator, T0)
    created = catalog.post(
        "/mlmodels", json={"name": "versioned", "service": "mlflow_prod", "description": "d0"}
    )
    model_id: str = created.json()["id"]
    return model_id


def history(catalog: httpx.Client, model_id: str) -> list[dict[str, Any]]:
    versions = catalog.get(f"/mlmodels/{model_id}/versions").json()["versions"]
    return [json.loads(text) for text in versions]


def etag_of(version: str, updated_at: int) -> str:
    return '"' + hashlib.sha256(f"{version}-{updated_at}".encode()).hexdigest()[:16] + '"'


def test_three_edits_past_the_session_make_three_versions(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given a new model (0.1)
    model_id = new_model(catalog, emulator)

    # when the admin edits it three times, eleven minutes apart
    answers = []
    for n in (1, 2, 3):
        advance_clock(emulator, ELEVEN_MINUTES)
        answers.append(patch(catalog, f"/mlmodels/{model_id}", describe(f"d{n}")))

    # then each edit made a version, said what it changed, and is in the history
    assert [a.headers["X-OpenMetadata-Change"] for a in answers] == ["entityUpdated"] * 3
    assert [a.json()["version"] for a in answers] == [0.2, 0.3, 0.4]
    versions = history(catalog, model_id)
    assert [(v["version"], v["description"], v["updatedAt"]) for v in versions] == [
        (0.4, "d3", T0 + 3 * ELEVEN_MINUTES),
        (0.3, "d2", T0 + 2 * ELEVEN_MINUTES),
        (0.2, "d1", T0 + ELEVEN_MINUTES),
        (0.1, "d0", T0),
    ]
    assert [v.get("changeDescription") for v in versions] == [
        updated("d2", "d3", 0.3),
        updated("d1", "d2", 0.2),
        updated("d0", "d1", 0.1),
        None,
    ]
    assert [v.get("incrementalChangeDescription") for v in versions[:3]] == [
        v["changeDescription"] for v in versions[:3]
    ]
    # and each version reads back on its own, with its ETag
    third = catalog.get(f"/mlmodels/{model_id}/versions/0.3")
    assert third.json() == versions[1]
    assert third.headers["ETag"] == etag_of("0.3", T0 + 2 * ELEVEN_MINUTES)


def test_edits_within_the_session_are_consolidated_into_one_version(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given a new model, edited once eleven minutes after its creation (0.2)
    model_id = new_model(catalog, emulator)
    advance_clock(emulator, ELEVEN_MINUTES)
    patch(catalog, f"/mlmodels/{model_id}", describe("d1"))

    # when the same user edits it twice more, a minute apart
    answers = []
    for n in (2, 3):
        advance_clock(emulator, 60_000)
        answers.append(patch(catalog, f"/mlmodels/{model_id}", describe(f"d{n}")))

    # then the edits joined 0.2: its change covers the session, the incremental one the call
    last = answers[-1].json()
    assert [a.json()["version"] for a in answers] == [0.2, 0.2]
    assert [a.headers["X-OpenMetadata-Change"] for a in answers] == ["entityUpdated"] * 2
    assert last["changeDescription"] == updated("d0", "d3", 0.1)
    assert last["incrementalChangeDescription"] == updated("d2", "d3", 0.2)
    assert last["updatedAt"] == T0 + ELEVEN_MINUTES + 120_000
    versions = history(catalog, model_id)
    assert [(v["version"], v["description"]) for v in versions] == [(0.2, "d3"), (0.1, "d0")]


def test_the_first_edit_of_a_new_entity_is_never_consolidated(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given a new model (0.1) created by the admin a second ago
    model_id = new_model(catalog, emulator)
    advance_clock(emulator, 1_000)

    # when the admin edits it twice at once
    first = patch(catalog, f"/mlmodels/{model_id}", describe("d1")).json()
    second = patch(catalog, f"/mlmodels/{model_id}", describe("d2")).json()

    # then the first made 0.2, the second joined it
    assert (first["version"], second["version"]) == (0.2, 0.2)
    assert second["changeDescription"] == updated("d0", "d2", 0.1)


def test_another_users_edit_is_not_consolidated(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    model_id = new_model(catalog, emulator)
    patch(catalog, f"/mlmodels/{model_id}", describe("d1"))

    # when bob (a data consumer may edit descriptions) edits right after the admin
    bobs = patch(catalog, f"/mlmodels/{model_id}", describe("d2"), emulator.headers("bob"))

    # then his edit is a version of its own
    assert (bobs.json()["version"], bobs.json()["updatedBy"]) == (0.3, "bob")
    assert bobs.json()["changeDescription"] == updated("d1", "d2", 0.2)


def test_a_breaking_edit_in_the_session_jumps_from_the_version_before_it(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given a model edited once (0.2)
    model_id = new_model(catalog, emulator)
    patch(catalog, f"/mlmodels/{model_id}", describe("d1"))

    # when the same user changes its algorithm within the session
    answer = patch(
        catalog,
        f"/mlmodels/{model_id}",
        [{"op": "replace", "path": "/algorithm", "value": "XGBoost"}],
    ).json()

    # then the session is one breaking change from 0.1: 1.0, and 0.2 is gone
    assert answer["version"] == 1.0
    assert answer["changeDescription"] == {
        "fieldsAdded": [],
        "fieldsUpdated": [
            {"name": "description", "oldValue": "d0", "newValue": "d1"},
            {"name": "algorithm", "oldValue": "mlmodel", "newValue": "XGBoost"},
        ],
        "fieldsDeleted": [],
        "previousVersion": 0.1,
    }
    assert [v["version"] for v in history(catalog, model_id)] == [1.0, 0.1]
    assert catalog.get(f"/mlmodels/{model_id}/versions/0.2").json() == {
        "code": 404,
        "message": f"mlmodel instance for {model_id} and version 0.2 not found",
    }


def test_an_edit_undoing_the_session_goes_back_to_the_version_before_it(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given a model edited once (0.2) by the admin
    model_id = new_model(catalog, emulator)
    original = catalog.get(f"/mlmodels/{model_id}").json()
    advance_clock(emulator, ELEVEN_MINUTES)
    patch(catalog, f"/mlmodels/{model_id}", describe("d1"))

    # when the admin sets the description back within the session
    advance_clock(emulator, 60_000)
    answer = patch(catalog, f"/mlmodels/{model_id}", describe("d0"))

    # then the model is 0.1 again, as created, and 0.2 is forgotten
    assert answer.headers["X-OpenMetadata-Change"] == "entityUpdated"
    back = catalog.get(f"/mlmodels/{model_id}")
    assert {**back.json(), "incrementalChangeDescription": None} == {
        **original,
        "incrementalChangeDescription": None,
    }
    assert back.json()["incrementalChangeDescription"] == updated("d1", "d0", 0.2)
    assert back.headers["ETag"] == etag_of("0.1", T0)
    assert [v["version"] for v in history(catalog, model_id)] == [0.1]


def test_put_never_consolidates(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    model_id = new_model(catalog, emulator)
    patch(catalog, f"/mlmodels/{model_id}", describe("d1"))

    put = catalog.put(
        "/mlmodels", json={"name": "versioned", "service": "mlflow_prod", "description": "d2"}
    )

    assert (put.json()["id"], put.json()["version"]) == (model_id, 0.3)


# If-Match


def test_if_match_takes_the_etag_star_a_list_or_the_weak_version(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given the seeded model at 1.1 and its ETag
    set_clock(emulator, T0)
    current = catalog.get(f"/mlmodels/{CHURN_ID}").headers["ETag"]

    # when it is patched with each form that matches, the ETag read again each time
    forms: list[Callable[[str], str]] = [
        lambda etag: etag,
        lambda etag: "*",
        lambda etag: f'"0000000000000000", {etag}',
        lambda etag: 'W/"1.2"',
    ]
    answers = []
    for form in forms:
        if_match = form(current)
        answers.append(
            patch(catalog, f"/mlmodels/{CHURN_ID}", describe(if_match), {"If-Match": if_match})
        )
        current = catalog.get(f"/mlmodels/{CHURN_ID}").headers["ETag"]

    # then each applied (a write answers no ETag), the admin's session kept at 1.2
    assert [a.status_code for a in answers] == [200] * 4
    assert [a.headers.get("ETag") for a in answers] == [None] * 4
    assert catalog.get(f"/mlmodels/{CHURN_ID}").json()["description"] == 'W/"1.2"'


def test_a_stale_if_match_is_a_412_and_writes_nothing(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given the ETag of the seeded model, then bob's edit of it
    set_clock(emulator, T0)
    stale = catalog.get(f"/mlmodels/{CHURN_ID}").headers["ETag"]
    patch(catalog, f"/mlmodels/{CHURN_ID}", describe("Bob's."), emulator.headers("bob"))
    before = catalog.get(f"/mlmodels/{CHURN_ID}")

    # when the admin patches with the stale ETag, or with a weak one of the old version
    answers = [
        patch(catalog, f"/mlmodels/{CHURN_ID}", describe("Mine."), {"If-Match": stale}),
        patch(catalog, f"/mlmodels/{CHURN_ID}", describe("Mine."), {"If-Match": 'W/"1.1"'}),
    ]

    # then both are refused with the current ETag, and bob's edit stands
    current = etag_of("1.2", T0)
    assert before.headers["ETag"] == current
    for answer in answers:
        assert (answer.status_code, answer.json()) == (
            412,
            {
                "code": 412,
                "message": f"The entity has been modified. Current ETag: {current}. Please "
                "refresh and retry with the latest version.",
            },
        )
        assert answer.headers["WWW-Authenticate"] == "om-auth"
    assert catalog.get(f"/mlmodels/{CHURN_ID}").json() == before.json()


def test_without_if_match_the_last_write_wins(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    patch(catalog, f"/mlmodels/{CHURN_ID}", describe("Bob's."), emulator.headers("bob"))

    mine = patch(catalog, f"/mlmodels/{CHURN_ID}", describe("Mine."))

    assert mine.status_code == 200
    assert catalog.get(f"/mlmodels/{CHURN_ID}").json()["description"] == "Mine."


def test_a_column_edit_with_if_match_is_applied(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # (1.13 dropped nested column changes of a PATCH sent with If-Match; the emulator does not)
    customers = seed_id("table", "postgres_shop.shop.public.customers")
    current = catalog.get(f"/tables/{customers}").headers["ETag"]

    answer = patch(
        catalog,
        f"/tables/{customers}",
        [{"op": "add", "path": "/columns/0/description", "value": "Key."}],
        {"If-Match": current},
    )

    assert answer.status_code == 200
    assert answer.json()["columns"][0]["description"] == "Key."
