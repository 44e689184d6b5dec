"""Where the contract schemas come from: missing ones fail tests under CI and skip elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CONTRACTS_HINT, Missing, find_contracts_dir

UNSET = f"GATEWAY_CONTRACTS_DIR is not set: {CONTRACTS_HINT}"


@pytest.mark.parametrize(
    ("ci", "fail"),
    [(None, False), ("", False), ("false", False), ("true", True), ("1", True), (" Yes ", True)],
)
def test_an_unset_directory_fails_only_under_ci(ci: str | None, fail: bool) -> None:
    # given
    environ = {} if ci is None else {"CI": ci}
    # when
    found = find_contracts_dir(environ)
    # then
    assert found == Missing(UNSET, fail=fail)


@pytest.mark.parametrize("ci", ["true", "false"])
def test_a_path_that_is_no_directory_is_missing(tmp_path: Path, ci: str) -> None:
    # given a file where the directory should be
    file = tmp_path / "contracts"
    file.write_text("")
    # when
    found = find_contracts_dir({"GATEWAY_CONTRACTS_DIR": str(file), "CI": ci})
    # then
    assert found == Missing(
        f"GATEWAY_CONTRACTS_DIR={file} is not a directory: {CONTRACTS_HINT}", fail=ci == "true"
    )


@pytest.mark.parametrize("ci", ["true", "false"])
def test_a_directory_is_found(tmp_path: Path, ci: str) -> None:
    assert find_contracts_dir({"GATEWAY_CONTRACTS_DIR": str(tmp_path), "CI": ci}) == tmp_path
