"""Catalog emulator: ETags on single-entity reads (contract SEARCH_LINEAGE_AUTHZ §4.4).

The ETag is `"` + the first 16 hex digits of SHA-256("<version>-<updatedAt>") + `"`, the
version printed as Java prints a double. The seeded `mlflow_prod.churn_predictor` is at 1.1,
last updated at 1735697460000 (seed time), and its 0.2 at 1735697340000.
"""

from __future__ import annotations

import hashlib

import httpx

from gateway.emulator.catalog.seed import seed_id
from tests.conftest import EmulatorHandle
from tests.emulator.catalog import ALICE, set_clock

CHURN = "mlflow_prod.churn_predictor"
CHURN_ID = seed_id("mlmodel", CHURN)
CHURN_ETAG = '"' + hashlib.sha256(b"1.1-1735697460000").hexdigest()[:16] + '"'
CHURN_0_2_ETAG = '"' + hashlib.sha256(b"0.2-1735697340000").hexdigest()[:16] + '"'


def test_the_etag_hashes_version_and_update_time() -> None:
    # the two values the seeded model's reads answer, written out
    assert (CHURN_ETAG, CHURN_0_2_ETAG) == ('"3889df2ae882c51b"', '"1a1ed65da1660758"')


def test_reads_of_one_entity_carry_its_etag(catalog: httpx.Client) -> None:
    # when the model is read by id, by name, with fields, and as its current version
    reads = [
        catalog.get(f"/mlmodels/{CHURN_ID}"),
        catalog.get(f"/mlmodels/name/{CHURN}"),
        catalog.get(f"/mlmodels/{CHURN_ID}", params={"fields": "owners,tags,followers"}),
        catalog.get(f"/mlmodels/{CHURN_ID}/versions/1.1"),
    ]

    # then each carries the same ETag, of version 1.1 at its update time
    assert [(r.status_code, r.headers.get("ETag")) for r in reads] == [(200, CHURN_ETAG)] * 4


def test_an_older_version_carries_its_own_etag(catalog: httpx.Client) -> None:
    response = catalog.get(f"/mlmodels/{CHURN_ID}/versions/0.2")

    assert (response.json()["version"], response.json()["updatedAt"]) == (0.2, 1735697340000)
    assert response.headers["ETag"] == CHURN_0_2_ETAG


def test_every_entity_type_carries_one(catalog: httpx.Client) -> None:
    # given a table, a user and a service
    table = catalog.get(f"/tables/name/{'postgres_shop.shop.public.orders'}")
    user = catalog.get("/users/name/alice")
    service = catalog.get("/services/mlmodelServices/name/mlflow_prod")

    # then each ETag is that of its own version and update time
    for response in (table, user, service):
        body = response.json()
        text = f"{body['version']}-{body['updatedAt']}".encode()
        assert response.headers["ETag"] == f'"{hashlib.sha256(text).hexdigest()[:16]}"'


def test_lists_histories_writes_and_errors_carry_none(catalog: httpx.Client) -> None:
    model = {"name": "etagless", "service": "mlflow_prod"}
    created = catalog.post("/mlmodels", json=model)
    model_id = created.json()["id"]
    responses = [
        catalog.get("/mlmodels"),
        catalog.get(f"/mlmodels/{CHURN_ID}/versions"),
        created,
        catalog.put("/mlmodels", json={**model, "target": "y"}),
        catalog.delete(f"/mlmodels/{model_id}"),
        catalog.put("/mlmodels/restore", json={"id": model_id}),
        catalog.get(f"/mlmodels/{seed_id('mlmodel', 'mlflow_prod.nope')}"),
        catalog.get("/users/loggedInUser"),
    ]

    assert [r.headers.get("ETag") for r in responses] == [None] * len(responses)


def test_a_write_changes_the_etag_while_follow_and_vote_do_not(
    catalog: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given the clock at a known time
    set_clock(emulator, 1_714_000_000_000)

    # when the model is followed and voted on, then updated by PUT
    catalog.put(f"/mlmodels/{CHURN_ID}/followers", json=ALICE)
    catalog.put(f"/mlmodels/{CHURN_ID}/vote", json={"updatedVoteType": "votedUp"})
    after_social = catalog.get(f"/mlmodels/{CHURN_ID}").headers["ETag"]
    body = {"name": "churn_predictor", "service": "mlflow_prod", "algorithm": "LightGBM"}
    catalog.put("/mlmodels", json={**body, "description": "Rewritten."})
    after_write = catalog.get(f"/mlmodels/{CHURN_ID}")

    # then following and voting kept it; the write (a breaking change, 2.0) replaced it
    assert after_social == CHURN_ETAG
    assert after_write.json()["version"] == 2.0
    assert after_write.headers["ETag"] == (
        '"' + hashlib.sha256(b"2.0-1714000000000").hexdigest()[:16] + '"'
    )
