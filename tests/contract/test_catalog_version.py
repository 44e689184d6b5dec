"""The catalog's `GET /api/v1/system/version` as the official OpenMetadata SDK uses it.

When a client is built (`OpenMetadata(config)`, `metadata.sdk.configure(...)`), the SDK
(openmetadata-ingestion 1.13, `metadata/ingestion/ometa/mixins/server_mixin.py`) reads
`["version"]` of this endpoint's answer, keeps the first `\\d+.\\d+.\\d+` of it, and raises
`VersionMismatchException` unless its major and minor parts equal the client's own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from gateway.emulator.app import create_emulator_app
from gateway.emulator.config import CATALOG_VERSION, EmulatorConfig
from tests.conftest import EmulatorHandle

PATH = "/api/v1/system/version"
# No `openMetadataServerVersion.json` is among the contract schemas: this is its shape, as
# upstream's `openmetadata-spec/.../json/schema/api/openMetadataServerVersion.json` declares
# it (generated into the SDK's `metadata.generated.schema.api.openMetadataServerVersion.
# OpenMetadataServerVersion`, which forbids extra keys). The timestamp is resolved against
# the contract's `type/basic.json`.
SERVER_VERSION_SCHEMA: dict[str, Any] = {
    "title": "OpenMetadataServerVersion",
    "type": "object",
    "properties": {
        "version": {"type": "string"},
        "revision": {"type": "string"},
        "timestamp": {"$ref": "../type/basic.json#/definitions/timestamp"},
    },
    "additionalProperties": False,
}


def sdk_server_version(raw: str) -> str:
    """What the SDK's `get_server_version_from_string` keeps of the version."""
    found = re.match(r"\d+.\d+.\d+", raw)
    assert found is not None, raw
    return found.group(0)


def server_version_validator(contracts_dir: Path) -> Draft7Validator:
    """The schema above, with `type/basic.json` taken from the contracts."""
    basic = contracts_dir / "openmetadata" / "schema" / "type" / "basic.json"
    registry: Registry = Registry().with_resource(
        basic.as_uri(),
        Resource.from_contents(json.loads(basic.read_text()), default_specification=DRAFT7),
    )
    # `$id` beside the contract's `api/` folder, where upstream keeps the file.
    schema = {**SERVER_VERSION_SCHEMA, "$id": (basic.parent.parent / "api" / "v.json").as_uri()}
    return Draft7Validator(schema, registry=registry, format_checker=FormatChecker())


def test_the_version_answers_without_a_token_and_fits_the_sdk_model(
    emulator_server: EmulatorHandle, contracts_dir: Path
) -> None:
    # when the version is asked for as the SDK does, with no token
    response = httpx.get(f"{emulator_server.url}{PATH}")

    # then the answer validates against the server-version schema
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert [e.message for e in server_version_validator(contracts_dir).iter_errors(body)] == []
    # and carries every field, the version being the 1.13 one the SDK of 1.13 accepts
    assert set(body) == {"version", "revision", "timestamp"}
    assert body["version"] == CATALOG_VERSION == "1.13.0"
    assert sdk_server_version(body["version"]).split(".")[:2] == ["1", "13"]
    assert re.fullmatch(r"[0-9a-f]{40}", body["revision"])
    assert isinstance(body["timestamp"], int)


def test_the_schema_check_catches_drift(contracts_dir: Path) -> None:
    # given an answer wrong three ways: a number version, a text timestamp, an extra key
    drifted = {"version": 1.13, "timestamp": "yesterday", "build": "x"}

    # when it is validated, then each is reported
    errors = sorted(e.message for e in server_version_validator(contracts_dir).iter_errors(drifted))
    assert len(errors) == 3
    assert any("'build' was unexpected" in e for e in errors)


async def test_the_version_is_configurable() -> None:
    # given an emulator configured to report another 1.13 build
    config = EmulatorConfig(data=":memory:", catalog_version="1.13.6-SNAPSHOT")
    transport = httpx.ASGITransport(app=create_emulator_app(config))

    # when the version is asked for
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        response = await client.get(PATH)

    # then it is the configured one, which the SDK reads as 1.13.6
    assert response.json()["version"] == "1.13.6-SNAPSHOT"
    assert sdk_server_version(response.json()["version"]) == "1.13.6"
