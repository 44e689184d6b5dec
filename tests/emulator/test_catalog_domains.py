"""Domains and data products, read-only: what a client needs to name one by id."""

from __future__ import annotations

import httpx

from gateway.emulator.ids import seed_uuid
from tests.conftest import EmulatorHandle


def get(emulator: EmulatorHandle, path: str, user: str | None = None) -> httpx.Response:
    return httpx.get(f"{emulator.catalog_url}{path}", headers=emulator.headers(user), timeout=10)


def test_domains_are_listed_and_read_by_name_and_id(emulator: EmulatorHandle) -> None:
    listed = get(emulator, "/v1/domains")
    by_name = get(emulator, "/v1/domains/name/Marketing", user="kevin")
    marketing = seed_uuid("domain", "Marketing")
    by_id = get(emulator, f"/v1/domains/{marketing}")
    assert listed.status_code == 200
    assert [d["name"] for d in listed.json()["data"]] == ["Finance", "Marketing", "Operations"]
    assert listed.json()["paging"] == {"total": 3}
    assert by_name.status_code == by_id.status_code == 200
    body = by_name.json()
    assert body == by_id.json()
    assert body == {
        "id": marketing,
        "name": "Marketing",
        "fullyQualifiedName": "Marketing",
        "displayName": "Marketing",
        "description": "",
        "version": 0.1,
        "updatedAt": 1_735_689_600_000,
        "updatedBy": "admin",
        "href": f"{emulator.catalog_url}/v1/domains/{marketing}",
        "deleted": False,
        "domainType": "Aggregate",
    }


def test_a_data_product_names_its_domain(emulator: EmulatorHandle) -> None:
    body = get(emulator, "/v1/dataProducts/name/CustomerInsights").json()
    marketing = seed_uuid("domain", "Marketing")
    assert (body["name"], body["domains"][0]["id"], body["domains"][0]["name"]) == (
        "CustomerInsights",
        marketing,
        "Marketing",
    )


def test_an_unknown_domain_is_the_catalogs_404(emulator: EmulatorHandle) -> None:
    response = get(emulator, "/v1/domains/name/Nowhere")
    assert (response.status_code, response.json()) == (
        404,
        {"code": 404, "message": "domain instance for Nowhere not found"},
    )
    missing = get(emulator, "/v1/domains/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404
