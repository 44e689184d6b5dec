"""Request bodies of the registry: read, checked and rebuilt in canonical wire form.

Two layers, as on the real server: a body that cannot be read as the declared type
(bad JSON, a missing required field, an unknown field or union variant, a wrong JSON
type) is a `Default:InvalidArgument`; a readable body that breaks a rule of the API is
that rule's error (`InvalidModelApi`, `CondaSolveFailureForProvidedPackages`).

The emulator's rules for the semantic errors (the real ones are not documented):
- `InvalidModelApi`: `DUPLICATE_INPUT_NAME`, `DUPLICATE_OUTPUT_NAME`,
  `DUPLICATE_COLUMN_NAME`, `EMPTY_NAME` (a blank input, output or column name) and
  `UNSUPPORTED_TYPE` (an `unsupported` variant: servers use it for what the API cannot
  express, so clients cannot send it).
- `CondaSolveFailureForProvidedPackages`: `INVALID_MATCH_SPEC` (not `[channel::]name`
  optionally followed by version constraints) and `PACKAGE_CONFLICT` (one package pinned
  to two different exact versions).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Final

from gateway.emulator.registry.errors import RegistryError, bad_request

SIMPLE_DATA_TYPES: Final = frozenset(
    {"date", "boolean", "string", "double", "integer", "float", "long", "timestamp", "any"}
)
TABULAR_FORMATS: Final = frozenset({"PANDAS", "SPARK"})

_VERSION = r"[A-Za-z0-9_.*+!-]+"
_CONSTRAINT = rf"(?:==|=|>=|<=|>|<|!=|~=)\s*{_VERSION}"
_MATCH_SPEC = re.compile(
    rf"^(?:[A-Za-z0-9_.-]+::)?(?P<name>[A-Za-z0-9_][A-Za-z0-9_.-]*)"
    rf"(?:\s*{_CONSTRAINT}(?:\s*,\s*{_CONSTRAINT})*)?$"
)
_EXACT_PIN = re.compile(
    rf"^(?:[A-Za-z0-9_.-]+::)?([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*==?\s*({_VERSION})$"
)


@dataclass(frozen=True, slots=True)
class NewModel:
    name: str
    parent_folder_rid: str


@dataclass(frozen=True, slots=True)
class NewVersion:
    model_api: dict[str, Any]
    conda_requirements: list[str]
    backing_repositories: list[str]


@dataclass(frozen=True, slots=True)
class Promotion:
    source_model_version_rid: str
    branch: str


def _object(value: object, where: str, required: set[str], optional: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"{where}: expected an object")
    unknown = sorted(set(value) - required - optional)
    if unknown:
        raise bad_request(f"{where}: unknown field '{unknown[0]}'")
    missing = sorted(k for k in required if value.get(k) is None)
    if missing:
        raise bad_request(f"{where}: missing required field '{missing[0]}'")
    return value


def _string(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise bad_request(f"{where}: expected a string")
    return value


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise bad_request(f"{where}: expected a boolean")
    return value


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_request(f"{where}: expected a list")
    return value


def _strings(value: object, where: str) -> list[str]:
    return [_string(item, f"{where}[{i}]") for i, item in enumerate(_list(value, where))]


def _params(value: object, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_request(f"{where}: expected an object")
    return {k: _string(v, f"{where}.{k}") for k, v in value.items()}


def _union_type(value: object, where: str) -> str:
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise bad_request(f"{where}: expected an object with a string 'type'")
    return str(value["type"])


def _unsupported(where: str) -> RegistryError:
    return RegistryError(
        "InvalidModelApi",
        errorType="UNSUPPORTED_TYPE",
        message=f"{where} uses the 'unsupported' type, which cannot be created through the API.",
    )


def _name(value: object, where: str) -> str:
    name = _string(value, where)
    if not name.strip():
        raise RegistryError("InvalidModelApi", errorType="EMPTY_NAME", message=f"{where} is empty.")
    return name


def _data_type(value: object, where: str) -> dict[str, Any]:
    kind = _union_type(value, where)
    if kind in SIMPLE_DATA_TYPES:
        _object(value, where, {"type"}, set())
        return {"type": kind}
    if kind == "array":
        raw = _object(value, where, {"type", "itemType"}, set())
        return {"type": kind, "itemType": _data_type(raw["itemType"], f"{where}.itemType")}
    if kind == "map":
        raw = _object(value, where, {"type", "keyType", "valueType"}, set())
        return {
            "type": kind,
            "keyType": _data_type(raw["keyType"], f"{where}.keyType"),
            "valueType": _data_type(raw["valueType"], f"{where}.valueType"),
        }
    if kind == "unsupported":
        raise _unsupported(where)
    raise bad_request(f"{where}: unknown data type '{kind}'")


def _required_flag(raw: dict[str, Any], where: str, out: dict[str, Any]) -> None:
    if raw.get("required") is not None:
        out["required"] = _bool(raw["required"], f"{where}.required")


def _column(value: object, where: str) -> dict[str, Any]:
    raw = _object(value, where, {"name", "dataType"}, {"required"})
    out: dict[str, Any] = {"name": _name(raw["name"], f"{where}.name")}
    _required_flag(raw, where, out)
    out["dataType"] = _data_type(raw["dataType"], f"{where}.dataType")
    return out


def _io(value: object, where: str) -> dict[str, Any]:
    kind = _union_type(value, where)
    out: dict[str, Any] = {"type": kind}
    if kind == "tabular":
        raw = _object(value, where, {"type", "name", "columns"}, {"required", "format"})
        out["name"] = _name(raw["name"], f"{where}.name")
        _required_flag(raw, where, out)
        if raw.get("format") is not None:
            fmt = _string(raw["format"], f"{where}.format")
            if fmt not in TABULAR_FORMATS:
                raise bad_request(f"{where}.format: unknown format '{fmt}'")
            out["format"] = fmt
        columns = [
            _column(c, f"{where}.columns[{i}]")
            for i, c in enumerate(_list(raw["columns"], f"{where}.columns"))
        ]
        _no_duplicates(
            [c["name"] for c in columns],
            "DUPLICATE_COLUMN_NAME",
            f"Column name '{{}}' is declared more than once in '{out['name']}'.",
        )
        out["columns"] = columns
        return out
    if kind == "parameter":
        raw = _object(value, where, {"type", "name", "dataType"}, {"required"})
        out["name"] = _name(raw["name"], f"{where}.name")
        _required_flag(raw, where, out)
        out["dataType"] = _data_type(raw["dataType"], f"{where}.dataType")
        return out
    if kind == "unsupported":
        raise _unsupported(where)
    raise bad_request(f"{where}: unknown input/output type '{kind}'")


def _no_duplicates(names: list[str], error_type: str, message: str) -> None:
    for name, count in Counter(names).items():
        if count > 1:
            raise RegistryError(
                "InvalidModelApi", errorType=error_type, message=message.format(name)
            )


def model_api(value: object) -> dict[str, Any]:
    """A ModelApi in canonical form (known fields only, in wire order)."""
    raw = _object(value, "modelApi", {"inputs", "outputs"}, set())
    inputs = [
        _io(v, f"modelApi.inputs[{i}]")
        for i, v in enumerate(_list(raw["inputs"], "modelApi.inputs"))
    ]
    outputs = [
        _io(v, f"modelApi.outputs[{i}]")
        for i, v in enumerate(_list(raw["outputs"], "modelApi.outputs"))
    ]
    _no_duplicates(
        [i["name"] for i in inputs],
        "DUPLICATE_INPUT_NAME",
        "Input name '{}' is declared more than once.",
    )
    _no_duplicates(
        [o["name"] for o in outputs],
        "DUPLICATE_OUTPUT_NAME",
        "Output name '{}' is declared more than once.",
    )
    return {"inputs": inputs, "outputs": outputs}


def conda_requirements(value: object) -> list[str]:
    specs = _strings(value, "condaRequirements")
    pins: dict[str, str] = {}
    for spec in specs:
        if not _MATCH_SPEC.match(spec.strip()):
            raise RegistryError(
                "CondaSolveFailureForProvidedPackages",
                errorType="INVALID_MATCH_SPEC",
                errorMessage=f"Invalid match spec: '{spec}'",
            )
        pin = _EXACT_PIN.match(spec.strip())
        if pin is None:
            continue
        name, version = pin.group(1).lower(), pin.group(2)
        if pins.get(name, version) != version:
            raise RegistryError(
                "CondaSolveFailureForProvidedPackages",
                errorType="PACKAGE_CONFLICT",
                errorMessage=f"conflicting requests for package '{name}': "
                f"'{pins[name]}' and '{version}'",
            )
        pins[name] = version
    return specs


def _model_files(value: object) -> None:
    kind = _union_type(value, "modelFiles")
    if kind != "dill":
        raise bad_request(f"modelFiles: unknown type '{kind}'")
    raw = _object(value, "modelFiles", {"type", "serializedModelFunction"}, set())
    payload = _string(raw["serializedModelFunction"], "modelFiles.serializedModelFunction")
    try:
        decoded = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise bad_request("modelFiles.serializedModelFunction: not base64") from None
    if not decoded:
        raise bad_request("modelFiles.serializedModelFunction: empty")


def new_model(body: object) -> NewModel:
    raw = _object(body, "body", {"name", "parentFolderRid"}, set())
    return NewModel(
        name=_string(raw["name"], "name"),
        parent_folder_rid=_string(raw["parentFolderRid"], "parentFolderRid"),
    )


def invalid_display_name(name: str) -> bool:
    """The filesystem's rule, plus the empty name (which no folder can hold)."""
    return name in ("", ".", "..") or "/" in name or len(name) > 700


def new_version(body: object) -> NewVersion:
    raw = _object(
        body,
        "body",
        {"modelFiles", "modelApi"},
        {"backingRepositories", "condaRequirements"},
    )
    _model_files(raw["modelFiles"])
    repositories = _strings(raw.get("backingRepositories"), "backingRepositories")
    api = model_api(raw["modelApi"])
    return NewVersion(
        model_api=api,
        conda_requirements=conda_requirements(raw.get("condaRequirements")),
        backing_repositories=repositories,
    )


def promotion(body: object) -> Promotion:
    raw = _object(body, "body", {"sourceModelVersionRid"}, {"branch"})
    branch = "master"
    if raw.get("branch") is not None:
        branch = _string(raw["branch"], "branch")
        if not branch:
            raise bad_request("branch: empty")
    return Promotion(
        source_model_version_rid=_string(raw["sourceModelVersionRid"], "sourceModelVersionRid"),
        branch=branch,
    )
