"""Upstream paths become bounded route templates."""

from __future__ import annotations

import pytest

from gateway.upstream.routes import route_template


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/v1/mlmodels", "/v1/mlmodels"),
        ("/v1/mlmodels/6c3c1b2e-8a8f-4a3e-9a59-7b7f1f0a9d10", "/v1/mlmodels/{id}"),
        ("/v1/mlmodels/name/mlflow_prod.churn%2Fv2", "/v1/mlmodels/name/{name}"),
        ("/v1/mlmodels/bulk", "/v1/mlmodels/bulk"),
        ("/v1/tables/t-1/followers/u-1", "/v1/tables/{id}/followers/{userId}"),
        ("/v1/tables/t-1/vote", "/v1/tables/{id}/vote"),
        ("/v1/services/mlmodelServices/s-1", "/v1/services/mlmodelServices/{id}"),
        ("/v1/users/loggedInUser", "/v1/users/loggedInUser"),
        (
            "/api/v2/models/ri.models.main.model.1/versions/ri.models.main.model-version.2",
            "/api/v2/models/{modelRid}/versions/{versionRid}",
        ),
        ("/api/v2/models/ri.m.1/promoteVersion", "/api/v2/models/{modelRid}/promoteVersion"),
        ("/", "/"),
    ],
)
def test_values_become_placeholders_and_literals_stay(path: str, template: str) -> None:
    assert route_template(path) == template


def test_a_caller_chosen_value_never_becomes_a_literal_of_its_own() -> None:
    templates = {route_template(f"/v1/mlmodels/name/{name}") for name in ("a", "b", "a%20b")}
    assert templates == {"/v1/mlmodels/name/{name}"}
