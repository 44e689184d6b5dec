"""Registry emulator: create-version bodies the server refuses, and the ones it accepts."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from tests.contract.registry_records import error_of
from tests.emulator.registry import create_version

MODEL_API: dict[str, Any] = {
    "inputs": [
        {
            "type": "tabular",
            "name": "customers",
            "columns": [{"name": "customer_id", "dataType": {"type": "string"}}],
        },
        {"type": "parameter", "name": "threshold", "dataType": {"type": "double"}},
    ],
    "outputs": [{"type": "parameter", "name": "score", "dataType": {"type": "double"}}],
}
NEW_VERSION: dict[str, Any] = {
    "modelFiles": {"type": "dill", "serializedModelFunction": "gASVLg=="},
    "condaRequirements": ["python=3.11"],
    "modelApi": MODEL_API,
}


def _with(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(NEW_VERSION)
    body.update(changes)
    return body


def test_unknown_fields_inside_model_api_are_rejected(registry: httpx.Client) -> None:
    api = copy.deepcopy(MODEL_API)
    api["inputs"][1]["description"] = "cut-off"

    response = create_version(registry, _with(modelApi=api))

    assert error_of(response.status_code, response.content) == (
        400,
        "INVALID_ARGUMENT",
        "Default:InvalidArgument",
        {"message": "modelApi.inputs[1]: unknown field 'description'"},
    )


def _api(inputs: list[dict[str, Any]], outputs: list[dict[str, Any]] | None = None) -> Any:
    return {"inputs": inputs, "outputs": outputs if outputs is not None else []}


def _param(name: str, data_type: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "parameter", "name": name, "dataType": data_type or {"type": "double"}}


def _table(name: str, *columns: str) -> dict[str, Any]:
    cols = [{"name": c, "dataType": {"type": "string"}} for c in columns]
    return {"type": "tabular", "name": name, "columns": cols}


@pytest.mark.parametrize(
    ("api", "parameters"),
    [
        (
            _api([_table("customers", "id"), _param("customers")]),
            {
                "errorType": "DUPLICATE_INPUT_NAME",
                "message": "Input name 'customers' is declared more than once.",
            },
        ),
        (
            _api([], [_param("score"), _param("score")]),
            {
                "errorType": "DUPLICATE_OUTPUT_NAME",
                "message": "Output name 'score' is declared more than once.",
            },
        ),
        (
            _api([_table("customers", "id", "id")]),
            {
                "errorType": "DUPLICATE_COLUMN_NAME",
                "message": "Column name 'id' is declared more than once in 'customers'.",
            },
        ),
        (
            _api([_table("customers", " ")]),
            {"errorType": "EMPTY_NAME", "message": "modelApi.inputs[0].columns[0].name is empty."},
        ),
        (
            _api([_param("x", {"type": "unsupported", "unsupportedType": "t", "params": {}})]),
            {
                "errorType": "UNSUPPORTED_TYPE",
                "message": "modelApi.inputs[0].dataType uses the 'unsupported' type, "
                "which cannot be created through the API.",
            },
        ),
    ],
)
def test_invalid_model_api(registry: httpx.Client, api: Any, parameters: dict[str, str]) -> None:
    response = create_version(registry, _with(modelApi=api))

    assert error_of(response.status_code, response.content) == (
        400,
        "INVALID_ARGUMENT",
        "InvalidModelApi",
        parameters,
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_with(modelFiles=None), "body: missing required field 'modelFiles'"),
        (
            _with(modelFiles={"type": "dill", "serializedModelFunction": "%%%"}),
            "modelFiles.serializedModelFunction: not base64",
        ),
        (_with(modelFiles={"type": "onnx"}), "modelFiles: unknown type 'onnx'"),
        (_with(modelApi=None), "body: missing required field 'modelApi'"),
        (
            _with(modelApi=_api([_param("x", {"type": "decimal"})])),
            "modelApi.inputs[0].dataType: unknown data type 'decimal'",
        ),
        (
            _with(modelApi=_api([{**_table("t", "a"), "format": "ARROW"}])),
            "modelApi.inputs[0].format: unknown format 'ARROW'",
        ),
        (_with(condaRequirements="numpy"), "condaRequirements: expected a list"),
    ],
)
def test_unreadable_version_body_is_invalid_argument(
    registry: httpx.Client, body: dict[str, Any], message: str
) -> None:
    response = create_version(registry, body)

    assert error_of(response.status_code, response.content) == (
        400,
        "INVALID_ARGUMENT",
        "Default:InvalidArgument",
        {"message": message},
    )


@pytest.mark.parametrize(
    ("conda", "parameters"),
    [
        (
            ["python=3.11", "scikit learn"],
            {
                "errorType": "INVALID_MATCH_SPEC",
                "errorMessage": "Invalid match spec: 'scikit learn'",
            },
        ),
        (
            ["numpy=1.26.4", "pandas>=2", "numpy==2.1.3"],
            {
                "errorType": "PACKAGE_CONFLICT",
                "errorMessage": "conflicting requests for package 'numpy': '1.26.4' and '2.1.3'",
            },
        ),
    ],
)
def test_unsolvable_conda_requirements(
    registry: httpx.Client, conda: list[str], parameters: dict[str, str]
) -> None:
    response = create_version(registry, _with(condaRequirements=conda))

    assert error_of(response.status_code, response.content) == (
        400,
        "INVALID_ARGUMENT",
        "CondaSolveFailureForProvidedPackages",
        parameters,
    )


def test_match_specs_with_channels_and_ranges_are_accepted(registry: httpx.Client) -> None:
    conda = ["conda-forge::numpy>=1.26,<2", "python", "pandas=2.2.*", "numpy=1.26.4"]

    response = create_version(registry, _with(condaRequirements=conda))

    assert (response.status_code, response.json()["condaRequirements"]) == (200, conda)
