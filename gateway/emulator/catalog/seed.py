"""Deterministic seed of the catalog: the same ids, names and timestamps on every run.

- users: 20, `admin` (isAdmin, `SEED_ADMIN_ID`) and 19 people `alice` ... `sam`
  (`SEED_PEOPLE`), email `first.last@example.com`; the first ten belong to a team.
  `lena` (`SEED_DATA_STEWARD`) has the role `DataSteward`; every other person is a plain
  user (a data consumer through `Organization`'s default role), who may only edit what
  they or their team own.
- teams: `ml-platform` (alice..emma), `data-engineering` (farah..julia) (Group: may own),
  both under `Engineering` (BusinessUnit), under `Organization` (teamType Organization),
  which every user belongs to: its default role is `DataConsumer` and its policy
  `OrganizationPolicy`.
- roles `DataConsumer`, `DataSteward` and policies `OrganizationPolicy`,
  `DataConsumerPolicy`, `DataStewardPolicy`, as `policies.DEFAULT_ROLES` /
  `DEFAULT_POLICIES` define them.
- domains `Marketing`, `Finance`, `Operations`; data products `CustomerInsights`,
  `RevenueAnalytics`; dashboards `superset_prod.churn_overview` and
  `superset_prod.revenue_forecasts` (`DASHBOARDS`).
- custom properties of ML models (`resolve.CUSTOM_PROPERTIES`): `registryModelRid`,
  `modelCardUrl` (strings) and `retrainingCadenceDays` (integer).
- classifications and their tags (`CLASSIFICATIONS`, 33 tags): `PII` (`None`,
  `NonSensitive`, `Sensitive`), `Tier` (`Tier1`..`Tier5`), `Certification` (`Gold`,
  `Silver`, `Bronze`) and `PersonalData` (`Personal`, `SpecialCategory`), each mutually
  exclusive; `Lifecycle` (`Production`, `Staging`, `Experimental`, `Deprecated`,
  `Retired`), `DataQuality` (`Validated`, `Monitored`, `Unverified`, `KnownIssues`),
  `Subject` (`Customer`, `Finance`, `Marketing`, `Operations`, `Product`, `Risk`) and
  `Compliance` (`GDPR`, `CCPA`, `HIPAA`, `SOX`, `PCI_DSS`), all stamped with the seed's
  first instant; glossary terms `Business.Customer` / `Revenue` / `Churn` (`GLOSSARY_TERMS`).
- ML model services (`ML_SERVICE_NAMES`): `mlflow_prod` (Mlflow), `sagemaker_prod`
  (SageMaker), `vertex_ai` (VertexAI), `sklearn_lab` (Sklearn).
- database services (`DATABASE_SERVICE_NAMES`): `postgres_shop` (Postgres), `snowflake_dw`
  (Snowflake), `bigquery_analytics` (BigQuery), one database and three schemas each.
- 60 tables with typed columns, constraints and column tags (`seed_tables.py`).
- 30 ML models over the four services (`seed_models.py`); feature sources point at seeded
  columns; the models in `ids.REGISTRY_LINKED_MODELS` (and only they) carry
  `extension.registryModelRid`.
- history: `mlflow_prod.churn_predictor` 0.1 -> 0.2 (description) -> 1.0 (algorithm) ->
  1.1 (tag); `sagemaker_prod.fraud_detector` 0.1 -> 1.0 (server) -> 1.1;
  `mlflow_prod.customer_ltv` 0.2; tables `customers` (column added) and `orders` 0.2.
- owners, followers and votes spread over the people and the Group teams by index.

Ids are `ids.seed_uuid(<entity type>, <FQN>)` (`seed_id`); timestamps start at
`SEED_EPOCH_MS` (2025-01-01T00:00Z) and advance one minute per write.
"""

from __future__ import annotations

from typing import Any

