"""The contents of the registry seed: every seeded version, model by model (see `seed`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gateway.emulator.ids import PROMOTION, registry_model_rid, registry_version_rid, seed_uuid


def _repo(key: str) -> str:
    return f"ri.stemma.main.repository.{seed_uuid('registry-repository', key)}"


def _experiment(key: str) -> str:
    return f"ri.models.main.experiment.{seed_uuid('registry-experiment', key)}"


def _studio(key: str) -> str:
    return f"ri.models.main.model-studio.{seed_uuid('registry-studio', key)}"


def _workspace(key: str) -> str:
    return f"ri.code-workspaces.main.workspace.{seed_uuid('registry-workspace', key)}"


def _t(kind: str) -> dict[str, Any]:
    return {"type": kind}


def _array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "itemType": item}


def _map(key: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "map", "keyType": key, "valueType": value}


def _col(
    name: str, data_type: dict[str, Any] | str, required: bool | None = None
) -> dict[str, Any]:
    column: dict[str, Any] = {"name": name}
    if required is not None:
        column["required"] = required
    column["dataType"] = _t(data_type) if isinstance(data_type, str) else data_type
    return column


def _tabular(
    name: str, columns: list[dict[str, Any]], fmt: str | None = None, required: bool | None = None
) -> dict[str, Any]:
    io: dict[str, Any] = {"type": "tabular", "name": name}
    if required is not None:
        io["required"] = required
    if fmt is not None:
        io["format"] = fmt
    io["columns"] = columns
    return io


def _param(
    name: str, data_type: dict[str, Any] | str, required: bool | None = None
) -> dict[str, Any]:
    io: dict[str, Any] = {"type": "parameter", "name": name}
    if required is not None:
        io["required"] = required
    io["dataType"] = _t(data_type) if isinstance(data_type, str) else data_type
    return io


@dataclass(frozen=True, slots=True)
class SeedVersion:
    created: str
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    conda: list[str]
    source: dict[str, Any]
    repositories: list[str] = field(default_factory=list)
    experiment: str | None = None
    branch: str = "master"


def _code_repo(key: str, branch: str) -> dict[str, Any]:
    return {"type": "codeRepository", "repositoryRid": _repo(key), "branch": branch}


def _churn() -> list[SeedVersion]:
    base = [_col("customer_id", "string"), _col("tenure_months", "integer")]
    spend = _col("monthly_spend", "double")
    login = _col("last_login", "timestamp", required=False)
    extra = [
        _col("tags", _array(_t("string")), required=False),
        _col("attributes", _map(_t("string"), _t("any")), required=False),
    ]
    out = [_col("customer_id", "string"), _col("churn_probability", "double")]
    threshold = _param("threshold", "double", required=False)
    repo = [_repo("churn")]
    return [
        SeedVersion(
            "2024-09-12T08:30:00.000Z",
            [_tabular("customers", [*base, spend])],
            [_tabular("predictions", out)],
            ["python=3.10", "pandas=1.5.3", "scikit-learn==1.3.2"],
            {"type": "sdk"},
            repo,
        ),
        SeedVersion(
            "2024-11-05T14:12:31.250Z",
            [_tabular("customers", [*base, spend, login]), threshold],
            [_tabular("predictions", out)],
            ["python=3.11", "pandas=2.1.4", "scikit-learn==1.4.2"],
            _code_repo("churn", "master"),
            repo,
            _experiment("churn#2"),
        ),
        SeedVersion(
            "2025-01-21T10:03:44.118Z",
            [_tabular("customers", [*base, spend, login, *extra]), threshold],
            [_tabular("predictions", [*out, _col("will_churn", "boolean")])],
            ["python=3.11", "pandas=2.2.2", "scikit-learn==1.5.2"],
            _code_repo("churn", "feature/usage-signals"),
            repo,
            _experiment("churn#3"),
        ),
        SeedVersion(
            "2025-03-04T16:45:09.902Z",
            [
                _tabular(
                    "customers",
                    [
                        _col("customer_id", "string", required=True),
                        _col("tenure_months", "integer", required=True),
                        _col("monthly_spend", "double", required=True),
                    ],
                    fmt="PANDAS",
                    required=True,
                ),
                threshold,
            ],
            [
                _tabular(
                    "predictions",
                    [
                        _col("customer_id", "string", required=True),
                        _col("churn_probability", "double", required=True),
                    ],
                    fmt="PANDAS",
                    required=True,
                )
            ],
            ["python=3.11", "pandas=2.2.2", "scikit-learn==1.5.2", "joblib>=1.3,<2"],
            {"type": "sdk"},
            repo,
        ),
    ]


def _churn_prod(churn: list[SeedVersion]) -> list[SeedVersion]:
    def promoted(index: int, created: str) -> SeedVersion:
        origin = churn[index - 1]
        source = {
            "type": "promoted",
            "previousModelRid": registry_model_rid(PROMOTION[0]),
            "previousModelVersionRid": registry_version_rid(PROMOTION[0], index),
        }
        return SeedVersion(
            created,
            origin.inputs,
            origin.outputs,
            origin.conda,
            source,
            origin.repositories,
            origin.experiment,
        )

    legacy = SeedVersion(
        "2024-06-03T12:00:00.000Z",
        [_tabular("customers", [_col("customer_id", "string"), _col("tenure_months", "long")])],
        [_tabular("predictions", [_col("churn_probability", "double")])],
        [],
        {"type": "external"},
    )
    return [
        legacy,
        promoted(2, "2024-11-18T09:00:00.000Z"),
        promoted(3, "2025-02-03T09:30:00.000Z"),
    ]


def _customer_ltv() -> list[SeedVersion]:
    orders = [
        _col("customer_id", "string"),
        _col("order_count", "long"),
        _col("total_spend", "float"),
        _col("first_order_date", "date"),
        _col("last_order_at", "timestamp", required=False),
    ]
    ltv = [_col("customer_id", "string"), _col("predicted_ltv", "double")]
    horizon = _param("horizon_months", "integer")
    return [
        SeedVersion(
            "2024-08-14T07:20:00.000Z",
            [_tabular("orders", orders, fmt="SPARK")],
            [_tabular("ltv", ltv, fmt="SPARK")],
            ["python=3.10", "lightgbm=4.3.0", "pyspark=3.5.1"],
            {"type": "modelStudio", "modelStudioRid": _studio("ltv")},
        ),
        SeedVersion(
            "2024-12-02T11:48:12.500Z",
            [_tabular("orders", orders, fmt="SPARK"), horizon],
            [_tabular("ltv", [*ltv, _col("segment", "string")], fmt="SPARK")],
            ["python=3.11", "lightgbm=4.5.0", "pyspark=3.5.1"],
            {"type": "modelStudio", "modelStudioRid": _studio("ltv")},
            experiment=_experiment("ltv#2"),
        ),
        SeedVersion(
            "2025-02-11T15:05:37.004Z",
            [_tabular("orders", orders, fmt="SPARK", required=True), horizon],
            [_tabular("ltv", [*ltv, _col("segment", "string")], fmt="SPARK")],
            ["python=3.11", "lightgbm=4.5.0", "pyspark=3.5.3"],
            {"type": "codeWorkspace", "codeWorkspaceRid": _workspace("ltv"), "branch": "main"},
            [_repo("ltv")],
        ),
    ]


def _fraud() -> list[SeedVersion]:
    txns = [
        _col("transaction_id", "string"),
        _col("amount", "double"),
        _col("currency", "string"),
        _col("merchant_category", "string"),
        _col("card_present", "boolean"),
        _col("event_time", "timestamp"),
        _col("features", _map(_t("string"), _t("double")), required=False),
    ]
    scores = [
        _col("transaction_id", "string"),
        _col("fraud_score", "double"),
        _col("is_fraud", "boolean"),
    ]
    inputs = [_tabular("transactions", txns), _param("threshold", "double", required=False)]
    outputs = [_tabular("scores", scores), _param("model_tag", "string")]
    repo = [_repo("fraud")]
    xgb = ["python=3.11", "xgboost=2.1.1", "pandas=2.2.2"]
    return [
        SeedVersion(
            "2024-07-01T09:15:00.000Z",
            [_tabular("transactions", txns[:4])],
            [_tabular("scores", scores[:2])],
            [],
            {"type": "importedContainerizedModel"},
        ),
        SeedVersion(
            "2024-10-09T13:37:21.731Z",
            inputs,
            [_tabular("scores", scores)],
            ["python=3.10", "xgboost=2.0.3", "pandas=2.1.4"],
            _code_repo("fraud", "master"),
            repo,
            _experiment("fraud#2"),
        ),
        SeedVersion(
            "2025-01-07T08:02:55.019Z",
            inputs,
            outputs,
            xgb,
            _code_repo("fraud", "master"),
            repo,
            _experiment("fraud#3"),
        ),
        SeedVersion("2025-02-25T17:40:03.377Z", inputs, outputs, xgb, {"type": "sdk"}, repo),
        SeedVersion(
            "2025-03-18T10:11:12.131Z",
            inputs,
            outputs,
            ["python=3.11", "xgboost=2.1.3", "pandas=2.2.3"],
            _code_repo("fraud", "develop"),
            repo,
            _experiment("fraud#5"),
            branch="staging",
        ),
    ]


def _demand() -> list[SeedVersion]:
    history = [
        _col("store_id", "string"),
        _col("sku", "string"),
        _col("date", "date"),
        _col("units_sold", "long"),
        _col("price", "float"),
        _col("promo", "boolean", required=False),
    ]
    forecast = [
        _col("store_id", "string"),
        _col("sku", "string"),
        _col("date", "date"),
        _col("units_forecast", "double"),
        _col("lower", "double"),
        _col("upper", "double"),
    ]
    workspace = {"type": "codeWorkspace", "codeWorkspaceRid": _workspace("demand")}
    return [
        SeedVersion(
            "2024-09-30T06:00:00.000Z",
            [_tabular("sales_history", history[:5]), _param("horizon_days", "integer")],
            [_tabular("forecast", forecast[:4])],
            ["python=3.10", "prophet=1.1.5", "pandas=2.0.3"],
            {**workspace, "branch": "master"},
        ),
        SeedVersion(
            "2024-12-16T06:00:00.000Z",
            [_tabular("sales_history", history), _param("horizon_days", "integer")],
            [_tabular("forecast", forecast)],
            ["python=3.11", "prophet=1.1.6", "pandas=2.2.2"],
            {**workspace, "branch": "master"},
        ),
        SeedVersion(
            "2025-03-10T06:00:00.000Z",
            [
                _tabular("sales_history", history, fmt="PANDAS"),
                _param("horizon_days", "integer", required=True),
            ],
            [_tabular("forecast", forecast, fmt="PANDAS")],
            ["python=3.11", "statsmodels=0.14.4", "pandas=2.2.3"],
            {**workspace, "branch": "holiday-effects"},
            experiment=_experiment("demand#3"),
        ),
    ]


def _recommender() -> list[SeedVersion]:
    tensor = {"type": "unsupported", "unsupportedType": "tensor", "params": {"shape": "[64]"}}
    user = _param("user_id", "string")
    k = _param("k", "integer", required=False)
    outputs = [
        _param("recommendations", _array(_t("string"))),
        _param("scores", _array(_t("double"))),
    ]
    return [
        SeedVersion(
            "2024-10-22T19:30:00.000Z",
            [_tabular("user_features", [_col("user_id", "string"), _col("embedding", tensor)])],
            outputs,
            ["python=3.10", "implicit=0.7.2", "numpy=1.26.4"],
            {"type": "sdk"},
        ),
        SeedVersion(
            "2025-01-14T12:00:00.000Z",
            [user, k],
            outputs,
            ["python=3.11", "implicit=0.7.2", "numpy=1.26.4"],
            {"type": "modelStudio", "modelStudioRid": _studio("recommender")},
            experiment=_experiment("recommender#2"),
        ),
        SeedVersion(
            "2025-03-12T08:25:41.660Z",
            [user, k, _param("context", _map(_t("string"), _t("string")), required=False)],
            outputs,
            ["python=3.11", "implicit=0.7.2", "numpy=2.1.3"],
            _code_repo("recommender", "master"),
            [_repo("recommender")],
            _experiment("recommender#3"),
        ),
    ]


def seed_versions() -> dict[str, list[SeedVersion]]:
    """Every seeded version by model name, oldest first (index i is version i + 1)."""
    churn = _churn()
    return {
        "churn_predictor": churn,
        "churn_predictor_prod": _churn_prod(churn),
        "customer_ltv": _customer_ltv(),
        "fraud_detector": _fraud(),
        "demand_forecaster": _demand(),
        "product_recommender": _recommender(),
    }
