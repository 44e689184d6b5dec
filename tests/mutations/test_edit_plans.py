"""Intent -> JSON Patch: what a targeted edit sends for an entity as read, and what it
leaves out (the planner alone; the edits against the catalog are in test_update.py)."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from gateway.base.errors import BadUserInputError
from gateway.domain.mutations.edit_inputs import (
    ColumnEdit,
    Edit,
    TagEdit,
    column_names,
)
from gateway.domain.mutations.patches import plan_model, plan_table
from gateway.upstream.records import MlModelRecord, TableRecord

ALICE = "6f0c0000-0000-4000-8000-00000000000a"
BOB = "6f0c0000-0000-4000-8000-00000000000b"
MARKETING = "d0000000-0000-4000-8000-000000000001"
FINANCE = "d0000000-0000-4000-8000-000000000002"


def label(fqn: str) -> dict[str, str]:
    return {"tagFQN": fqn, "source": "Classification", "labelType": "Manual", "state": "Confirmed"}


def model(**fields: Any) -> MlModelRecord:
    body = {
        "id": "m1",
        "name": "churn",
        "algorithm": "XGBoost",
        "service": {"id": "s1", "type": "mlmodelService"},
        "version": 0.2,
        "updatedAt": 1,
        **fields,
    }
    return msgspec.convert(body, MlModelRecord)


def column(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, "dataType": "STRUCT" if "children" in fields else "INT", **fields}


def table(*columns: dict[str, Any], **fields: Any) -> TableRecord:
    body = {"id": "t1", "name": "t", "columns": list(columns), "version": 0.1, "updatedAt": 1}
    return msgspec.convert({**body, **fields}, TableRecord)


def test_a_scalar_is_set_replaced_or_removed_as_the_read_has_it() -> None:
    edit = Edit(scalars={"description": "New.", "displayName": "Churn", "target": None})
    plan = plan_model(edit, model(description="Old.", target="churned"), {})
    assert plan.operations == (
        {"op": "remove", "path": "/target"},
        {"op": "add", "path": "/displayName", "value": "Churn"},
        {"op": "replace", "path": "/description", "value": "New."},
    )
    assert plan.guarded  # a removal: sent with the read's ETag


def test_an_edit_that_matches_the_read_plans_nothing() -> None:
    edit = Edit(
        scalars={"description": "Same.", "server": None},
        tags=TagEdit(add=(label("PII.Sensitive"),), remove=("Tier.Tier1",)),
        add_owners=({"id": ALICE, "type": "user"},),
        remove_owners=(BOB,),
        domains=("Marketing",),
        extension={"a": 1, "gone": None},
    )
    record = model(
        description="Same.",
        tags=[label("PII.Sensitive")],
        owners=[{"id": ALICE, "type": "user"}],
        domains=[{"id": MARKETING, "type": "domain", "fullyQualifiedName": "Marketing"}],
        extension={"a": 1},
    )
    assert plan_model(edit, record, {}).operations == ()


def test_tags_are_appended_and_removed_by_tested_index_from_the_highest() -> None:
    edit = Edit(
        tags=TagEdit(
            add=(label("PII.Sensitive"), label("Tier.Tier2")), remove=("Tier.Tier1", "PII.None")
        )
    )
    record = model(tags=[label("PII.None"), label("PII.Sensitive"), label("Tier.Tier1")])
    plan = plan_model(edit, record, {})
    assert plan.operations == (
        {"op": "test", "path": "/tags/2/tagFQN", "value": "Tier.Tier1"},
        {"op": "remove", "path": "/tags/2"},
        {"op": "test", "path": "/tags/0/tagFQN", "value": "PII.None"},
        {"op": "remove", "path": "/tags/0"},
        {"op": "add", "path": "/tags/-", "value": label("Tier.Tier2")},
    )
    assert (plan.guarded, plan.tested) == (True, True)


def test_appends_alone_are_not_guarded() -> None:
    plan = plan_model(Edit(tags=TagEdit(add=(label("PII.Sensitive"),))), model(tags=[]), {})
    assert plan.operations == ({"op": "add", "path": "/tags/-", "value": label("PII.Sensitive")},)
    assert (plan.guarded, plan.tested) == (False, False)


def test_owners_are_added_removed_or_replaced_whole() -> None:
    owners = [{"id": ALICE, "type": "user"}, {"id": BOB, "type": "user"}]
    team = {"id": MARKETING, "type": "team"}
    changes = Edit(add_owners=({"id": BOB, "type": "user"}, team), remove_owners=(ALICE,))
    assert plan_model(changes, model(owners=owners), {}).operations == (
        {"op": "test", "path": "/owners/0/id", "value": ALICE},
        {"op": "remove", "path": "/owners/0"},
        {"op": "add", "path": "/owners/-", "value": team},
    )
    whole = Edit(owners=({"id": BOB, "type": "user"},))
    assert plan_model(whole, model(owners=owners), {}).operations == (
        {"op": "add", "path": "/owners", "value": [{"id": BOB, "type": "user"}]},
    )
    same = Edit(owners=tuple(reversed([dict(o) for o in owners])))
    assert plan_model(same, model(owners=owners), {}).operations == ()
    cleared = plan_model(Edit(owners=()), model(owners=owners), {})
    assert cleared.operations == ({"op": "add", "path": "/owners", "value": []},)


def test_domains_are_replaced_with_references_by_id() -> None:
    current = [{"id": MARKETING, "type": "domain", "fullyQualifiedName": "Marketing"}]
    edit = Edit(domains=("Finance", "Marketing"))
    plan = plan_model(edit, model(domains=current), {"Finance": FINANCE})
    assert plan.operations == (
        {
            "op": "add",
            "path": "/domains",
            "value": [{"id": FINANCE, "type": "domain"}, {"id": MARKETING, "type": "domain"}],
        },
    )
    assert plan_model(Edit(domains=()), model(domains=current), {}).operations == (
        {"op": "add", "path": "/domains", "value": []},
    )


def test_custom_properties_are_a_tested_diff_of_the_ones_named() -> None:
    edit = Edit(extension={"cadence": 7, "card": None, "new": "x"})
    plan = plan_model(edit, model(extension={"cadence": 30, "card": "u", "kept": True}), {})
    assert plan.operations == (
        {"op": "test", "path": "/extension/card", "value": "u"},
        {"op": "remove", "path": "/extension/card"},
        {"op": "add", "path": "/extension/new", "value": "x"},
        {"op": "test", "path": "/extension/cadence", "value": 30},
        {"op": "replace", "path": "/extension/cadence", "value": 7},
    )
    # an entity without custom properties has no object to add one to
    assert plan_model(edit, model(), {}).operations == (
        {"op": "add", "path": "/extension", "value": {"cadence": 7, "new": "x"}},
    )


def test_column_edits_address_the_column_by_index_and_are_guarded() -> None:
    record = table(
        column("id", description="Key."),
        column(
            "address",
            children=[column("street"), column("city", tags=[label("PII.Sensitive")])],
        ),
    )
    edit = Edit(
        columns=(
            ColumnEdit(("id",), "input.columns[0]", {"description": None}, TagEdit()),
            ColumnEdit(
                ("address", "city"),
                "input.columns[1]",
                {"description": "Town."},
                TagEdit(add=(label("PII.NonSensitive"),), remove=("PII.Sensitive",)),
            ),
        )
    )
    plan = plan_table(edit, record, {})
    assert plan.operations == (
        {"op": "test", "path": "/columns/1/children/1/tags/0/tagFQN", "value": "PII.Sensitive"},
        {"op": "remove", "path": "/columns/1/children/1/tags/0"},
        {"op": "remove", "path": "/columns/0/description"},
        {"op": "add", "path": "/columns/1/children/1/description", "value": "Town."},
        {"op": "add", "path": "/columns/1/children/1/tags/-", "value": label("PII.NonSensitive")},
    )
    assert plan.guarded
    appended = Edit(columns=(ColumnEdit(("id",), "c", {}, TagEdit(add=(label("PII.Sensitive"),))),))
    assert plan_table(appended, record, {}).guarded  # still addressed by index


def test_a_column_the_table_does_not_have_names_the_column_update() -> None:
    record = table(column("address", children=[column("city")]))
    edit = Edit(columns=(ColumnEdit(("address", "zip"), "input.columns[3]", {}, TagEdit()),))
    with pytest.raises(BadUserInputError) as caught:
        plan_table(edit, record, {})
    assert caught.value.message == "`input.columns[3].name`: the table has no column address.zip."
    assert caught.value.extensions == {"argument": "input.columns[3].name"}


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("id", ("id",)),
        ("address.city", ("address", "city")),
        ('"geo.point".lat', ("geo.point", "lat")),
        ('a."b.c"', ("a", "b.c")),
    ],
)
def test_a_column_path_is_split_at_unquoted_dots(path: str, names: tuple[str, ...]) -> None:
    assert column_names(path, "name") == names


@pytest.mark.parametrize("path", ["", ".", "a.", ".a", "a..b", '"a', 'a"b"'])
def test_a_malformed_column_path_is_refused(path: str) -> None:
    with pytest.raises(BadUserInputError) as caught:
        column_names(path, "input.columns[0].name")
    assert caught.value.extensions == {"argument": "input.columns[0].name"}
