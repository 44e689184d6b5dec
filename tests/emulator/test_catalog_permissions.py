"""Catalog emulator: OpenMetadata's permissions (roles, teams, default policies) per endpoint.

Seeded owners used here: `mlflow_prod.customer_ltv` is carol's alone,
`mlflow_prod.product_recommender` david's and the `data-engineering` team's (farah is a
member), `mlflow_prod.churn_predictor_prod` bob's. lena is the data steward; admin is admin.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.emulator.catalog.errors import CatalogError
from gateway.emulator.catalog.policies import DEFAULT_POLICIES, Rule, Subject
from gateway.emulator.catalog.seed import SEED_DATA_STEWARD, seed_id
from tests.conftest import EmulatorHandle

LTV = "mlflow_prod.customer_ltv"
LTV_ID = seed_id("mlmodel", LTV)
RECOMMENDER = "mlflow_prod.product_recommender"
CAROL = seed_id("user", "carol")


def refused(who: str, operations: str) -> dict[str, Any]:
    principal = f"Principal: CatalogPrincipal{{name='{who}'}}"
    return {"code": 403, "message": f"{principal} operations [{operations}] not allowed"}


def model(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "service": "mlflow_prod", **extra}


def put_as(catalog: httpx.Client, emulator: EmulatorHandle, user: str, body: Any) -> httpx.Response:
    return catalog.put("/mlmodels", json=body, headers=emulator.headers(user))


def test_a_plain_user_may_not_create(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    # when bob, a plain user, creates a model
    response = catalog.post("/mlmodels", json=model("bobs"), headers=emulator.headers("bob"))

    # then Create is not allowed, with the upstream's body and header, and nothing is stored
    assert response.status_code == 403
    assert response.json() == refused("bob", "Create")
    assert response.headers["WWW-Authenticate"] == "om-auth"
    assert catalog.get("/mlmodels/name/mlflow_prod.bobs").status_code == 404


def test_a_put_that_creates_needs_create(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    response = put_as(catalog, emulator, "bob", model("bobs"))

    assert (response.status_code, response.json()) == (403, refused("bob", "Create"))


def test_a_plain_user_may_not_edit_what_they_do_not_own(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # when bob PUTs carol's model
    response = put_as(catalog, emulator, "bob", model("customer_ltv", description="mine"))

    # then EditAll is not allowed and the model is unchanged
    assert (response.status_code, response.json()) == (403, refused("bob", "EditAll"))
    assert response.headers["WWW-Authenticate"] == "om-auth"
    assert catalog.get(f"/mlmodels/{LTV_ID}").json()["description"] != "mine"


def test_the_owner_may_edit(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    # when carol PUTs her own model
    response = put_as(catalog, emulator, "carol", model("customer_ltv", description="mine"))

    # then it is updated by her
    assert response.status_code == 200
    assert (response.json()["description"], response.json()["updatedBy"]) == ("mine", "carol")


def test_a_member_of_an_owning_team_may_edit(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # when farah, of data-engineering, PUTs a model data-engineering owns
    response = put_as(catalog, emulator, "farah", model("product_recommender", target="y"))

    # then her team's ownership lets her
    assert response.status_code == 200
    assert response.json()["updatedBy"] == "farah"
    # while a member of another team may not
    other = put_as(catalog, emulator, "alice", model("product_recommender", target="z"))
    assert (other.status_code, other.json()) == (403, refused("alice", "EditAll"))


def test_the_admin_may_create_and_edit(catalog: httpx.Client) -> None:
    created = catalog.post("/mlmodels", json=model("admins"))
    updated = catalog.put("/mlmodels", json=model("customer_ltv", description="admin's"))

    assert (created.status_code, updated.status_code) == (201, 200)


def test_the_data_steward_has_no_edit_all(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    # given lena holds the DataSteward role
    lena = catalog.get(f"/users/name/{SEED_DATA_STEWARD}", params={"fields": "roles"}).json()
    assert [(r["type"], r["name"]) for r in lena["roles"]] == [("role", "DataSteward")]

    # when she PUTs a model she does not own
    response = put_as(catalog, emulator, SEED_DATA_STEWARD, model("customer_ltv"))

    # then a PUT needs EditAll, which stewards do not have
    assert (response.status_code, response.json()) == (403, refused("lena", "EditAll"))


def test_bulk_refuses_item_by_item(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    # given bob's batch: his own model, carol's model, a new one
    items = [model("churn_predictor_prod"), model("customer_ltv"), model("bobs")]

    # when he sends it
    response = catalog.put("/mlmodels/bulk", json=items, headers=emulator.headers("bob"))

    # then his own model passes and each refused item is a 403 entry with its request
    assert response.status_code == 200
    assert response.json() == {
        "status": "partialSuccess",
        "numberOfRowsProcessed": 3,
        "numberOfRowsPassed": 1,
        "numberOfRowsFailed": 2,
        "successRequest": [{"request": "mlflow_prod.churn_predictor_prod", "status": 200}],
        "failedRequest": [
            {
                "request": items[1],
                "message": "Permission denied: Principal: CatalogPrincipal{name='bob'} "
                "operations [EditAll] not allowed",
                "status": 403,
            },
            {
                "request": items[2],
                "message": "Permission denied: Principal: CatalogPrincipal{name='bob'} "
                "operations [Create] not allowed",
                "status": 403,
            },
        ],
    }
    assert catalog.get("/mlmodels/name/mlflow_prod.bobs").status_code == 404


def test_following_for_another_user_and_voting_need_no_permission(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # when bob makes carol follow a model he does not own, then votes on it
    follow = catalog.put(
        f"/mlmodels/{LTV_ID}/followers", json=CAROL, headers=emulator.headers("bob")
    )
    vote = catalog.put(
        f"/mlmodels/{LTV_ID}/vote",
        json={"updatedVoteType": "votedUp"},
        headers=emulator.headers("bob"),
    )

    # then both are done: carol follows it and bob is among the up-voters
    assert (follow.status_code, vote.status_code) == (200, 200)
    read = catalog.get(f"/mlmodels/{LTV_ID}", params={"fields": "followers,votes"}).json()
    assert "carol" in [f["name"] for f in read["followers"]]
    assert "bob" in [v["name"] for v in read["votes"]["upVoters"]]
    unfollow = catalog.delete(
        f"/mlmodels/{LTV_ID}/followers/{CAROL}", headers=emulator.headers("bob")
    )
    assert unfollow.status_code == 200


def test_delete_needs_delete(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    # when bob deletes carol's model, then carol does
    refused_delete = catalog.delete(f"/mlmodels/{LTV_ID}", headers=emulator.headers("bob"))
    deleted = catalog.delete(f"/mlmodels/{LTV_ID}", headers=emulator.headers("carol"))

    # then only the owner may
    assert (refused_delete.status_code, refused_delete.json()) == (403, refused("bob", "Delete"))
    assert deleted.status_code == 200
    assert deleted.json()["deleted"] is True


def test_restore_needs_edit_all(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    # given carol's model soft deleted
    catalog.delete(f"/mlmodels/{LTV_ID}").raise_for_status()

    # when bob restores it, then carol does
    body = {"id": LTV_ID}
    by_bob = catalog.put("/mlmodels/restore", json=body, headers=emulator.headers("bob"))
    by_carol = catalog.put("/mlmodels/restore", json=body, headers=emulator.headers("carol"))

    # then only the owner may
    assert (by_bob.status_code, by_bob.json()) == (403, refused("bob", "EditAll"))
    assert (by_carol.status_code, by_carol.json()["deleted"]) == (200, False)


@pytest.mark.parametrize(
    ("path", "body", "operations"),
    [
        (
            "/tables",
            {"name": "t", "databaseSchema": "postgres_shop.shop.public", "columns": []},
            "Create",
        ),
        ("/databases", {"name": "d", "service": "postgres_shop"}, "Create"),
        ("/databaseSchemas", {"name": "s", "database": "postgres_shop.shop"}, "Create"),
        ("/services/databaseServices", {"name": "pg2", "serviceType": "Postgres"}, "Create"),
        ("/services/mlmodelServices", {"name": "ml2", "serviceType": "Sklearn"}, "Create"),
        ("/services/mlmodelServices", {"name": "sklearn_lab", "serviceType": "Sklearn"}, "EditAll"),
    ],
)
def test_every_kind_is_guarded(
    catalog: httpx.Client, emulator: EmulatorHandle, path: str, body: Any, operations: str
) -> None:
    response = catalog.put(path, json=body, headers=emulator.headers("bob"))

    assert (response.status_code, response.json()) == (403, refused("bob", operations))


def test_a_table_owner_may_edit_it(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    # given orders, owned by david
    table = catalog.get("/tables/name/postgres_shop.shop.public.orders").json()
    body: dict[str, Any] = {"name": "orders", "databaseSchema": "postgres_shop.shop.public"}
    kept = ("name", "dataType", "dataLength")
    body["columns"] = [{k: c[k] for k in kept if k in c} for c in table["columns"]]

    # when david and then bob PUT it
    by_david = catalog.put("/tables", json=body, headers=emulator.headers("david"))
    by_bob = catalog.put("/tables", json=body, headers=emulator.headers("bob"))

    # then only the owner may
    assert by_david.status_code == 200
    assert (by_bob.status_code, by_bob.json()) == (403, refused("bob", "EditAll"))


def test_creating_a_user_is_for_admins(catalog: httpx.Client, emulator: EmulatorHandle) -> None:
    body = {"name": "zoe", "email": "zoe@example.com"}

    by_bob = catalog.post("/users", json=body, headers=emulator.headers("bob"))
    by_admin = catalog.post("/users", json=body)

    assert by_bob.status_code == 403
    assert by_bob.json() == {
        "code": 403,
        "message": "Principal: CatalogPrincipal{name='bob'} is not admin",
    }
    assert by_admin.status_code == 201


def test_a_user_may_edit_their_own_record_only(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    body = {"name": "carol", "email": "carol.smith@example.com", "displayName": "Caro"}

    by_carol = catalog.put("/users", json=body, headers=emulator.headers("carol"))
    by_bob = catalog.put("/users", json=body, headers=emulator.headers("bob"))
    to_admin = catalog.put(
        "/users", json={**body, "isAdmin": True}, headers=emulator.headers("carol")
    )

    assert (by_carol.status_code, by_carol.json()["displayName"]) == (200, "Caro")
    assert (by_bob.status_code, by_bob.json()) == (403, refused("bob", "EditAll"))
    assert to_admin.json() == {
        "code": 403,
        "message": "Principal: CatalogPrincipal{name='carol'} is not admin",
    }


MALLORY_NOT_FOUND = {"code": 404, "message": "user instance for mallory not found"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/mlmodels", None),
        ("GET", f"/mlmodels/{LTV_ID}", None),
        ("GET", "/users/loggedInUser", None),
        ("PUT", "/mlmodels", model("customer_ltv")),
        ("POST", "/mlmodels", model("mallorys")),
        ("PUT", "/mlmodels/bulk", [model("mallorys")]),
        ("DELETE", f"/mlmodels/{LTV_ID}", None),
        ("PUT", "/mlmodels/restore", {"id": LTV_ID}),
        ("PUT", f"/mlmodels/{LTV_ID}/vote", {"updatedVoteType": "votedUp"}),
    ],
)
def test_a_principal_with_no_user_is_not_found(
    emulator: EmulatorHandle, method: str, path: str, body: Any
) -> None:
    # when mallory, whose JWT is valid but who is no user, calls
    response = httpx.request(
        method,
        f"{emulator.catalog_url}/v1{path}",
        json=body,
        headers=emulator.headers("mallory"),
    )

    # then her subject cannot be built
    assert (response.status_code, response.json()) == (404, MALLORY_NOT_FOUND)
    assert response.headers["WWW-Authenticate"] == "om-auth"


def test_a_principal_with_no_user_may_follow_and_unfollow(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    mallory = emulator.headers("mallory")

    follow = catalog.put(f"/mlmodels/{LTV_ID}/followers", json=CAROL, headers=mallory)
    unfollow = catalog.delete(f"/mlmodels/{LTV_ID}/followers/{CAROL}", headers=mallory)

    assert (follow.status_code, unfollow.status_code) == (200, 200)
    assert follow.json()["userName"] == "mallory"


def test_a_soft_deleted_voter_is_a_bad_request(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given carol soft deleted
    catalog.delete(f"/users/{CAROL}").raise_for_status()

    # when she votes
    response = catalog.put(
        f"/mlmodels/{LTV_ID}/vote",
        json={"updatedVoteType": "votedUp"},
        headers=emulator.headers("carol"),
    )

    # then the voter lookup finds her deleted
    assert (response.status_code, response.json()) == (
        400,
        {"code": 400, "message": f"User {CAROL} is deleted"},
    )


def test_a_missing_token_is_still_401(emulator: EmulatorHandle) -> None:
    response = httpx.get(f"{emulator.catalog_url}/v1/mlmodels/{LTV_ID}")

    assert (response.status_code, response.json()) == (
        401,
        {"code": 401, "message": "Not Authorized! Token not present"},
    )


def test_granted_roles_take_effect_without_a_restart(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given bob was refused once (his permissions are now compiled and kept)
    assert put_as(catalog, emulator, "bob", model("customer_ltv")).status_code == 403

    # when the admin makes bob an owner of the model
    owners = [{"id": seed_id("user", "bob"), "type": "user"}]
    catalog.put("/mlmodels", json=model("customer_ltv", owners=owners)).raise_for_status()

    # then his next PUT is allowed
    assert put_as(catalog, emulator, "bob", model("customer_ltv")).status_code == 200


# The evaluation itself, on hand-made subjects.


def _rules(policy: str, rules: list[dict[str, Any]], source: str = "role R") -> tuple[Rule, ...]:
    return tuple(Rule.of(rule, policy, source) for rule in rules)


def _plain(*extra: Rule) -> Subject:
    rules = [
        *_rules("OrganizationPolicy", DEFAULT_POLICIES["OrganizationPolicy"], "team Organization"),
        *_rules("DataConsumerPolicy", DEFAULT_POLICIES["DataConsumerPolicy"]),
        *extra,
    ]
    return Subject(name="bob", user_id="u-bob", teams=frozenset({"t-a"}), rules=tuple(rules))


def _message(subject: Subject, operations: tuple[str, ...], owners: tuple[str, ...]) -> str:
    with pytest.raises(CatalogError) as refused_call:
        subject.authorize("mlmodel", operations, owners)
    assert refused_call.value.status == 403
    return refused_call.value.message


def test_edit_all_and_view_all_cover_their_families() -> None:
    bob = _plain()
    # owners (through a team) get every Edit* and View* and Delete, not Create
    bob.authorize("mlmodel", ("EditDisplayName", "EditLineage", "ViewUsage", "Delete"), ("t-a",))
    assert _message(bob, ("Create",), ("t-a",)).endswith("operations [Create] not allowed")
    # others get the consumer's edits and views only, listed when missing
    bob.authorize("mlmodel", ("EditDescription", "EditTags", "ViewBasic"), ("u-carol",))
    assert _message(bob, ("EditDescription", "EditDisplayName", "EditLineage"), ("u-carol",)) == (
        "Principal: CatalogPrincipal{name='bob'} operations [EditDisplayName, EditLineage] "
        "not allowed"
    )
    # an unowned entity lets anyone set its owners, an owned one does not
    bob.authorize("mlmodel", ("EditOwners",), ())
    assert _message(bob, ("EditOwners",), ("u-carol",)).endswith("[EditOwners] not allowed")


def test_deny_rules_win_over_allow_rules() -> None:
    deny = _rules(
        "NoDeletePolicy",
        [
            {
                "name": "NoDelete",
                "effect": "deny",
                "operations": ["Delete"],
                "resources": ["mlmodel"],
            }
        ],
        "role Cautious",
    )
    bob = _plain(*deny)

    assert _message(bob, ("EditAll", "Delete"), ("u-bob",)) == (
        "Principal: CatalogPrincipal{name='bob'} operation Delete denied by role Cautious, "
        "policy NoDeletePolicy, rule NoDelete"
    )
    # the rule names one resource type: others are untouched
    bob.authorize("table", ("Delete",), ("u-bob",))
    assert bob.views_freely("mlmodel")


def test_admins_skip_every_check_and_unknown_users_are_not_found() -> None:
    Subject(name="root", user_id="u-root", is_admin=True).authorize("mlmodel", ("Create",), ())

    with pytest.raises(CatalogError) as missing:
        Subject.unknown("mallory").authorize("mlmodel", ("ViewBasic",), ())
    assert (missing.value.status, missing.value.message) == (
        404,
        "user instance for mallory not found",
    )


def test_a_deny_on_views_makes_reads_evaluated() -> None:
    hide = _rules(
        "HidePolicy",
        [
            {
                "name": "HideOwned",
                "effect": "deny",
                "operations": ["ViewAll"],
                "resources": ["All"],
                "condition": "isOwner()",
            }
        ],
    )
    assert _plain().views_freely("mlmodel")
    assert not _plain(*hide).views_freely("mlmodel")
    assert not Subject(name="nobody", user_id="u-n").views_freely("mlmodel")