from gateway.emulator.catalog import fqn
from gateway.emulator.catalog.kinds import EntityKind
from gateway.emulator.catalog.policies import (
    DATA_CONSUMER,
    DATA_STEWARD,
    DEFAULT_POLICIES,
    DEFAULT_ROLES,
    ORGANIZATION,
    ORGANIZATION_POLICY,
    Subject,
)
from gateway.emulator.catalog.repository import Actor, Repository
from gateway.emulator.catalog.rows import Entity, Tag
from gateway.emulator.catalog.seed_models import (
    ML_SERVICES,
    MODELS,
    SeedModel,
    parse_feature,
    parse_params,
)
from gateway.emulator.catalog.seed_tables import (
    DATABASE_SERVICES,
    TABLES,
    SeedTable,
    label,
    parse_columns,
)
from gateway.emulator.catalog.validation import validate
from gateway.emulator.ids import REGISTRY_LINKED_MODELS, registry_model_rid, seed_uuid

SEED_EPOCH_MS = 1_735_689_600_000
SEED_ADMIN = "admin"
SEED_ADMIN_ID = seed_uuid("user", SEED_ADMIN)
SEED_PEOPLE: tuple[tuple[str, str], ...] = (
    ("alice", "Alice Nguyen"), ("bob", "Bob Martin"), ("carol", "Carol Smith"),
    ("david", "David Kim"), ("emma", "Emma Garcia"), ("farah", "Farah Haddad"),
    ("george", "George Okafor"), ("hana", "Hana Suzuki"), ("ivan", "Ivan Petrov"),
    ("julia", "Julia Rossi"), ("kevin", "Kevin O'Brien"), ("lena", "Lena Müller"),
    ("marco", "Marco Silva"), ("nina", "Nina Patel"), ("omar", "Omar Farouk"),
    ("priya", "Priya Sharma"), ("quentin", "Quentin Dubois"), ("rosa", "Rosa Lopez"),
    ("sam", "Sam Taylor"),
)  # fmt: skip
SEED_USER_NAMES: tuple[str, ...] = (SEED_ADMIN, *(name for name, _ in SEED_PEOPLE))
GROUP_TEAMS = ("ml-platform", "data-engineering")
SEED_DATA_STEWARD = "lena"
ML_SERVICE_NAMES: tuple[str, ...] = tuple(service[0] for service in ML_SERVICES)
DATABASE_SERVICE_NAMES: tuple[str, ...] = tuple(service[0] for service in DATABASE_SERVICES)
SEED_TABLE_COUNT = len(TABLES)
SEED_MODEL_COUNT = len(MODELS)
DOMAINS = ("Marketing", "Finance", "Operations")
DATA_PRODUCTS = {"CustomerInsights": "Marketing", "RevenueAnalytics": "Finance"}
# Dashboards (FQN `<dashboard service>.<name>` -> display name) an ML model may name.
DASHBOARDS = {
    "superset_prod.churn_overview": "Churn overview",
    "superset_prod.revenue_forecasts": "Revenue forecasts",
}

