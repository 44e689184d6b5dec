"""Input translation and checks, and the mapping of failures to typed errors (no upstream)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import strawberry

from gateway.base.errors import (
    BadUserInputError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    UpstreamError,
)
from gateway.domain.mutations.inputs import (
    FeatureSourceInput,
    HyperParameterInput,
    MlFeatureInput,
    MlModelInput,
    MlStoreInput,
    OwnerInput,
    OwnerType,
    ServiceInput,
    TagInput,
    model_body,
    model_fqn,
    service_body,
)
from gateway.domain.mutations.results import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    expected,
)
from gateway.domain.types.common import ServiceKind
from gateway.domain.types.enums import FeatureDataType, FeatureSourceDataType, TagSource
from gateway.domain.validation import check_branch, check_choice, check_fqn, check_uri

USER = "6f0c7a52-2b1d-4c1e-9a1f-3d2e1c0b9a87"
TABLE = "1a2b3c4d-0000-4000-8000-00000000000a"
RID = "ri.models.main.model.7d4c1c0e-3a8e-4c59-9d0b-5a2f6c1e9b11"


def test_model_body_maps_every_field_to_the_catalog_shape() -> None:
    # given
    model = MlModelInput(
        name="churn",
        service="mlflow_prod",
        display_name="Churn",
        description="d",
        algorithm="XGBoost",
        target="churned",
        server="https://serve/churn",
        source_url="https://git/churn",
        ml_store=MlStoreInput(storage="s3://m", image_repository=None),
        ml_features=[
            MlFeatureInput(
                name="age",
                data_type=FeatureDataType.NUMERICAL,
                feature_sources=[
                    FeatureSourceInput(
                        name="age",
                        data_type=FeatureSourceDataType.INTEGER,
                        table_id=strawberry.ID(TABLE),
                    )
                ],
                tags=[TagInput(tag_fqn="PII.Sensitive")],
            )
        ],
        ml_hyper_parameters=[HyperParameterInput(name="eta", value="0.3")],
        owners=[OwnerInput(id=strawberry.ID(USER.upper()), type=OwnerType.TEAM)],
        tags=[TagInput(tag_fqn="Business.Churn", source=TagSource.GLOSSARY)],
        domains=["Marketing"],
        registry_model_rid=RID,
    )
    # when
    body = model_body(model, "input", "registryModelRid")
    # then
    assert body == {
        "name": "churn",
        "service": "mlflow_prod",
        "displayName": "Churn",
        "description": "d",
        "algorithm": "XGBoost",
        "target": "churned",
        "server": "https://serve/churn",
        "sourceUrl": "https://git/churn",
        "mlStore": {"storage": "s3://m"},
        "mlFeatures": [
            {
                "name": "age",
                "dataType": "numerical",
                "featureSources": [
                    {
                        "name": "age",
                        "dataType": "integer",
                        "dataSource": {"id": TABLE, "type": "table"},
                    }
                ],
                "tags": [
                    {
                        "tagFQN": "PII.Sensitive",
                        "source": "Classification",
                        "labelType": "Manual",
                        "state": "Confirmed",
                    }
                ],
            }
        ],
        "mlHyperParameters": [{"name": "eta", "value": "0.3"}],
        "owners": [{"id": USER, "type": "team"}],
        "tags": [
            {
                "tagFQN": "Business.Churn",
                "source": "Glossary",
                "labelType": "Manual",
                "state": "Confirmed",
            }
        ],
        "domains": ["Marketing"],
        "extension": {"registryModelRid": RID},
    }


def test_model_body_leaves_out_what_was_not_given() -> None:
    body = model_body(MlModelInput(name="m", service="s"), "input", "link")
    assert body == {"name": "m", "service": "s"}


def test_service_body() -> None:
    service = ServiceInput(
        kind=ServiceKind.DATABASE,
        name="pg",
        service_type="Postgres",
        description="d",
        owners=[OwnerInput(id=strawberry.ID(USER))],
    )
    assert service_body(service, "input") == {
        "name": "pg",
        "serviceType": "Postgres",
        "description": "d",
        "owners": [{"id": USER, "type": "user"}],
    }


@pytest.mark.parametrize(
    ("model", "argument"),
    [
        (MlModelInput(name="x" * 257, service="s"), "in[2].name"),
        (MlModelInput(name="m", service="s\n"), "in[2].service"),
        (MlModelInput(name="m", service="s", source_url="/relative"), "in[2].sourceUrl"),
        (
            MlModelInput(name="m", service="s", tags=[TagInput(tag_fqn="")]),
            "in[2].tags[0].tagFQN",
        ),
        (
            MlModelInput(name="m", service="s", ml_features=[MlFeatureInput(name="a::b")]),
            "in[2].mlFeatures[0].name",
        ),
        (
            MlModelInput(
                name="m",
                service="s",
                ml_features=[
                    MlFeatureInput(name="f", feature_sources=[FeatureSourceInput(name="")])
                ],
            ),
            "in[2].mlFeatures[0].featureSources[0].name",
        ),
    ],
)
def test_model_body_names_the_offending_argument(model: MlModelInput, argument: str) -> None:
    with pytest.raises(BadUserInputError) as caught:
        model_body(model, "in[2]", "link")
    assert caught.value.extensions == {"argument": argument}


@pytest.mark.parametrize(
    ("body", "fqn"),
    [
        ({"name": "churn", "service": "mlflow_prod"}, "mlflow_prod.churn"),
        ({"name": "churn.v2", "service": "mlflow_prod"}, 'mlflow_prod."churn.v2"'),
        ({"name": "m", "service": '"my.svc"'}, '"my.svc".m'),
    ],
)
def test_model_fqn_quotes_dotted_names(body: dict[str, str], fqn: str) -> None:
    assert model_fqn(body) == fqn


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (check_fqn, ""),
        (check_fqn, "a" * 3073),
        (check_uri, "host/path"),
        (check_uri, "https://a b"),
        (check_branch, ""),
        (check_branch, "-x"),
        (check_branch, "a b"),
    ],
)
def test_checks_reject(check: Callable[[str, str], str], value: str) -> None:
    with pytest.raises(BadUserInputError) as caught:
        check(value, "arg")
    assert caught.value.extensions == {"argument": "arg"}


def test_checks_accept() -> None:
    assert check_fqn('svc."a.b".c', "a") == 'svc."a.b".c'
    assert check_uri("s3://bucket/key", "a") == "s3://bucket/key"
    assert check_branch("release/2025.1_rc-1", "a") == "release/2025.1_rc-1"
    assert check_choice("Mlflow", frozenset({"Mlflow"}), "a") == "Mlflow"
    with pytest.raises(BadUserInputError):
        check_choice("mlflow", frozenset({"Mlflow"}), "a")


@pytest.mark.parametrize(
    ("error", "typed"),
    [
        (ConflictError("c", upstream="catalog", status=409), Conflict(message="c")),
        (NotFoundError("n", upstream="catalog", status=404), NotFound(message="n")),
        (ForbiddenError("f", upstream="catalog", status=403), PermissionDenied(message="f")),
        (
            BadUserInputError("[name must not be null]", upstream="catalog", status=400),
            InvalidInput(message="[name must not be null]", field="input.name"),
        ),
        (
            BadUserInputError("Invalid request format", upstream="catalog", status=400),
            InvalidInput(message="Invalid request format", field=None),
        ),
        (
            BadUserInputError("bad", extensions={"argument": "input.tags[0].tagFQN"}),
            InvalidInput(message="bad", field="input.tags[0].tagFQN"),
        ),
        (UpstreamError("down", upstream="catalog", status=503), None),
    ],
)
def test_expected_failures_become_typed_errors_and_others_do_not(
    error: BadUserInputError, typed: object
) -> None:
    assert expected(error) == typed
