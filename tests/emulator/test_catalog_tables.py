"""Catalog emulator: tables and what they hang off — databases, schemas, columns, PUT rules."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.emulator.catalog.seed import seed_id
from tests.emulator.catalog import tag

SCHEMA = "postgres_shop.shop.public"
CUSTOMERS = f"{SCHEMA}.customers"


def table_body(columns: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"name": "events", "databaseSchema": SCHEMA, "columns": columns, **extra}


def test_create_service_database_schema_and_table(catalog: httpx.Client) -> None:
    # given a new database service, database and schema
    assert (
        catalog.post(
            "/services/databaseServices", json={"name": "pg", "serviceType": "Postgres"}
        ).status_code
        == 201
    )
    database = catalog.post("/databases", json={"name": "crm", "service": "pg"})
    schema = catalog.post("/databaseSchemas", json={"name": "sales", "database": "pg.crm"})
    assert database.json()["fullyQualifiedName"] == "pg.crm"
    assert schema.json()["fullyQualifiedName"] == "pg.crm.sales"
    assert schema.json()["database"]["id"] == database.json()["id"]

    # when a table with a nested column is created in it
    created = catalog.post(
        "/tables",
        json={
            "name": "leads",
            "databaseSchema": "pg.crm.sales",
            "columns": [
                {"name": "id", "dataType": "BIGINT", "constraint": "PRIMARY_KEY"},
                {
                    "name": "address",
                    "dataType": "STRUCT",
                    "children": [{"name": "city", "dataType": "STRING"}],
                },
            ],
        },
    )

    # then it carries its service, database, schema and computed column FQNs
    assert created.status_code == 201
    body = created.json()
    assert body["fullyQualifiedName"] == "pg.crm.sales.leads"
    assert (body["service"]["name"], body["serviceType"]) == ("pg", "Postgres")
    assert body["database"]["fullyQualifiedName"] == "pg.crm"
    assert body["databaseSchema"]["fullyQualifiedName"] == "pg.crm.sales"
    assert [c["fullyQualifiedName"] for c in body["columns"]] == [
        "pg.crm.sales.leads.id",
        "pg.crm.sales.leads.address",
    ]
    assert body["columns"][1]["children"][0]["fullyQualifiedName"] == (
        "pg.crm.sales.leads.address.city"
    )


def test_database_and_schema_list_their_children_when_asked(catalog: httpx.Client) -> None:
    # when the seeded database and a schema are read with their children
    database = catalog.get(
        "/databases/name/snowflake_dw.analytics", params={"fields": "databaseSchemas"}
    ).json()
    schema = catalog.get(
        "/databaseSchemas/name/snowflake_dw.analytics.finance", params={"fields": "tables"}
    ).json()

    # then the live children come back as references
    assert [s["name"] for s in database["databaseSchemas"]] == ["finance", "marts", "staging"]
    assert [t["name"] for t in schema["tables"]] == ["budget", "fx_rates", "gl_entries"]
    assert schema["tables"][0]["type"] == "table"


def test_column_tags_come_back_only_with_columns_and_tags(catalog: httpx.Client) -> None:
    # when the seeded customers table is read with tags only, then with columns and tags
    tags_only = catalog.get(f"/tables/name/{CUSTOMERS}", params={"fields": "tags"}).json()
    both = catalog.get(f"/tables/name/{CUSTOMERS}", params={"fields": "columns,tags"}).json()

    # then column tags appear only in the second
    email = next(c for c in tags_only["columns"] if c["name"] == "email")
    assert "tags" not in email
    email = next(c for c in both["columns"] if c["name"] == "email")
    assert [t["tagFQN"] for t in email["tags"]] == ["PII.Sensitive"]
    assert email["tags"][0]["href"].endswith(f"/v1/tags/{seed_id('tag', 'PII.Sensitive')}")
    assert [t["tagFQN"] for t in both["tags"]] == ["Tier.Tier1", "PII.Sensitive"]


def test_seeded_columns_are_typed(catalog: httpx.Client) -> None:
    # when the orders table is read
    columns = catalog.get(f"/tables/name/{SCHEMA}.orders").json()["columns"]

    # then its columns carry types, sizes, constraints and positions
    assert columns[0] == {
        "name": "order_id",
        "dataType": "BIGINT",
        "dataTypeDisplay": "bigint",
        "description": "Surrogate key",
        "ordinalPosition": 1,
        "constraint": "PRIMARY_KEY",
        "fullyQualifiedName": f"{SCHEMA}.orders.order_id",
    }
    total = next(c for c in columns if c["name"] == "total_amount")
    assert (total["dataType"], total["precision"], total["scale"]) == ("DECIMAL", 12, 2)
    currency = next(c for c in columns if c["name"] == "currency")
    assert (currency["dataType"], currency["dataLength"]) == ("CHAR", 3)


def test_put_merges_column_tags_and_adding_a_column_is_minor(catalog: httpx.Client) -> None:
    # given a table with one tagged column
    columns = [{"name": "id", "dataType": "BIGINT", "tags": [tag("PII.None")]}]
    table_id = catalog.put("/tables", json=table_body(columns)).json()["id"]

    # when it is PUT with another tag on that column and a new column
    put = catalog.put(
        "/tables",
        json=table_body(
            [
                {"name": "id", "dataType": "BIGINT", "tags": [tag("Tier.Tier3")]},
                {"name": "kind", "dataType": "STRING"},
            ]
        ),
    )

    # then both tags are kept and the version is 0.2
    assert put.status_code == 200
    body = catalog.get(f"/tables/{table_id}", params={"fields": "columns,tags"}).json()
    assert body["version"] == 0.2
    assert [t["tagFQN"] for t in body["columns"][0]["tags"]] == ["PII.None", "Tier.Tier3"]
    assert [c["name"] for c in body["columns"]] == ["id", "kind"]
    added = [f["name"] for f in body["changeDescription"]["fieldsAdded"]]
    assert added == ["columns", "columns.id.tags"]


def test_removing_a_column_or_narrowing_it_is_a_major_change(catalog: httpx.Client) -> None:
    # given a table with two sized columns
    columns = [
        {"name": "code", "dataType": "VARCHAR", "dataLength": 40},
        {"name": "note", "dataType": "VARCHAR", "dataLength": 200},
    ]
    catalog.put("/tables", json=table_body(columns))

    # when a column is widened, then narrowed, then removed
    wider = [{**columns[0], "dataLength": 80}, columns[1]]
    narrower = [{**columns[0], "dataLength": 20}, columns[1]]
    versions = [
        catalog.put("/tables", json=table_body(cols)).json()["version"]
        for cols in (wider, narrower, narrower[:1])
    ]

    # then widening is minor, narrowing and removal are breaking
    assert versions == [0.2, 1.0, 2.0]


def test_table_follow_and_fields(catalog: httpx.Client) -> None:
    # given a table and a user
    table_id = seed_id("table", CUSTOMERS)
    alice = seed_id("user", "alice")

    # when alice follows it
    event = catalog.put(f"/tables/{table_id}/followers", json=alice)

    # then the event is about the table
    assert event.status_code == 200
    assert (event.json()["entityType"], event.json()["entityFullyQualifiedName"]) == (
        "table",
        CUSTOMERS,
    )
    followers = catalog.get(f"/tables/{table_id}", params={"fields": "followers"}).json()
    assert alice in [f["id"] for f in followers["followers"]]


def test_table_history(catalog: httpx.Client) -> None:
    # when the seeded customers table history is read
    history = catalog.get(f"/tables/{seed_id('table', CUSTOMERS)}/versions").json()

    # then the column added by the seed is the second version
    assert history["entityType"] == "table"
    assert len(history["versions"]) == 2
    assert '"loyalty_tier"' in history["versions"][0]
    assert '"loyalty_tier"' not in history["versions"][1]


def test_table_constraints_are_returned_only_when_requested(catalog: httpx.Client) -> None:
    # given a seeded table with a composite primary key
    name = "postgres_shop.shop.inventory.stock_levels"

    # when it is read with and without tableConstraints
    plain = catalog.get(f"/tables/name/{name}").json()
    full = catalog.get(f"/tables/name/{name}", params={"fields": "tableConstraints"}).json()

    # then the constraint is an optional field
    assert "tableConstraints" not in plain
    assert full["tableConstraints"] == [
        {"constraintType": "PRIMARY_KEY", "columns": ["warehouse_id", "product_id"]}
    ]