# Classifications (name -> description, mutually exclusive, tags as (name, description,
# colour)), seeded as the system's (`provider: system`). `PII`, `Tier` and `Certification`
# are mutually exclusive, as in a fresh OpenMetadata.
CLASSIFICATIONS: dict[str, tuple[str, bool, tuple[tuple[str, str, str | None], ...]]] = {
    "PII": (
        "Personally identifiable information: data that, alone or with other data, can "
        "identify a person.",
        True,
        (
            ("None", "No personal data.", None),
            ("NonSensitive", "Personal data of low sensitivity.", None),
            ("Sensitive", "Personal data whose loss could harm the person.", None),
        ),
    ),
    "Tier": (
        "Business importance of a data asset, from Tier1 (critical) to Tier5 (unused).",
        True,
        (
            ("Tier1", "Critical source of truth, business-wide.", "#F5222D"),
            ("Tier2", "Important data used across teams.", "#FA8C16"),
            ("Tier3", "Department-level data.", "#FADB14"),
            ("Tier4", "Team-level or exploratory data.", None),
            ("Tier5", "Private or unused data.", None),
        ),
    ),
    "Certification": (
        "How far a data asset can be relied on, as certified by its stewards.",
        True,
        (
            ("Gold", "Gold certified: reviewed, monitored and documented.", "#FFD700"),
            ("Silver", "Silver certified: reviewed and documented.", "#C0C0C0"),
            ("Bronze", "Bronze certified: documented, not yet reviewed.", "#CD7F32"),
        ),
    ),
    "Lifecycle": (
        "Where a data asset or model stands between research and retirement.",
        False,
        (
            ("Production", "Serves production traffic.", None),
            ("Staging", "Being validated before production.", None),
            ("Experimental", "Research only.", None),
            ("Deprecated", "Still served, to be replaced; do not build on it.", None),
            ("Retired", "No longer served; kept for reference.", None),
        ),
    ),
    "DataQuality": (
        "What is known of a data asset's quality.",
        False,
        (
            ("Validated", "Passes its data quality tests.", None),
            ("Monitored", "Data quality tests run on every load.", None),
            ("Unverified", "No data quality tests yet.", None),
            ("KnownIssues", "Has open data quality issues; read its description.", None),
        ),
    ),
    "PersonalData": (
        "Personal data as the GDPR defines it.",
        True,
        (
            ("Personal", "Data about an identified or identifiable person.", None),
            (
                "SpecialCategory",
                "Health, biometric, political or religious data, among others (GDPR art. 9).",
                None,
            ),
        ),
    ),
    "Subject": (
        "The business area a data asset or model is about.",
        False,
        (
            ("Customer", "Customers, their accounts and their behaviour.", None),
            ("Finance", "Revenue, costs, payments and accounting.", None),
            ("Marketing", "Campaigns, channels and attribution.", None),
            ("Operations", "Orders, fulfilment, stock and logistics.", None),
            ("Product", "The catalogue, prices and product usage.", None),
            ("Risk", "Fraud, credit and compliance risk.", None),
        ),
    ),
    "Compliance": (
        "Regulations a data asset falls under.",
        False,
        (
            ("GDPR", "EU General Data Protection Regulation.", None),
            ("CCPA", "California Consumer Privacy Act.", None),
            ("HIPAA", "US Health Insurance Portability and Accountability Act.", None),
            ("SOX", "Sarbanes-Oxley: financial reporting controls.", None),
            ("PCI_DSS", "Payment Card Industry Data Security Standard.", None),
        ),
    ),
}
# Glossary terms a label may name (`source: Glossary`): (FQN, description).
GLOSSARY_TERMS: tuple[tuple[str, str], ...] = (
    ("Business.Customer", "A person or company that bought at least once."),
    ("Business.Revenue", "Order value net of discounts, VAT and refunds."),
    ("Business.Churn", "A customer with no order for 90 days."),
)
SEED_TAG_FQNS: tuple[str, ...] = tuple(
    f"{classification}.{tag[0]}"
    for classification, (_, _, tags) in CLASSIFICATIONS.items()
    for tag in tags
)
_SERVERS = {
    "mlflow_prod": "http://mlflow-serving.internal:8080/{name}/invocations",
    "sagemaker_prod": "https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/{name}/invocations",
    "vertex_ai": "https://europe-west4-aiplatform.googleapis.com/v1/projects/shop-ml/locations/"
    "europe-west4/endpoints/{name}:predict",
}
_STORES = {
    "mlflow_prod": {"storage": "s3://ml-artifacts/mlflow/{name}"},
    "sagemaker_prod": {
        "storage": "s3://ml-artifacts/sagemaker/{name}/model.tar.gz",
        "imageRepository": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/{name}",
    },
    "vertex_ai": {"storage": "gs://shop-ml-models/{name}"},
    "sklearn_lab": {"storage": "file:///lab/models/{name}.joblib"},
}


def seed_id(entity_type: str, entity_fqn: str) -> str:
    """The id of a seeded entity, e.g. `seed_id("mlmodel", "mlflow_prod.churn_predictor")`."""
    return seed_uuid(entity_type, entity_fqn)


