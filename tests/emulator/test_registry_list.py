"""Registry emulator: list model versions per branch, paging and its errors."""

from __future__ import annotations

import httpx
import pytest

from gateway.emulator.ids import registry_version_rid
from gateway.emulator.registry.seed import (
    CHURN_MODEL_RID,
    MASTER_VERSION_RIDS,
    ML_MODELS_FOLDER_RID,
    MODEL_RIDS,
    STAGING_MODEL_RID,
    STAGING_VERSION_RID,
)
from tests.conftest import EmulatorHandle
from tests.contract.registry_records import decode_page, error_of
from tests.emulator.registry import MINIMAL_VERSION, UNKNOWN_MODEL


def _list(registry: httpx.Client, model: str, **params: str | int) -> httpx.Response:
    return registry.get(f"/api/v2/models/{model}/versions", params=params)


def _rids(response: httpx.Response) -> list[str]:
    return [v["rid"] for v in response.json()["data"]]


def _all_pages(registry: httpx.Client, model: str, **params: str | int) -> list[list[str]]:
    pages: list[list[str]] = []
    token: str | None = None
    while True:
        response = _list(registry, model, **params, **({"pageToken": token} if token else {}))
        assert response.status_code == 200
        decode_page(response.content)
        pages.append(_rids(response))
        token = response.json().get("nextPageToken")
        if token is None:
            return pages


def test_master_lists_newest_first_in_one_page(registry: httpx.Client) -> None:
    # when the seeded churn_predictor versions are listed with default paging
    response = _list(registry, CHURN_MODEL_RID)

    # then all four come newest first, without a next page token
    assert response.status_code == 200
    assert list(response.json()) == ["data"]
    assert _rids(response) == [registry_version_rid("churn_predictor", i) for i in (4, 3, 2, 1)]
    created = [v["createdTime"] for v in response.json()["data"]]
    assert created == sorted(created, reverse=True)


def test_master_is_the_default_branch(registry: httpx.Client) -> None:
    default = _list(registry, STAGING_MODEL_RID)
    master = _list(registry, STAGING_MODEL_RID, branch="master")

    assert _rids(default) == _rids(master) == list(MASTER_VERSION_RIDS["fraud_detector"])
    assert STAGING_VERSION_RID not in _rids(default)


def test_other_branch_holds_its_own_versions(registry: httpx.Client) -> None:
    response = _list(registry, STAGING_MODEL_RID, branch="staging")

    assert (response.status_code, _rids(response)) == (200, [STAGING_VERSION_RID])


def test_unknown_branch_is_an_empty_page(registry: httpx.Client) -> None:
    response = _list(registry, CHURN_MODEL_RID, branch="no-such-branch")

    assert (response.status_code, response.json()) == (200, {"data": []})


def test_list_of_unknown_model_is_model_not_found(registry: httpx.Client) -> None:
    response = _list(registry, UNKNOWN_MODEL)

    assert error_of(response.status_code, response.content) == (
        404,
        "NOT_FOUND",
        "ModelNotFound",
        {"modelRid": UNKNOWN_MODEL},
    )


@pytest.mark.parametrize("size", [1, 2, 3])
def test_paging_visits_every_version_once(registry: httpx.Client, size: int) -> None:
    # given every seeded model
    for name, rid in MODEL_RIDS.items():
        # when its master branch is paged through with the returned tokens
        pages = _all_pages(registry, rid, pageSize=size)

        # then pages hold `size` versions (the last one the rest), in list order, once each
        flat = [r for page in pages for r in page]
        assert flat == list(MASTER_VERSION_RIDS[name]), name
        assert [len(p) for p in pages[:-1]] == [size] * (len(pages) - 1)
        assert 1 <= len(pages[-1]) <= size


def test_exact_fit_has_no_empty_last_page(registry: httpx.Client) -> None:
    pages = _all_pages(registry, CHURN_MODEL_RID, pageSize=2)

    assert [len(p) for p in pages] == [2, 2]


def test_versions_added_while_paging_are_not_repeated(registry: httpx.Client) -> None:
    # given the first page of two
    first = _list(registry, CHURN_MODEL_RID, pageSize=2)
    token = first.json()["nextPageToken"]

    # when a version is published before the next page is read
    created = registry.post(f"/api/v2/models/{CHURN_MODEL_RID}/versions", json=MINIMAL_VERSION)
    assert created.status_code == 200
    second = _list(registry, CHURN_MODEL_RID, pageSize=2, pageToken=token)

    # then the second page continues where the first stopped
    assert _rids(first) + _rids(second) == list(MASTER_VERSION_RIDS["churn_predictor"])
    # and a fresh listing starts with the new version
    assert _rids(_list(registry, CHURN_MODEL_RID, pageSize=1)) == [created.json()["rid"]]


