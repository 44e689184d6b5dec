"""Seed data: ML model services and ~30 ML models whose features read seeded table columns.

A feature is written `name:numerical|categorical <- table.column:sourceType, ...` with the
table named relative to its database service (`postgres_shop.shop.public.customers`).
Hyper-parameters are `name=value` pairs separated by `;`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.emulator.ids import seed_uuid

# (name, service type, description, connection config)
ML_SERVICES: tuple[tuple[str, str, str, dict[str, object]], ...] = (
    (
        "mlflow_prod",
        "Mlflow",
        "Production MLflow tracking server and model registry.",
        {
            "type": "Mlflow",
            "trackingUri": "http://mlflow.internal:5000",
            "registryUri": "mysql+pymysql://mlflow@mlflow-db.internal:3306/mlflow",
        },
    ),
    (
        "sagemaker_prod",
        "SageMaker",
        "Amazon SageMaker endpoints of the payments team.",
        {
            "type": "SageMaker",
            "awsConfig": {
                "awsAccessKeyId": "AKIAEXAMPLEKEY",
                "awsSecretAccessKey": "example-secret-access-key",
                "awsRegion": "eu-west-1",
            },
        },
    ),
    (
        "vertex_ai",
        "VertexAI",
        "Google Vertex AI models for forecasting and marketing.",
        {
            "type": "VertexAI",
            "credentials": {"gcpConfig": {"type": "external_account"}},
            "location": "europe-west4",
        },
    ),
    (
        "sklearn_lab",
        "Sklearn",
        "Scikit-learn experiments of the data science lab.",
        {"type": "Sklearn"},
    ),
)


@dataclass(frozen=True, slots=True)
class SeedModel:
    service: str
    name: str
    display_name: str
    algorithm: str
    description: str
    target: str | None
    features: tuple[str, ...]
    params: str = ""
    tags: tuple[str, ...] = ()


_PG = "postgres_shop.shop"
_CF = "bigquery_analytics.events_prod.ml_features.customer_features"
_PF = "bigquery_analytics.events_prod.ml_features.product_features"
_TF = "bigquery_analytics.events_prod.ml_features.transaction_features"
_FS = "bigquery_analytics.events_prod.ml_features.fraud_signals"
_SF = "bigquery_analytics.events_prod.ml_features.session_features"
_DH = "bigquery_analytics.events_prod.ml_features.demand_history"
_SS = "bigquery_analytics.events_prod.ml_features.store_sales"
_MK = "bigquery_analytics.events_prod.marketing"
_DC = "snowflake_dw.analytics.marts.dim_customer"
_CL = "snowflake_dw.analytics.marts.churn_labels"
_LTV = "snowflake_dw.analytics.marts.customer_ltv_snapshot"

MODELS: tuple[SeedModel, ...] = (
    SeedModel("mlflow_prod", "churn_predictor", "Churn predictor", "XGBoost",
        "Probability that a customer places no order in the next 90 days.", "churned",
        (f"tenure_days:numerical <- {_CF}.tenure_days:integer",
         f"orders_90d:numerical <- {_CF}.orders_90d:integer",
         f"days_since_last_order:numerical <- {_CF}.days_since_last_order:integer, "
         f"{_CL}.days_since_last_order:integer",
         f"support_tickets_90d:numerical <- {_CF}.support_tickets_90d:integer",
         f"country:categorical <- {_CF}.country_code:string"),
        "max_depth=6; eta=0.1; n_estimators=400; subsample=0.8", ("Tier.Tier1",)),
    SeedModel("mlflow_prod", "churn_predictor_prod", "Churn predictor (production)", "XGBoost",
        "Production deployment of the churn predictor, promoted from the staging model.",
        "churned",
        (f"tenure_days:numerical <- {_CF}.tenure_days:integer",
         f"orders_90d:numerical <- {_CF}.orders_90d:integer",
         f"days_since_last_order:numerical <- {_CF}.days_since_last_order:integer"),
        "max_depth=6; eta=0.1; n_estimators=400", ("Tier.Tier1", "Lifecycle.Production")),
    SeedModel("mlflow_prod", "customer_ltv", "Customer lifetime value", "LightGBM",
        "Expected revenue of a customer over the next 12 months.", "ltv_actual",
        (f"revenue_90d:numerical <- {_CF}.revenue_90d:number",
         f"avg_basket_value:numerical <- {_CF}.avg_basket_value:number",
         f"revenue_12m:numerical <- {_LTV}.revenue_12m:number",
         f"segment:categorical <- {_DC}.segment:string"),
        "num_leaves=63; learning_rate=0.05; n_estimators=800", ("Tier.Tier2",)),
    SeedModel("mlflow_prod", "product_recommender", "Product recommender", "ALS",
        "Implicit-feedback recommender ranking products for each customer.", None,
        (f"views_7d:numerical <- {_PF}.views_7d:integer",
         f"add_to_cart_rate:numerical <- {_PF}.add_to_cart_rate:number",
         f"category:categorical <- {_PF}.category:string"),
        "factors=128; regularization=0.01; iterations=20", ("Tier.Tier2",)),
    SeedModel("mlflow_prod", "price_elasticity", "Price elasticity", "BayesianRidge",
        "Estimated demand response to price changes per category.", "units_sold",
        (f"price:numerical <- {_DH}.price:number",
         f"promo_active:categorical <- {_DH}.promo_active:boolean"),
        "alpha_1=1e-6; lambda_1=1e-6"),
    SeedModel("mlflow_prod", "basket_affinity", "Basket affinity", "FPGrowth",
        "Association rules between products bought together.", None,
        (f"product:categorical <- {_PG}.public.order_items.product_id:integer",),
        "min_support=0.01; min_confidence=0.2"),
    SeedModel("mlflow_prod", "email_open_propensity", "Email open propensity",
        "LogisticRegression", "Probability that a customer opens a marketing email.", "opened",
        (f"hour_of_day:numerical <- {_MK}.email_events.hour_of_day:integer",
         f"tenure_days:numerical <- {_CF}.tenure_days:integer"),
        "C=0.5; penalty=l2", ("Lifecycle.Staging",)),
    SeedModel("mlflow_prod", "search_ranker", "Search ranker", "LambdaMART",
        "Learning-to-rank model ordering site search results.", "clicked_rank",
        ("results:numerical <- bigquery_analytics.events_prod.web.searches.results:integer",
         f"avg_rating:numerical <- {_PF}.avg_rating:number"),
        "num_leaves=31; learning_rate=0.1"),
    SeedModel("mlflow_prod", "review_sentiment", "Review sentiment", "DistilBERT",
        "Sentiment of product reviews, from very negative to very positive.", "rating",
        (f"body:categorical <- {_PG}.public.product_reviews.body:string",),
        "max_length=256; epochs=3; batch_size=32"),
    SeedModel("mlflow_prod", "next_best_offer", "Next best offer", "ContextualBandit",
        "Chooses the promotion to show to a customer.", None,
        (f"segment:categorical <- {_DC}.segment:string",
         f"revenue_90d:numerical <- {_CF}.revenue_90d:number"),
        "epsilon=0.05; policy=linucb", ("Lifecycle.Experimental",)),
    SeedModel("mlflow_prod", "return_reason_classifier", "Return reason classifier",
        "RandomForest", "Classifies free-text return reasons into reason codes.", "reason",
        (f"reason:categorical <- {_PG}.public.returns.reason:string",),
        "n_estimators=200; max_depth=12"),
    SeedModel("mlflow_prod", "customer_age_estimator", "Customer age estimator", "GradientBoosting",
        "Estimates the age band of customers who did not provide one.", "age",
        (f"age:numerical <- {_PG}.public.customers.age:integer",
         f"country:categorical <- {_PG}.public.customers.country_code:string"),
        "n_estimators=300; learning_rate=0.05", ("PII.Sensitive",)),
    SeedModel("sagemaker_prod", "fraud_detector", "Fraud detector", "XGBoost",
        "Scores card payments for fraud before capture.", "is_fraud",
        (f"amount:numerical <- {_TF}.amount:number",
         f"velocity_1h:numerical <- {_TF}.velocity_1h:integer",
         f"card_country:categorical <- {_TF}.card_country:string",
         f"ip_country:categorical <- {_TF}.ip_country:string",
         f"bin_risk:numerical <- {_FS}.bin_risk:number",
         f"is_new_device:categorical <- {_TF}.is_new_device:boolean"),
        "max_depth=8; eta=0.05; scale_pos_weight=25", ("Tier.Tier1", "PII.Sensitive")),
    SeedModel("sagemaker_prod", "credit_risk_scorer", "Credit risk scorer", "LogisticRegression",
        "Risk that a buy-now-pay-later order is not repaid.", "defaulted",
        (f"account_age_days:numerical <- {_TF}.account_age_days:integer",
         f"orders_90d:numerical <- {_CF}.orders_90d:integer"),
        "C=1.0; class_weight=balanced", ("Tier.Tier2",)),
    SeedModel("sagemaker_prod", "payment_anomaly_detector", "Payment anomaly detector",
        "RandomCutForest", "Flags unusual payment volumes per merchant and hour.", None,
        (f"amount:numerical <- {_PG}.public.payments.amount:number",),
        "num_trees=100; num_samples_per_tree=256"),
    SeedModel("sagemaker_prod", "chargeback_predictor", "Chargeback predictor", "XGBoost",
        "Probability that a captured payment is charged back.", "won",
        (f"chargeback_history:numerical <- {_FS}.chargeback_history:integer",
         f"address_mismatch:categorical <- {_FS}.address_mismatch:boolean"),
        "max_depth=5; eta=0.1"),
    SeedModel("sagemaker_prod", "return_risk_classifier", "Return risk classifier", "LightGBM",
        "Probability that an order item is returned.", "refunded",
        (f"discount:numerical <- {_PG}.public.order_items.discount:number",
         f"quantity:numerical <- {_PG}.public.order_items.quantity:integer"),
        "num_leaves=31; learning_rate=0.05"),
    SeedModel("sagemaker_prod", "address_validator", "Address validator", "SequenceTagger",
        "Normalises and validates postal addresses.", "is_valid",
        (f"postal_code:categorical <- {_PG}.public.addresses.postal_code:string",
         f"city:categorical <- {_PG}.public.addresses.city:string"),
        "hidden_size=256", ("PII.Sensitive",)),
    SeedModel("sagemaker_prod", "delivery_eta_regressor", "Delivery ETA regressor",
        "LinearLearner", "Predicted delivery time of a shipment in days.", "delivered_at",
        (f"distance_km:numerical <- {_PG}.public.shipments.distance_km:number",
         f"carrier:categorical <- {_PG}.public.shipments.carrier:string"),
        "predictor_type=regressor; epochs=15"),
    SeedModel("vertex_ai", "demand_forecaster", "Demand forecaster", "TemporalFusionTransformer",
        "Daily unit demand per product and store, 28 days ahead.", "units_sold",
        (f"units_sold:numerical <- {_DH}.units_sold:integer",
         f"price:numerical <- {_DH}.price:number",
         f"promo_active:categorical <- {_DH}.promo_active:boolean",
         "temp_max_c:numerical <- bigquery_analytics.events_prod.ml_features.weather_daily."
         "temp_max_c:number"),
        "hidden_size=64; attention_heads=4; max_encoder_length=90", ("Tier.Tier1",)),
    SeedModel("vertex_ai", "inventory_optimizer", "Inventory optimizer", "MixedIntegerProgram",
        "Reorder quantities that minimise stock-outs and holding cost.", None,
        (f"on_hand:numerical <- {_PG}.inventory.stock_levels.on_hand:integer",
         f"lead_time_days:numerical <- {_PG}.public.suppliers.lead_time_days:integer"),
        "service_level=0.95"),
    SeedModel("vertex_ai", "store_sales_forecaster", "Store sales forecaster", "AutoML Forecasting",
        "Weekly revenue per store.", "revenue",
        (f"footfall:numerical <- {_SS}.footfall:integer",
         f"region:categorical <- {_SS}.region:string"),
        "optimization_objective=minimize-rmse"),
    SeedModel("vertex_ai", "campaign_uplift", "Campaign uplift", "TwoModelUplift",
        "Incremental conversion caused by a campaign touch.", "converted",
        (f"treatment:categorical <- {_MK}.campaign_touches.treatment_group:string",
         f"tenure_days:numerical <- {_CF}.tenure_days:integer"),
        "base_learner=gbm", ("Lifecycle.Experimental",)),
    SeedModel("vertex_ai", "ad_spend_allocator", "Ad spend allocator", "BayesianMMM",
        "Media mix model splitting ad budget across channels.", "revenue",
        (f"spend:numerical <- {_MK}.ad_spend.spend:number",
         f"channel:categorical <- {_MK}.ad_spend.channel:string"),
        "adstock=geometric; saturation=hill"),
    SeedModel("vertex_ai", "session_intent_classifier", "Session intent classifier",
        "AutoML Tabular",
        "Predicts whether a session will end with a purchase.", "converted",
        (f"page_views:numerical <- {_SF}.page_views:integer",
         f"cart_adds:numerical <- {_SF}.cart_adds:integer",
         f"device:categorical <- {_SF}.device:string"),
        "budget_milli_node_hours=1000"),
    SeedModel("sklearn_lab", "customer_segmentation", "Customer segmentation", "KMeans",
        "Clusters customers into behavioural segments.", None,
        (f"revenue_90d:numerical <- {_CF}.revenue_90d:number",
         f"orders_90d:numerical <- {_CF}.orders_90d:integer"),
        "n_clusters=8; init=k-means++"),
    SeedModel("sklearn_lab", "churn_baseline", "Churn baseline", "LogisticRegression",
        "Simple baseline the churn predictor is compared against.", "churned",
        (f"days_since_last_order:numerical <- {_CL}.days_since_last_order:integer",),
        "C=1.0", ("Lifecycle.Experimental",)),
    SeedModel("sklearn_lab", "ltv_baseline", "LTV baseline", "Ridge",
        "Linear baseline for customer lifetime value.", "ltv_actual",
        (f"orders_12m:numerical <- {_LTV}.orders_12m:integer",), "alpha=1.0"),
    SeedModel("sklearn_lab", "anomaly_isolation_forest", "Refund anomaly detector",
        "IsolationForest", "Finds unusual refunds for manual review.", None,
        (f"amount:numerical <- {_PG}.billing.refunds.amount:number",),
        "n_estimators=200; contamination=0.01"),
    SeedModel("sklearn_lab", "lead_scoring", "Lead scoring", "GradientBoostingClassifier",
        "Scores newsletter sign-ups by their chance to buy.", "converted",
        (f"campaign:categorical <- {_MK}.campaign_touches.campaign_id:integer",),
        "n_estimators=150; max_depth=3"),
)  # fmt: skip


def parse_params(spec: str) -> list[dict[str, str]]:
    pairs = (item.strip().partition("=") for item in spec.split(";") if item.strip())
    return [{"name": name, "value": value} for name, _, value in pairs]


def parse_feature(spec: str) -> dict[str, Any]:
    head, _, sources = spec.partition(" <- ")
    name, _, data_type = head.partition(":")
    feature: dict[str, Any] = {"name": name, "dataType": data_type, "featureSources": []}
    for source in sources.split(", "):
        column_fqn, _, source_type = source.partition(":")
        table_fqn, _, column = column_fqn.rpartition(".")
        feature["featureSources"].append(
            {
                "name": column,
                "dataType": source_type,
                "dataSource": {"id": seed_uuid("table", table_fqn), "type": "table"},
            }
        )
    return feature
