"""Input checks made before any upstream call."""

from __future__ import annotations

import pytest

from gateway.base.errors import BadUserInputError
from gateway.domain.validation import check_uuid

CANONICAL = "0b6c1a52-6f0e-4d53-9f7e-4a7b9a1b2c3d"


@pytest.mark.parametrize(
    "given",
    [
        CANONICAL,
        CANONICAL.upper(),
        "{" + CANONICAL + "}",
        "urn:uuid:" + CANONICAL,
        CANONICAL.replace("-", ""),
    ],
)
def test_a_uuid_in_any_form_python_reads_is_checked_to_its_canonical_form(given: str) -> None:
    assert check_uuid(given) == CANONICAL


@pytest.mark.parametrize(
    "given", ["", "not-a-uuid", CANONICAL[:-1], CANONICAL + "0", CANONICAL.replace("b", "g")]
)
def test_anything_else_is_bad_user_input_naming_the_argument(given: str) -> None:
    with pytest.raises(BadUserInputError) as raised:
        check_uuid(given, "modelId")
    assert raised.value.message == f"`modelId` must be a UUID, got {given!r}."
    assert raised.value.extensions == {"argument": "modelId"}