def test_page_size_defaults_to_100_and_is_clamped_to_1000(registry: httpx.Client) -> None:
    # given a model with 1001 versions on master
    model = registry.post(
        "/api/v2/models", json={"name": "many", "parentFolderRid": ML_MODELS_FOLDER_RID}
    ).json()["rid"]
    for _ in range(1001):
        registry.post(f"/api/v2/models/{model}/versions", json=MINIMAL_VERSION)

    # when a page is asked for without a size, and with 5000
    default = _list(registry, model)
    large = _list(registry, model, pageSize=5000)

    # then the first holds 100, the second 1000, and both point at the rest
    assert (len(default.json()["data"]), "nextPageToken" in default.json()) == (100, True)
    assert (len(large.json()["data"]), "nextPageToken" in large.json()) == (1000, True)
    rest = _list(registry, model, pageSize=5000, pageToken=large.json()["nextPageToken"])
    assert (len(rest.json()["data"]), "nextPageToken" in rest.json()) == (1, False)


@pytest.mark.parametrize("size", [0, -1])
def test_non_positive_page_size_is_invalid(registry: httpx.Client, size: int) -> None:
    response = _list(registry, CHURN_MODEL_RID, pageSize=size)

    assert error_of(response.status_code, response.content) == (
        400,
        "INVALID_ARGUMENT",
        "InvalidPageSize",
        {"pageSize": size},
    )


def test_non_integer_page_size_is_invalid_argument(registry: httpx.Client) -> None:
    response = _list(registry, CHURN_MODEL_RID, pageSize="ten")

    assert error_of(response.status_code, response.content) == (
        400,
        "INVALID_ARGUMENT",
        "Default:InvalidArgument",
        {"message": "pageSize: expected an integer, got 'ten'"},
    )


def _token(registry: httpx.Client, model: str, branch: str = "master") -> str:
    token = _list(registry, model, pageSize=1, branch=branch).json()["nextPageToken"]
    assert token.startswith("v1.")
    return str(token)


@pytest.mark.parametrize(
    "token",
    ["not-a-real-token", "v1.%%%", "v1.eyJvZmZzZXQiOjF9", ""],
    ids=["garbage", "bad-base64", "foreign-token", "empty"],
)
def test_bad_page_token_is_invalid(registry: httpx.Client, token: str) -> None:
    response = _list(registry, CHURN_MODEL_RID, pageToken=token)

    assert error_of(response.status_code, response.content) == (
        400,
        "INVALID_ARGUMENT",
        "InvalidPageToken",
        {"pageToken": token},
    )


def test_token_of_another_model_is_invalid(registry: httpx.Client) -> None:
    token = _token(registry, MODEL_RIDS["fraud_detector"])

    response = _list(registry, CHURN_MODEL_RID, pageToken=token)

    assert error_of(response.status_code, response.content) == (
        400,
        "INVALID_ARGUMENT",
        "InvalidPageToken",
        {"pageToken": token},
    )


def test_token_of_another_branch_is_invalid(registry: httpx.Client) -> None:
    token = _token(registry, STAGING_MODEL_RID)

    response = _list(registry, STAGING_MODEL_RID, branch="staging", pageToken=token)

    assert response.status_code == 400
    assert response.json()["errorName"] == "InvalidPageToken"


def test_page_holding_an_unsupported_version_fails(
    registry: httpx.Client, emulator: EmulatorHandle
) -> None:
    # given the oldest churn_predictor version marked unsupported
    oldest = registry_version_rid("churn_predictor", 1)
    emulator.admin.put(
        f"/registry/versions/{oldest}/unsupported",
        json={"unsupported": True},
    ).raise_for_status()

    # when the page holding it is listed
    page = _list(registry, CHURN_MODEL_RID)

    # then the whole call fails
    assert error_of(page.status_code, page.content) == (
        400,
        "INVALID_ARGUMENT",
        "UnsupportedModelSource",
        {},
    )
    # and a page without it still answers
    first = _list(registry, CHURN_MODEL_RID, pageSize=3)
    assert first.status_code == 200
