"""Every GraphQL example in the README and docs/ is valid against the schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse, validate

from gateway.graphql.schema import create_schema

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLES = [
    pytest.param(block, id=f"{path.name}#{i}")
    for path in DOCS
    for i, block in enumerate(BLOCK.findall(path.read_text(encoding="utf-8")))
]


def _is_fragment_snippet(block: str) -> bool:
    return block.lstrip().startswith("...")


@pytest.mark.parametrize("block", EXAMPLES)
def test_example_is_valid(block: str) -> None:
    if _is_fragment_snippet(block):
        # A selection to paste inside a mutation's result: check it under a real one.
        block = 'mutation { vote(kind: ML_MODEL, id: "x", vote: UP) { __typename ' + block + " } }"
    schema = create_schema()._schema
    errors = validate(schema, parse(block))
    assert errors == [], [e.message for e in errors]


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 5


def test_readme_settings_table_is_current() -> None:
    from gateway.base.settings import settings_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("-->\n", readme.index("<!-- settings:start")) + len("-->\n")
    end = readme.index("<!-- settings:end -->")
    assert readme[start:end] == settings_table(), (
        "README's settings table is stale: paste the output of `gateway config --markdown`"
    )