def user_ref(name: str) -> dict[str, str]:
    return {"id": seed_uuid("user", name), "type": "user"}


def team_ref(name: str) -> dict[str, str]:
    return {"id": seed_uuid("team", name), "type": "team"}


def _ref(entity_type: str, name: str) -> dict[str, str]:
    return {"id": seed_uuid(entity_type, name), "type": entity_type}


class Seeder:
    """Writes the seed through the repository, one minute of seed time per write."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.store = repo.store
        self.tick = 0
        self.people = [name for name, _ in SEED_PEOPLE]

    def actor(self, name: str = SEED_ADMIN) -> Actor:
        now = SEED_EPOCH_MS + self.tick * 60_000
        self.tick += 1
        user_id = seed_uuid("user", name)
        return Actor(
            name=name,
            user_id=user_id,
            now=now,
            subject=Subject.unchecked(name, user_id),
            is_admin=name == SEED_ADMIN,
        )

    def create(self, entity_type: str, body: dict[str, Any]) -> Entity:
        kind = self.repo.kinds[entity_type]
        draft = kind.prepare(validate(kind.create, body), self.repo.resolver)
        return self.repo.insert(kind, draft, self.actor(), seed_uuid(entity_type, draft.fqn))

    def update(self, entity_type: str, body: dict[str, Any], by: str) -> None:
        self.repo.upsert(self.repo.kinds[entity_type], body, self.actor(by))

    def plain(self, entity_type: str, name: str, doc: dict[str, Any]) -> None:
        """Entities the catalog references but does not serve (teams, domains, data products,
        dashboards); a dashboard's `name` is its FQN, `<dashboard service>.<name>`."""
        dashboard = entity_type == "dashboard"
        self.store.save(
            Entity(
                id=seed_uuid(entity_type, name),
                type=entity_type,
                name=name.rsplit(".", 1)[1] if dashboard else name,
                fqn=name if dashboard else fqn.quote(name),
                service=None,
                database=None,
                schema=None,
                deleted=False,
                version=1,
                updated_at=SEED_EPOCH_MS,
                updated_by=SEED_ADMIN,
                doc=doc,
            )
        )

    def define(self, entity_type: str, body: dict[str, Any]) -> None:
        """Create an entity the system provides, at the seed's first instant (the clock of
        the other writes does not move)."""
        kind = self.repo.kinds[entity_type]
        draft = kind.prepare(validate(kind.create, body), self.repo.resolver)
        actor = Actor(
            name=SEED_ADMIN,
            user_id=SEED_ADMIN_ID,
            now=SEED_EPOCH_MS,
            subject=Subject.unchecked(SEED_ADMIN, SEED_ADMIN_ID),
            is_admin=True,
        )
        self.repo.insert(kind, draft, actor, seed_uuid(entity_type, draft.fqn))

    def _tags(self) -> None:
        for classification, (description, exclusive, tags) in CLASSIFICATIONS.items():
            self.define(
                "classification",
                {
                    "name": classification,
                    "description": description,
                    "provider": "system",
                    "mutuallyExclusive": exclusive,
                },
            )
            for name, tag_description, color in tags:
                body: dict[str, Any] = {
                    "name": name,
                    "classification": classification,
                    "description": tag_description,
                    "provider": "system",
                }
                if color is not None:
                    body["style"] = {"color": color}
                self.define("tag", body)
        for term_fqn, term_description in GLOSSARY_TERMS:
            self.store.add_tag(
                Tag(
                    fqn=term_fqn,
                    id=seed_uuid("tag", term_fqn),
                    source="Glossary",
                    name=term_fqn.rsplit(".", 1)[1],
                    display_name=None,
                    description=term_description,
                    style=None,
                )
            )

    def run(self) -> None:
        self._tags()
        self._access_control()
        for team in GROUP_TEAMS:
            self.plain(
                "team",
                team,
                {
                    "displayName": team.replace("-", " ").title(),
                    "teamType": "Group",
                    "parents": [_ref("team", "Engineering")],
                },
            )
        self.plain(
            "team",
            "Engineering",
            {
                "displayName": "Engineering",
                "teamType": "BusinessUnit",
                "parents": [_ref("team", ORGANIZATION)],
            },
        )
        for domain in DOMAINS:
            self.plain("domain", domain, {"displayName": domain, "domainType": "Aggregate"})
        for product, domain in DATA_PRODUCTS.items():
            self.plain("dataProduct", product, {"displayName": product, "domain": domain})
        for dashboard, display_name in DASHBOARDS.items():
            self.plain("dashboard", dashboard, {"displayName": display_name})
        self._users()
        self._services()
        bodies = {table.name: self._table(i, table) for i, table in enumerate(TABLES)}
        models = {model.name: self._model(i, model) for i, model in enumerate(MODELS)}
        self._history(bodies, models)
        self._social()

    def _access_control(self) -> None:
        """The default policies and roles, and `Organization`, which every user is in."""
        for policy, rules in DEFAULT_POLICIES.items():
            self.plain("policy", policy, {"enabled": True, "rules": rules})
        for role, policies in DEFAULT_ROLES.items():
            self.plain(
                "role",
                role,
                {"displayName": role, "policies": [_ref("policy", p) for p in policies]},
            )
        self.plain(
            "team",
            ORGANIZATION,
            {
                "displayName": ORGANIZATION,
                "teamType": "Organization",
                "defaultRoles": [_ref("role", DATA_CONSUMER)],
                "policies": [_ref("policy", ORGANIZATION_POLICY)],
            },
        )

    def _users(self) -> None:
        self.create(
            "user",
            {
                "name": SEED_ADMIN,
                "email": "admin@example.com",
                "displayName": "Admin",
                "isAdmin": True,
            },
        )
        for i, (name, display_name) in enumerate(SEED_PEOPLE):
            first, last = display_name.lower().replace("'", "").replace("ü", "ue").split(" ")
            self.create(
                "user",
                {
                    "name": name,
                    "displayName": display_name,
                    "email": f"{first}.{last}@example.com",
                    "teams": [seed_uuid("team", GROUP_TEAMS[i // 5])] if i < 10 else [],
                    "roles": [seed_uuid("role", DATA_STEWARD)] if name == SEED_DATA_STEWARD else [],
                },
            )

    def _services(self) -> None:
        for i, (name, service_type, description, config) in enumerate(ML_SERVICES):
            self.create(
                "mlmodelService",
                {
                    "name": name,
                    "serviceType": service_type,
                    "description": description,
                    "connection": {"config": config},
                    "owners": [team_ref(GROUP_TEAMS[0]) if i % 2 == 0 else user_ref("alice")],
                },
            )
        for name, service_type, description, databases in DATABASE_SERVICES:
            self.create(
                "databaseService",
                {
                    "name": name,
                    "serviceType": service_type,
                    "description": description,
                    "owners": [team_ref(GROUP_TEAMS[1])],
                },
            )
            for database, schemas in databases.items():
                self.create("database", {"name": database, "service": name, "default": True})
                for schema, schema_description in schemas.items():
                    self.create(
                        "databaseSchema",
                        {
                            "name": schema,
                            "database": f"{name}.{database}",
                            "description": schema_description,
                        },
                    )

    def _table(self, i: int, table: SeedTable) -> dict[str, Any]:
        columns = parse_columns(table.columns)
        body: dict[str, Any] = {
            "name": table.name,
            "databaseSchema": table.schema,
            "description": table.description,
            "tableType": table.table_type,
            "columns": columns,
            "tags": [label(t) for t in table.tags],
            "owners": [user_ref(self.people[(i * 3) % 19])],
        }
        keys = [c["name"] for c in columns if c.get("constraint") == "PRIMARY_KEY"]
        if len(keys) > 1:
            body["tableConstraints"] = [{"constraintType": "PRIMARY_KEY", "columns": keys}]
        if i % 4 == 0:
            body["domains"] = [DOMAINS[i % 3]]
        self.create("table", body)
        return body

    def _model(self, i: int, model: SeedModel) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": model.name,
            "service": model.service,
            "displayName": model.display_name,
            "description": model.description,
            "algorithm": model.algorithm,
            "mlFeatures": [parse_feature(f) for f in model.features],
            "mlHyperParameters": parse_params(model.params),
            "tags": [label(t) for t in model.tags],
            "owners": [user_ref(self.people[i % 19])],
            "mlStore": {k: v.format(name=model.name) for k, v in _STORES[model.service].items()},
        }
        if model.target is not None:
            body["target"] = model.target
        server = _SERVERS.get(model.service)
        if server is not None:
            body["server"] = server.format(name=model.name)
        if i % 3 == 0:
            body["owners"].append(team_ref(GROUP_TEAMS[i % 2]))
        if model.service == "mlflow_prod" and i % 2 == 0:
            body["domains"] = ["Marketing"]
            body["dataProducts"] = ["CustomerInsights"]
        if model.name in REGISTRY_LINKED_MODELS:
            body["extension"] = {"registryModelRid": registry_model_rid(model.name)}
        self.create("mlmodel", body)
        return body

    def _history(
        self, tables: dict[str, dict[str, Any]], models: dict[str, dict[str, Any]]
    ) -> None:
        churn = models["churn_predictor"]
        churn["description"] += " Retrained monthly on the last 18 months of orders."
        self.update("mlmodel", churn, "alice")
        churn["algorithm"] = "LightGBM"
        churn["mlHyperParameters"] = parse_params(
            "num_leaves=31; learning_rate=0.05; n_estimators=600"
        )
        self.update("mlmodel", churn, "alice")
        churn["tags"].append(label("Business.Churn"))
        self.update("mlmodel", churn, "bob")
        fraud = models["fraud_detector"]
        fraud["server"] = _SERVERS["sagemaker_prod"].format(name="fraud-detector-v2")
        self.update("mlmodel", fraud, "carol")
        fraud["description"] += " Served by the v2 endpoint since March."
        self.update("mlmodel", fraud, "carol")
        ltv = models["customer_ltv"]
        ltv["description"] += " Used by CRM to rank outreach."
        self.update("mlmodel", ltv, "david")
        customers = tables["customers"]
        customers["columns"].append(
            {
                "name": "loyalty_tier",
                "dataType": "VARCHAR",
                "dataLength": 20,
                "dataTypeDisplay": "varchar(20)",
                "description": "bronze, silver or gold",
                "ordinalPosition": len(customers["columns"]) + 1,
            }
        )
        self.update("table", customers, "farah")
        orders = tables["orders"]
        orders["description"] = "One row per checkout, including cancelled ones."
        self.update("table", orders, "george")

    def _social(self) -> None:
        """Followers and votes, straight into the relationship table (no versions)."""
        people = [seed_uuid("user", name) for name in self.people]
        for kind, items in (
            (self.repo.kinds["mlmodel"], [f"{m.service}.{m.name}" for m in MODELS]),
            (self.repo.kinds["table"], [f"{t.schema}.{t.name}" for t in TABLES]),
        ):
            self._spread(kind, items, people)

    def _spread(self, kind: EntityKind, fqns: list[str], people: list[str]) -> None:
        for i, entity_fqn in enumerate(fqns):
            entity_id = seed_uuid(kind.type, entity_fqn)
            for k in range(i % 5):
                self.store.link(people[(i * 5 + k) % 19], entity_id, "follows")
            up, down = i % 4, 1 if i % 3 == 0 else 0
            for k in range(up + down):
                relation = "votedUp" if k < up else "votedDown"
                self.store.link(people[(i * 7 + k) % 19], entity_id, relation)


def seed_catalog(repo: Repository) -> None:
    Seeder(repo).run()
