"""Seed data: database services, databases, schemas and ~60 tables with realistic columns.

A column is written `name TYPE[(n[,s])] [pk|nn|uq] [#Tag.FQN ...]: description`, columns
separated by `;`. The seed turns these into `CreateTable` bodies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_COLUMN = re.compile(
    r"^(?P<name>\w+) (?P<type>\w+)(?:\((?P<size>\d+)(?:,(?P<scale>\d+))?\))?(?P<rest>.*)$"
)
_TYPE_OF = {"TIMESTAMP_NTZ": "TIMESTAMP", "FLOAT64": "DOUBLE", "BOOL": "BOOLEAN"}
_CONSTRAINTS = {"pk": "PRIMARY_KEY", "nn": "NOT_NULL", "uq": "UNIQUE"}


@dataclass(frozen=True, slots=True)
class SeedTable:
    schema: str  # schema FQN
    name: str
    description: str
    columns: str
    tags: tuple[str, ...] = ()
    table_type: str = "Regular"


# (service name, service type, description, {database: {schema: description}})
DATABASE_SERVICES: tuple[tuple[str, str, str, dict[str, dict[str, str]]], ...] = (
    (
        "postgres_shop",
        "Postgres",
        "Operational Postgres cluster behind the web shop.",
        {
            "shop": {
                "public": "Core web-shop entities: customers, orders, products.",
                "billing": "Invoices, subscriptions and refunds.",
                "inventory": "Warehouses and stock movements.",
            }
        },
    ),
    (
        "snowflake_dw",
        "Snowflake",
        "Snowflake data warehouse fed by the nightly ELT.",
        {
            "analytics": {
                "marts": "Curated dimensional models for reporting and ML.",
                "staging": "Lightly cleaned copies of source tables.",
                "finance": "General ledger, budgets and FX rates.",
            }
        },
    ),
    (
        "bigquery_analytics",
        "BigQuery",
        "BigQuery project holding clickstream, marketing and feature tables.",
        {
            "events_prod": {
                "web": "Clickstream events from the web and mobile apps.",
                "ml_features": "Feature tables materialised for model training and serving.",
                "marketing": "Campaigns, touches and ad spend.",
            }
        },
    ),
)

_PG = "postgres_shop.shop"
_SF = "snowflake_dw.analytics"
_BQ = "bigquery_analytics.events_prod"

TABLES: tuple[SeedTable, ...] = (
    # postgres_shop.shop.public
    SeedTable(f"{_PG}.public", "customers", "Registered customers of the web shop.",
        "customer_id BIGINT pk: Surrogate key; email VARCHAR(255) nn uq #PII.Sensitive: Login and "
        "contact email; first_name VARCHAR(100) #PII.Sensitive: Given name; last_name VARCHAR(100) "
        "#PII.Sensitive: Family name; country_code CHAR(2): ISO 3166 country; signup_at TIMESTAMP "
        "nn: "
        "Account creation time; age INT: Age in years at signup; is_active BOOLEAN nn: False once "
        "the account is closed", ("Tier.Tier1", "PII.Sensitive")),
    SeedTable(f"{_PG}.public", "orders", "One row per checkout.",
        "order_id BIGINT pk: Surrogate key; customer_id BIGINT nn: Buyer; status VARCHAR(20) nn: "
        "placed, paid, shipped, delivered or cancelled; total_amount DECIMAL(12,2) nn: Order total "
        "in EUR; currency CHAR(3) nn: ISO 4217 code; placed_at TIMESTAMP nn: Checkout time; "
        "channel VARCHAR(20): web, ios or android", ("Tier.Tier1",)),
    SeedTable(f"{_PG}.public", "order_items", "Line items of each order.",
        "order_item_id BIGINT pk: Surrogate key; order_id BIGINT nn: Parent order; product_id "
        "BIGINT nn: Product sold; quantity INT nn: Units; unit_price DECIMAL(10,2) nn: Price per "
        "unit in EUR; discount DECIMAL(10,2): Discount applied"),
    SeedTable(f"{_PG}.public", "products", "Catalogue of sellable products.",
        "product_id BIGINT pk: Surrogate key; sku VARCHAR(40) nn uq: Stock keeping unit; name "
        "VARCHAR(200) nn: Display name; category_id INT: Category; list_price DECIMAL(10,2) nn: "
        "Current list price; launched_on DATE: First day on sale; is_discontinued BOOLEAN: No "
        "longer sold", ("Tier.Tier2",)),
    SeedTable(f"{_PG}.public", "categories", "Product category tree.",
        "category_id INT pk: Surrogate key; parent_id INT: Parent category; name VARCHAR(100) nn: "
        "Category name"),
    SeedTable(f"{_PG}.public", "payments", "Payment attempts for orders.",
        "payment_id BIGINT pk: Surrogate key; order_id BIGINT nn: Order paid; method VARCHAR(20) "
        "nn: card, paypal or transfer; amount DECIMAL(12,2) nn: Amount in EUR; status VARCHAR(20) "
        "nn: authorised, captured or failed; card_bin CHAR(6) #PII.Sensitive: First six card "
        "digits; ip_address VARCHAR(45) #PII.Sensitive: Payer IP; created_at TIMESTAMP nn: Attempt "
        "time", ("Tier.Tier1", "PII.Sensitive")),
    SeedTable(f"{_PG}.public", "shipments", "Parcels sent for orders.",
        "shipment_id BIGINT pk: Surrogate key; order_id BIGINT nn: Order shipped; carrier "
        "VARCHAR(40): Carrier name; shipped_at TIMESTAMP: Hand-over time; delivered_at TIMESTAMP: "
        "Delivery time; promised_days INT: Promised delivery days; distance_km DOUBLE: Warehouse "
        "to address distance"),
    SeedTable(f"{_PG}.public", "returns", "Returned order items.",
        "return_id BIGINT pk: Surrogate key; order_item_id BIGINT nn: Item returned; reason "
        "VARCHAR(50): Customer reason; requested_at TIMESTAMP nn: Request time; refunded BOOLEAN: "
        "Refund issued"),
    SeedTable(f"{_PG}.public", "carts", "Shopping carts, open or converted.",
        "cart_id BIGINT pk: Surrogate key; customer_id BIGINT: Owner, null for guests; created_at "
        "TIMESTAMP nn: Creation time; converted_order_id BIGINT: Order created from the cart"),
    SeedTable(f"{_PG}.public", "cart_items", "Items placed in carts.",
        "cart_item_id BIGINT pk: Surrogate key; cart_id BIGINT nn: Cart; product_id BIGINT nn: "
        "Product; quantity INT nn: Units; added_at TIMESTAMP nn: Time added"),
    SeedTable(f"{_PG}.public", "addresses", "Postal addresses of customers.",
        "address_id BIGINT pk: Surrogate key; customer_id BIGINT nn: Owner; street VARCHAR(200) "
        "#PII.Sensitive: Street and number; city VARCHAR(100): City; postal_code VARCHAR(20) "
        "#PII.Sensitive: Postal code; country_code CHAR(2): ISO 3166 country; is_valid BOOLEAN: "
        "Passed address validation", ("PII.Sensitive",)),
    SeedTable(f"{_PG}.public", "product_reviews", "Star ratings and reviews of products.",
        "review_id BIGINT pk: Surrogate key; product_id BIGINT nn: Product; customer_id BIGINT nn: "
        "Author; rating SMALLINT nn: 1 to 5 stars; body TEXT: Review text; created_at TIMESTAMP "
        "nn: "
        "Publication time"),
    SeedTable(f"{_PG}.public", "promotions", "Discount campaigns and coupon codes.",
        "promotion_id INT pk: Surrogate key; code VARCHAR(30) uq: Coupon code; percent_off "
        "DECIMAL(5,2): Discount percentage; starts_on DATE: First valid day; ends_on DATE: Last "
        "valid day"),
    SeedTable(f"{_PG}.public", "suppliers", "Suppliers of products.",
        "supplier_id INT pk: Surrogate key; name VARCHAR(200) nn: Legal name; country_code "
        "CHAR(2): ISO 3166 country; lead_time_days INT: Typical lead time"),
    SeedTable(f"{_PG}.public", "customer_sessions", "Authenticated sessions of customers.",
        "session_id VARCHAR(64) pk: Session token hash; customer_id BIGINT nn: Customer; "
        "started_at TIMESTAMP nn: Start time; device VARCHAR(20): desktop, mobile or tablet; "
        "ip_address VARCHAR(45) #PII.Sensitive: Client IP"),
    # postgres_shop.shop.billing
    SeedTable(f"{_PG}.billing", "invoices", "Invoices issued to customers.",
        "invoice_id BIGINT pk: Surrogate key; order_id BIGINT nn: Order invoiced; issued_on DATE "
        "nn: Issue date; amount DECIMAL(12,2) nn: Total in EUR; vat DECIMAL(12,2) nn: VAT amount",
        ("Tier.Tier2",)),
    SeedTable(f"{_PG}.billing", "invoice_lines", "Lines of invoices.",
        "invoice_line_id BIGINT pk: Surrogate key; invoice_id BIGINT nn: Invoice; description "
        "VARCHAR(200): Line text; amount DECIMAL(12,2) nn: Line amount"),
    SeedTable(f"{_PG}.billing", "subscriptions", "Paid membership subscriptions.",
        "subscription_id BIGINT pk: Surrogate key; customer_id BIGINT nn: Subscriber; plan "
        "VARCHAR(20) nn: monthly or yearly; started_on DATE nn: Start date; cancelled_on DATE: "
        "Cancellation date; monthly_fee DECIMAL(8,2) nn: Fee in EUR"),
    SeedTable(f"{_PG}.billing", "refunds", "Refunds paid back to customers.",
        "refund_id BIGINT pk: Surrogate key; payment_id BIGINT nn: Payment refunded; amount "
        "DECIMAL(12,2) nn: Amount in EUR; reason VARCHAR(50): Reason code; refunded_at TIMESTAMP "
        "nn: Time of refund"),
    SeedTable(f"{_PG}.billing", "chargebacks", "Card chargebacks raised by issuers.",
        "chargeback_id BIGINT pk: Surrogate key; payment_id BIGINT nn: Disputed payment; "
        "reason_code VARCHAR(10): Network reason code; amount DECIMAL(12,2) nn: Disputed amount; "
        "opened_at TIMESTAMP nn: Dispute time; won BOOLEAN: Merchant won the dispute"),
    # postgres_shop.shop.inventory
    SeedTable(f"{_PG}.inventory", "warehouses", "Fulfilment warehouses.",
        "warehouse_id INT pk: Surrogate key; name VARCHAR(100) nn: Site name; country_code "
        "CHAR(2): ISO 3166 country; capacity_units INT: Storage capacity"),
    SeedTable(f"{_PG}.inventory", "stock_levels", "Units on hand per product and warehouse.",
        "warehouse_id INT pk: Warehouse; product_id BIGINT pk: Product; on_hand INT nn: Units on "
        "hand; reserved INT nn: Units reserved; updated_at TIMESTAMP nn: Last count"),
    SeedTable(f"{_PG}.inventory", "stock_movements", "Goods in and out of warehouses.",
        "movement_id BIGINT pk: Surrogate key; warehouse_id INT nn: Warehouse; product_id BIGINT "
        "nn: Product; quantity INT nn: Signed units; moved_at TIMESTAMP nn: Movement time"),
    SeedTable(f"{_PG}.inventory", "purchase_orders", "Orders placed with suppliers.",
        "purchase_order_id BIGINT pk: Surrogate key; supplier_id INT nn: Supplier; product_id "
        "BIGINT nn: Product; quantity INT nn: Units ordered; expected_on DATE: Expected arrival"),
    # snowflake_dw.analytics.marts
    SeedTable(f"{_SF}.marts", "dim_customer", "Customer dimension, one row per customer.",
        "customer_key NUMBER(38,0) pk: Surrogate key; customer_id NUMBER(38,0) nn: Source id; "
        "email_hash VARCHAR(64): SHA-256 of the email; country_code VARCHAR(2): ISO 3166 country; "
        "tenure_days NUMBER(10,0): Days since signup; segment VARCHAR(20): Marketing segment; "
        "age NUMBER(3,0): Age in years", ("Tier.Tier1",)),
    SeedTable(f"{_SF}.marts", "dim_product", "Product dimension.",
        "product_key NUMBER(38,0) pk: Surrogate key; sku VARCHAR(40) nn: Stock keeping unit; "
        "category VARCHAR(100): Category path; list_price NUMBER(10,2): List price; brand "
        "VARCHAR(100): Brand name"),
    SeedTable(f"{_SF}.marts", "dim_date", "Calendar dimension.",
        "date_key NUMBER(8,0) pk: yyyymmdd; calendar_date DATE nn: Date; day_of_week NUMBER(1,0): "
        "1 = Monday; is_holiday BOOLEAN: Public holiday in the main market"),
    SeedTable(f"{_SF}.marts", "fct_orders", "Order facts at line-item grain.",
        "order_item_key NUMBER(38,0) pk: Surrogate key; customer_key NUMBER(38,0) nn: Customer; "
        "product_key NUMBER(38,0) nn: Product; date_key NUMBER(8,0) nn: Order date; quantity "
        "NUMBER(10,0): Units; net_revenue NUMBER(12,2): Revenue after discounts",
        ("Tier.Tier1",)),
    SeedTable(f"{_SF}.marts", "fct_sessions", "Web sessions with their outcomes.",
        "session_key VARCHAR(64) pk: Session id; customer_key NUMBER(38,0): Customer if logged "
        "in; started_at TIMESTAMP_NTZ nn: Start; page_views NUMBER(6,0): Pages viewed; converted "
        "BOOLEAN: Ended with an order"),
    SeedTable(f"{_SF}.marts", "fct_revenue_daily", "Daily revenue by channel and country.",
        "date_key NUMBER(8,0) pk: Day; channel VARCHAR(20) pk: Sales channel; country_code "
        "VARCHAR(2) pk: Country; revenue NUMBER(14,2): Net revenue; orders NUMBER(10,0): Orders",
        ("Tier.Tier2",)),
    SeedTable(f"{_SF}.marts", "customer_ltv_snapshot", "Monthly snapshot of customer value.",
        "customer_key NUMBER(38,0) pk: Customer; snapshot_month DATE pk: Month; revenue_12m "
        "NUMBER(12,2): Revenue over the last 12 months; orders_12m NUMBER(6,0): Orders over the "
        "last 12 months; ltv_actual NUMBER(12,2): Realised lifetime value"),
    SeedTable(f"{_SF}.marts", "churn_labels", "Churn ground truth per customer and month.",
        "customer_key NUMBER(38,0) pk: Customer; label_month DATE pk: Month; churned BOOLEAN nn: "
        "No order in the following 90 days; days_since_last_order NUMBER(6,0): Recency"),
    SeedTable(f"{_SF}.marts", "dim_store", "Physical stores and pick-up points.",
        "store_key NUMBER(10,0) pk: Surrogate key; store_name VARCHAR(100): Name; region "
        "VARCHAR(50): Sales region; opened_on DATE: Opening date"),
    SeedTable(f"{_SF}.marts", "fct_returns", "Returns with their refund amounts.",
        "return_key NUMBER(38,0) pk: Surrogate key; order_item_key NUMBER(38,0) nn: Item; "
        "refund_amount NUMBER(12,2): Refund; reason VARCHAR(50): Reason code"),
    # snowflake_dw.analytics.staging
    SeedTable(f"{_SF}.staging", "stg_orders", "Orders as loaded from Postgres.",
        "order_id NUMBER(38,0): Source key; customer_id NUMBER(38,0): Buyer; status VARCHAR(20): "
        "Status; total_amount NUMBER(12,2): Total; _loaded_at TIMESTAMP_NTZ: Load time",
        table_type="View"),
    SeedTable(f"{_SF}.staging", "stg_customers", "Customers as loaded from Postgres.",
        "customer_id NUMBER(38,0): Source key; email VARCHAR(255) #PII.Sensitive: Email; "
        "signup_at TIMESTAMP_NTZ: Signup; _loaded_at TIMESTAMP_NTZ: Load time", table_type="View"),
    SeedTable(f"{_SF}.staging", "stg_payments", "Payments as loaded from Postgres.",
        "payment_id NUMBER(38,0): Source key; order_id NUMBER(38,0): Order; amount NUMBER(12,2): "
        "Amount; status VARCHAR(20): Status", table_type="View"),
    SeedTable(f"{_SF}.staging", "stg_products", "Products as loaded from Postgres.",
        "product_id NUMBER(38,0): Source key; sku VARCHAR(40): SKU; list_price NUMBER(10,2): "
        "Price", table_type="View"),
    SeedTable(f"{_SF}.staging", "stg_events", "Raw clickstream events copied from BigQuery.",
        "event_id VARCHAR(64): Event id; event_name VARCHAR(50): Event type; payload VARIANT: "
        "Raw JSON payload; event_ts TIMESTAMP_NTZ: Event time", table_type="View"),
    # snowflake_dw.analytics.finance
    SeedTable(f"{_SF}.finance", "gl_entries", "General ledger entries.",
        "entry_id NUMBER(38,0) pk: Surrogate key; account VARCHAR(20) nn: Ledger account; amount "
        "NUMBER(14,2) nn: Signed amount; posted_on DATE nn: Posting date", ("Tier.Tier2",)),
    SeedTable(f"{_SF}.finance", "budget", "Monthly budget per cost centre.",
        "cost_centre VARCHAR(20) pk: Cost centre; month DATE pk: Month; amount NUMBER(14,2): "
        "Budgeted amount"),
    SeedTable(f"{_SF}.finance", "fx_rates", "Daily foreign exchange rates to EUR.",
        "rate_date DATE pk: Day; currency VARCHAR(3) pk: ISO 4217 code; rate_to_eur NUMBER(18,8) "
        "nn: Units of EUR per unit"),
    # bigquery_analytics.events_prod.web
    SeedTable(f"{_BQ}.web", "page_views", "Every page view, partitioned by day.",
        "event_id STRING pk: Event id; session_id STRING nn: Session; url STRING: Page URL; "
        "referrer STRING: Referrer URL; viewed_at TIMESTAMP nn: View time", ("Tier.Tier3",)),
    SeedTable(f"{_BQ}.web", "sessions", "Sessions reconstructed from events.",
        "session_id STRING pk: Session id; user_pseudo_id STRING: Device id; started_at TIMESTAMP: "
        "Start; duration_s INT: Duration in seconds; landing_page STRING: First URL"),
    SeedTable(f"{_BQ}.web", "clicks", "Clicks on product tiles and buttons.",
        "event_id STRING pk: Event id; session_id STRING nn: Session; element STRING: Element id; "
        "product_id INT: Product clicked; clicked_at TIMESTAMP nn: Click time"),
    SeedTable(f"{_BQ}.web", "searches", "Site search queries and their results.",
        "event_id STRING pk: Event id; session_id STRING nn: Session; query STRING: Search text; "
        "results INT: Number of results; clicked_rank INT: Rank of the clicked result"),
    SeedTable(f"{_BQ}.web", "add_to_cart_events", "Add-to-cart actions.",
        "event_id STRING pk: Event id; session_id STRING nn: Session; product_id INT nn: Product; "
        "quantity INT: Units; added_at TIMESTAMP nn: Time"),
    # bigquery_analytics.events_prod.ml_features
    SeedTable(f"{_BQ}.ml_features", "customer_features", "Daily customer features for models.",
        "customer_id INT pk: Customer; feature_date DATE pk: As-of date; tenure_days INT: Days "
        "since signup; orders_90d INT: Orders in 90 days; revenue_90d NUMERIC: Revenue in 90 "
        "days; days_since_last_order INT: Recency; avg_basket_value NUMERIC: Mean order value; "
        "support_tickets_90d INT: Tickets in 90 days; country_code STRING: Country; age INT "
        "#PII.Sensitive: Age in years", ("Tier.Tier1",)),
    SeedTable(f"{_BQ}.ml_features", "product_features", "Daily product features.",
        "product_id INT pk: Product; feature_date DATE pk: As-of date; views_7d INT: Views in 7 "
        "days; add_to_cart_rate FLOAT64: Add-to-cart rate; avg_rating FLOAT64: Mean rating; "
        "price NUMERIC: Current price; category STRING: Category"),
    SeedTable(f"{_BQ}.ml_features", "transaction_features", "Per-payment fraud features.",
        "payment_id INT pk: Payment; amount NUMERIC: Amount; card_country STRING: Issuer country; "
        "ip_country STRING: Geo-IP country; velocity_1h INT: Payments by the card in one hour; "
        "account_age_days INT: Account age; is_new_device BOOL: First use of the device",
        ("Tier.Tier1",)),
    SeedTable(f"{_BQ}.ml_features", "session_features", "Per-session intent features.",
        "session_id STRING pk: Session; page_views INT: Pages viewed; searches INT: Searches; "
        "cart_adds INT: Add-to-cart actions; device STRING: Device class; hour_of_day INT: Local "
        "hour"),
    SeedTable(f"{_BQ}.ml_features", "demand_history", "Daily units sold per product and store.",
        "product_id INT pk: Product; store_id INT pk: Store; sales_date DATE pk: Day; units_sold "
        "INT: Units sold; price NUMERIC: Average price; promo_active BOOL: Promotion running"),
    SeedTable(f"{_BQ}.ml_features", "store_sales", "Daily sales per store.",
        "store_id INT pk: Store; sales_date DATE pk: Day; revenue NUMERIC: Revenue; footfall INT: "
        "Visitors; region STRING: Region"),
    SeedTable(f"{_BQ}.ml_features", "weather_daily", "Daily weather per region.",
        "region STRING pk: Region; weather_date DATE pk: Day; temp_max_c FLOAT64: Max "
        "temperature; precipitation_mm FLOAT64: Rain"),
    SeedTable(f"{_BQ}.ml_features", "fraud_signals", "Rule-based fraud signals per payment.",
        "payment_id INT pk: Payment; bin_risk FLOAT64: Card BIN risk score; email_age_days INT: "
        "Age of the email domain; address_mismatch BOOL: Billing and shipping differ; "
        "chargeback_history INT: Past chargebacks of the customer"),
    # bigquery_analytics.events_prod.marketing
    SeedTable(f"{_BQ}.marketing", "campaigns", "Marketing campaigns.",
        "campaign_id INT pk: Campaign; name STRING nn: Campaign name; channel STRING: email, "
        "social, search or display; budget NUMERIC: Budget in EUR; starts_on DATE: Start day"),
    SeedTable(f"{_BQ}.marketing", "campaign_touches", "Customers reached by campaigns.",
        "touch_id STRING pk: Touch id; campaign_id INT nn: Campaign; customer_id INT nn: Customer; "
        "touched_at TIMESTAMP: Time; treatment_group STRING: control or treatment"),
    SeedTable(f"{_BQ}.marketing", "email_events", "Email sends, opens and clicks.",
        "event_id STRING pk: Event id; customer_id INT nn: Recipient; campaign_id INT: Campaign; "
        "event_type STRING: sent, opened or clicked; hour_of_day INT: Local hour; event_ts "
        "TIMESTAMP: Time"),
    SeedTable(f"{_BQ}.marketing", "ad_spend", "Daily ad spend per channel.",
        "spend_date DATE pk: Day; channel STRING pk: Channel; spend NUMERIC: Spend in EUR; "
        "impressions INT: Impressions; clicks INT: Clicks"),
    SeedTable(f"{_BQ}.marketing", "attribution", "Order revenue attributed to channels.",
        "order_id INT pk: Order; channel STRING pk: Channel; weight FLOAT64: Attribution weight; "
        "revenue NUMERIC: Attributed revenue"),
)  # fmt: skip


def label(tag_fqn: str) -> dict[str, str]:
    source = "Glossary" if tag_fqn.startswith("Business.") else "Classification"
    return {"tagFQN": tag_fqn, "source": source, "labelType": "Manual", "state": "Confirmed"}


def parse_columns(spec: str) -> list[dict[str, Any]]:
    """`name TYPE(n[,s]) [pk|nn|uq] [#Tag]: description; ...` -> Column bodies."""
    columns = []
    for position, part in enumerate(spec.split(";"), start=1):
        head, _, description = part.strip().partition(": ")
        match = _COLUMN.match(head)
        assert match is not None, head
        source_type = match["type"]
        column: dict[str, Any] = {
            "name": match["name"],
            "dataType": _TYPE_OF.get(source_type, source_type),
            "dataTypeDisplay": source_type.lower(),
            "description": description,
            "ordinalPosition": position,
        }
        if match["size"] is not None:
            column["dataTypeDisplay"] += f"({match['size']}" + (
                f",{match['scale']})" if match["scale"] else ")"
            )
            if match["scale"] is None:
                column["dataLength"] = int(match["size"])
            else:
                column["precision"], column["scale"] = int(match["size"]), int(match["scale"])
        for token in match["rest"].split():
            if token.startswith("#"):
                column.setdefault("tags", []).append(label(token[1:]))
            elif token in _CONSTRAINTS and "constraint" not in column:
                column["constraint"] = _CONSTRAINTS[token]
        columns.append(column)
    return columns
