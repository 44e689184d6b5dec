"""Catalog emulator: the error table of the contract (§2), row by row, with exact bodies.

Rows that need a prepared state are asserted where that state is built: 409 in
test_catalog_models, `is not empty`, version 404 and restore 500 in test_catalog_lifecycle,
`User <id> is deleted` in test_catalog_social.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.emulator.catalog.seed import seed_id
from tests.conftest import EmulatorHandle

CHURN_ID = seed_id("mlmodel", "mlflow_prod.churn_predictor")
TABLE_ID = seed_id("table", "postgres_shop.shop.public.orders")
UNKNOWN = "0c7d2e5e-9a0b-4c1d-8e2f-3a4b5c6d7e8f"
MODEL = {"name": "m", "service": "mlflow_prod"}
COLUMNS = [{"name": "id", "dataType": "BIGINT"}]
TABLE = {"name": "t", "databaseSchema": "postgres_shop.shop.public", "columns": COLUMNS}
SOURCE = {"name": "c", "dataSource": {"id": UNKNOWN, "type": "table"}}


@pytest.fixture(scope="module")
def catalog(emulator_server: EmulatorHandle) -> Iterator[httpx.Client]:
    """One freshly seeded emulator for the module: every request here fails, none writes."""
    emulator_server.reset()
    with httpx.Client(
        base_url=f"{emulator_server.catalog_url}/v1", headers=emulator_server.headers(), timeout=10
    ) as client:
        yield client


def tag(fqn: str, source: str = "Classification") -> dict[str, str]:
    return {"tagFQN": fqn, "source": source, "labelType": "Manual", "state": "Confirmed"}


# (method, path, query, JSON body, status, message)
ROWS: list[tuple[str, str, dict[str, str], Any, int, str]] = [
    # 400 fields / paging / include
    ("GET", "/mlmodels", {"fields": "owners,bogus"}, None, 400, "Invalid field name bogus"),
    ("GET", f"/mlmodels/{CHURN_ID}", {"fields": "columns"}, None, 400,
     "Invalid field name columns"),
    ("GET", "/services/mlmodelServices", {"fields": "votes"}, None, 400,
     "Invalid field name votes"),
    ("GET", "/mlmodels", {"before": "eyJ9", "after": "eyJ9"}, None, 400,
     "Only one of before or after query parameter allowed"),
    ("GET", "/mlmodels", {"limit": "-1"}, None, 400,
     "[query param limit must be greater than or equal to 0]"),
    ("GET", "/tables", {"limit": "1000001"}, None, 400,
     "[query param limit must be less than or equal to 1000000]"),
    ("GET", "/mlmodels", {"limit": "ten"}, None, 404, "HTTP 404 Not Found"),
    ("GET", "/mlmodels", {"after": "%%%"}, None, 400, "Invalid cursor %%%"),
    ("GET", "/mlmodels", {"include": "some"}, None, 400,
     "[query param include must be one of [all, deleted, non-deleted]]"),
    # 400 bean validation
    ("POST", "/mlmodels", {}, {}, 400, "[name must not be null, service must not be null]"),
    ("POST", "/mlmodels", {}, {**MODEL, "name": "a::b"}, 400,
     '[name must match "^((?!::).)*$"]'),
    ("POST", "/mlmodels", {}, {**MODEL, "name": "x" * 257}, 400,
     "[name size must be between 1 and 256]"),
    ("PUT", "/mlmodels", {}, {**MODEL, "sourceHash": "h" * 33}, 400,
     "[sourceHash size must be between 1 and 32]"),
    ("POST", "/mlmodels", {}, {**MODEL, "tags": [{"source": "Classification"}]}, 400,
     "[tags[0].tagFQN must not be null]"),
    ("POST", "/tables", {}, {"name": "t"}, 400,
     "[columns must not be null, databaseSchema must not be null]"),
    ("POST", "/tables", {}, {**TABLE, "columns": [{"name": "id"}]}, 400,
     "[columns[0].dataType must not be null]"),
    ("POST", "/users", {}, {"name": "zed", "email": "zed"}, 400,
     '[email size must be between 6 and 127, email must match '
     '"^[\\S.!#$%&\u2019*+/=?^_`{|}~-]+@\\S+\\.\\S+$"]'),
    ("PUT", "/mlmodels/restore", {}, {}, 400, "[id must not be null]"),
    # 400 mapping errors
    ("POST", "/mlmodels", {}, "not json", 400, "Invalid request format"),
    ("POST", "/mlmodels", {}, {**MODEL, "name": 5}, 400, "Invalid request format"),
    ("POST", "/mlmodels", {}, {**MODEL, "colour": "red"}, 400, "Invalid request format"),
    ("POST", "/services/mlmodelServices", {}, {"name": "s", "serviceType": "Nope"}, 400,
     "Invalid request format"),
    ("POST", "/tables", {}, {**TABLE, "columns": [{"name": "c", "dataType": "NOPE"}]}, 400,
     "Invalid request format"),
    ("POST", "/mlmodels", {}, {**MODEL, "owners": [{"id": "x", "type": "user"}]}, 400,
     "Invalid request format"),
    ("PUT", f"/mlmodels/{CHURN_ID}/vote", {}, {"updatedVoteType": "love"}, 400,
     "Invalid request format"),
    ("PUT", f"/mlmodels/{CHURN_ID}/followers", {}, "alice", 400, "Invalid request format"),
    ("PUT", "/mlmodels/bulk", {}, {"name": "not-an-array"}, 400, "Invalid request format"),
    # 400 business rules
    ("POST", "/mlmodels", {}, {**MODEL, "owners": [{"id": TABLE_ID, "type": "table"}]}, 400,
     "Entity of type table can't be the owner. Only Team of type Group or a User can own "
     "entities."),
    ("POST", "/mlmodels", {},
     {**MODEL, "owners": [{"id": seed_id("team", "Engineering"), "type": "team"}]}, 400,
     "Team of type BusinessUnit can't own entities. Only Team of type Group can own entities."),
    ("POST", "/mlmodels", {}, {**MODEL, "extension": {"colour": "red"}}, 400,
     "Unknown custom field colour"),
    ("POST", "/tables", {}, {**TABLE, "extension": {"registryModelRid": "ri.x"}}, 400,
     "Unknown custom field registryModelRid"),
    ("POST", "/mlmodels", {}, {**MODEL, "extension": {"registryModelRid": 7}}, 400,
     "Custom field registryModelRid has invalid JSON [$: integer found, string expected]"),
    ("POST", "/mlmodels", {}, {**MODEL, "dataProducts": ["CustomerInsights"]}, 400,
     "Domain cannot be empty when data products are provided."),
    ("POST", "/tables", {}, {**TABLE, "columns": [{"name": "c", "dataType": "VARCHAR"}]}, 400,
     "For column data types char, varchar, binary, varbinary dataLength must not be null"),
    ("POST", "/tables", {}, {**TABLE, "columns": [{"name": "c", "dataType": "ARRAY"}]}, 400,
     "For column data type array, arrayDataType must not be null"),
    ("GET", f"/mlmodels/{CHURN_ID}/versions/abc", {}, None, 400, 'For input string: "abc"'),
    # 404 entity and referenced things
    ("GET", f"/mlmodels/{UNKNOWN}", {}, None, 404, f"mlmodel instance for {UNKNOWN} not found"),
    ("GET", "/mlmodels/name/svc.churn", {}, None, 404, "mlmodel instance for svc.churn not found"),
    ("GET", f"/tables/{UNKNOWN}", {}, None, 404, f"table instance for {UNKNOWN} not found"),
    ("GET", "/users/name/nobody", {}, None, 404, "user instance for nobody not found"),
    ("GET", "/services/mlmodelServices/name/nope", {}, None, 404,
     "mlmodelService instance for nope not found"),
    ("GET", "/mlmodels/not-a-uuid", {}, None, 404, "HTTP 404 Not Found"),
    ("DELETE", f"/mlmodels/{UNKNOWN}", {}, None, 404, f"mlmodel instance for {UNKNOWN} not found"),
    ("PUT", "/mlmodels/restore", {}, {"id": UNKNOWN}, 404,
     f"mlmodel instance for {UNKNOWN} not found"),
    ("GET", f"/mlmodels/{UNKNOWN}/versions", {}, None, 404,
     f"mlmodel instance for {UNKNOWN} not found"),
    ("POST", "/mlmodels", {}, {**MODEL, "service": "mlflow_x"}, 404,
     "mlmodelService instance for mlflow_x not found"),
    ("POST", "/tables", {}, {**TABLE, "databaseSchema": "pg.nope.public"}, 404,
     "databaseSchema instance for pg.nope.public not found"),
    ("POST", "/databases", {}, {"name": "d", "service": "nope"}, 404,
     "databaseService instance for nope not found"),
    ("POST", "/databaseSchemas", {}, {"name": "s", "database": "nope.db"}, 404,
     "database instance for nope.db not found"),
    ("POST", "/mlmodels", {}, {**MODEL, "owners": [{"id": UNKNOWN, "type": "user"}]}, 404,
     f"user instance for {UNKNOWN} not found"),
    ("POST", "/mlmodels", {}, {**MODEL, "tags": [tag("PII.Secret")]}, 404,
     "tag instance for PII.Secret not found"),
    ("POST", "/mlmodels", {}, {**MODEL, "tags": [tag("Business.Nope", "Glossary")]}, 404,
     "glossaryTerm instance for Business.Nope not found"),
    ("POST", "/mlmodels", {}, {**MODEL, "domains": ["Sales"]}, 404,
     "domain instance for Sales not found"),
    ("POST", "/mlmodels", {}, {**MODEL, "domains": ["Marketing"], "dataProducts": ["Nope"]}, 404,
     "dataProduct instance for Nope not found"),
    ("POST", "/mlmodels", {}, {**MODEL, "dashboard": "superset.perf"}, 404,
     "dashboard instance for superset.perf not found"),
    ("POST", "/mlmodels", {},
     {**MODEL, "mlFeatures": [{"name": "f", "featureSources": [SOURCE]}]}, 404,
     f"table instance for {UNKNOWN} not found"),
    ("POST", "/users", {}, {"name": "zed", "email": "zed@example.com", "teams": [UNKNOWN]}, 404,
     f"team instance for {UNKNOWN} not found"),
    ("DELETE", f"/mlmodels/{CHURN_ID}/followers/{UNKNOWN}", {}, None, 404,
     f"user instance for {UNKNOWN} not found"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "query", "body", "status", "message"), ROWS)
def test_error_row(
    catalog: httpx.Client,
    method: str,
    path: str,
    query: dict[str, str],
    body: Any,
    status: int,
    message: str,
) -> None:
    # when the request is sent (a str body is sent raw, anything else as JSON)
    content = body.encode() if isinstance(body, str) and body != "alice" else None
    json_body = None if content is not None or body is None else body
    response = catalog.request(method, path, params=query, content=content, json=json_body)

    # then the status and the upstream's error body match the contract
    assert response.status_code == status
    assert response.json() == {"code": status, "message": message}


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "Not Authorized! Token not present"),
        ("Basic YWRtaW46YWRtaW4=", "Not Authorized! Token not present"),
        ("Bearer not-a-known-token", "Not Authorized! Invalid token"),
    ],
)
def test_unauthenticated_calls_are_401_with_om_auth(
    catalog: httpx.Client, authorization: str | None, message: str
) -> None:
    # when a call has no usable principal
    headers = {} if authorization is None else {"Authorization": authorization}
    response = httpx.get(f"{catalog.base_url}mlmodels", headers=headers)

    # then it is refused before anything else
    assert response.status_code == 401
    assert response.json() == {"code": 401, "message": message}
    assert response.headers["WWW-Authenticate"] == "om-auth"


def test_a_soft_deleted_principal_is_not_found(emulator: EmulatorHandle) -> None:
    # given carol is soft deleted
    url = f"{emulator.catalog_url}/v1"
    httpx.delete(f"{url}/users/{seed_id('user', 'carol')}", headers=emulator.headers())

    # when she calls
    response = httpx.get(f"{url}/mlmodels", headers=emulator.headers("carol"))

    # then her subject cannot be built: she is no user
    assert response.status_code == 404
    assert response.json() == {"code": 404, "message": "user instance for carol not found"}
    assert response.headers["WWW-Authenticate"] == "om-auth"


def test_404_carries_the_om_auth_header_and_400_does_not(catalog: httpx.Client) -> None:
    # when a missing model and a bad field are asked for
    missing = catalog.get(f"/mlmodels/{UNKNOWN}")
    bad = catalog.get("/mlmodels", params={"fields": "bogus"})

    # then only the status-built error carries the header, as upstream
    assert missing.headers["WWW-Authenticate"] == "om-auth"
    assert "WWW-Authenticate" not in bad.headers
