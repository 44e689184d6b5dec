"""Breaking changes against the released schema are deliberate: CHANGELOG.md lists each one.

`docs/schema/released.graphql` is the schema of the last release. graphql-core's
`find_breaking_changes` compares it with `schema.graphql`; every breaking change it finds is
named by its schema coordinate (`Query.mlModels`, `Tag.source`, `Query.tables(first:)`,
`Enum.VALUE`, `@directive`). The rule: a bullet of a `### ... (breaking)` subsection of
`## [Unreleased]` in CHANGELOG.md starts with the coordinates it concerns, each in
backticks, then a colon and the reason, e.g.

    - `Query.mlModels`, `Query.tables`: nullable, so that one failing upstream call ...

The test names every breaking change no bullet lists, and every listed coordinate that is
not a breaking change (a stale or mistyped entry). The release procedure is in CHANGELOG.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import (
    BreakingChange,
    BreakingChangeType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
)

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "docs" / "schema" / "released.graphql"
CURRENT = ROOT / "schema.graphql"
CHANGELOG = ROOT / "CHANGELOG.md"

_NAME = r"[_A-Za-z][_0-9A-Za-z]*"
_COORDINATE = rf"@?{_NAME}(?:\.{_NAME})?(?:\({_NAME}:\))?"
# Where graphql-core's message of each kind of breaking change names the coordinate.
_MESSAGES: dict[BreakingChangeType, str] = {
    BreakingChangeType.TYPE_REMOVED: rf"(?:Standard scalar )?(?P<c>{_NAME}) was removed",
    BreakingChangeType.TYPE_CHANGED_KIND: rf"(?P<c>{_NAME}) changed from ",
    BreakingChangeType.TYPE_REMOVED_FROM_UNION: rf"{_NAME} was removed from union type "
    rf"(?P<c>{_NAME})\.",
    BreakingChangeType.VALUE_REMOVED_FROM_ENUM: rf"Enum value (?P<c>{_COORDINATE}) was removed\.",
    BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED: rf"A required field (?P<c>{_COORDINATE}) "
    "was added\\.",
    BreakingChangeType.IMPLEMENTED_INTERFACE_REMOVED: rf"(?P<c>{_NAME}) no longer implements ",
    BreakingChangeType.FIELD_REMOVED: rf"Field (?P<c>{_COORDINATE}) was removed\.",
    BreakingChangeType.FIELD_CHANGED_KIND: rf"Field (?P<c>{_COORDINATE}) changed type ",
    BreakingChangeType.REQUIRED_ARG_ADDED: rf"A required argument (?P<c>{_COORDINATE}) was added",
    BreakingChangeType.ARG_REMOVED: rf"Argument (?P<c>{_COORDINATE}) was removed\.",
    BreakingChangeType.ARG_CHANGED_KIND: rf"Argument (?P<c>{_COORDINATE}) has changed type ",
    BreakingChangeType.DIRECTIVE_REMOVED: rf"Directive (?P<c>@{_NAME}) was removed\.",
    BreakingChangeType.DIRECTIVE_ARG_REMOVED: rf"Argument (?P<c>{_COORDINATE}) was removed\.",
    BreakingChangeType.REQUIRED_DIRECTIVE_ARG_ADDED: rf"A required argument (?P<c>{_COORDINATE}) "
    "was added\\.",
    BreakingChangeType.DIRECTIVE_REPEATABLE_REMOVED: rf"Repeatable flag was removed from "
    rf"(?P<c>@{_NAME})\.",
    BreakingChangeType.DIRECTIVE_LOCATION_REMOVED: rf"{_NAME} was removed from (?P<c>@{_NAME})\.",
}
_UNRELEASED = re.compile(r"^## \[Unreleased\][^\n]*\n(.*?)(?=^## |\Z)", re.M | re.S)
_SUBSECTION = re.compile(r"^### ([^\n]*)\n(.*?)(?=^### |\Z)", re.M | re.S)
_BULLET = re.compile(r"^- (?P<head>(?:`[^`\n]+`(?:,? (?:and )?)?)+):\s*(?P<reason>\S)?", re.M)
_TICKED = re.compile(r"`([^`]+)`")


def load(sdl: str) -> GraphQLSchema:
    """The SDL as a schema; the federation directives (`@link`, `@key`...) it applies without
    defining are let through, as they are the same on both sides."""
    return build_schema(sdl, assume_valid_sdl=True)


def coordinate(change: BreakingChange) -> str:
    """The schema coordinate a breaking change concerns, read from graphql-core's message."""
    pattern = _MESSAGES.get(change.type)
    found = re.match(pattern, change.description) if pattern else None
    if found is None:
        raise AssertionError(
            f"no coordinate in {change.type.name}: {change.description!r} "
            "(graphql-core worded it anew: update _MESSAGES)"
        )
    return found.group("c")


def breaking_changes(old_sdl: str, new_sdl: str) -> dict[str, list[str]]:
    """Each coordinate with a breaking change, and what changed there."""
    changes: dict[str, list[str]] = {}
    for change in find_breaking_changes(load(old_sdl), load(new_sdl)):
        changes.setdefault(coordinate(change), []).append(change.description)
    return changes


def listed_breaking_changes(changelog: str) -> set[str]:
    """The coordinates the breaking bullets of the Unreleased section start with.

    Fails on a bullet of a breaking subsection that does not start with a coordinate in
    backticks and a colon, or that gives no reason after the colon."""
    unreleased = _UNRELEASED.search(changelog)
    if unreleased is None:
        raise AssertionError("CHANGELOG.md has no `## [Unreleased]` section")
    listed: set[str] = set()
    for title, body in _SUBSECTION.findall(unreleased.group(1)):
        if not title.rstrip().endswith("(breaking)"):
            continue
        for line in body.splitlines():
            if not line.startswith("- "):
                continue
            bullet = _BULLET.match(line)
            if bullet is None or bullet.group("reason") is None:
                raise AssertionError(
                    f"a breaking bullet of `### {title}` must start with its coordinates in "
                    f"backticks, a colon and the reason: {line!r}"
                )
            for name in _TICKED.findall(bullet.group("head")):
                if re.fullmatch(_COORDINATE, name) is None:
                    raise AssertionError(f"`{name}` is not a schema coordinate: {line!r}")
                listed.add(name)
    return listed


def test_every_breaking_change_since_the_release_is_in_the_changelog() -> None:
    # given
    changes = breaking_changes(
        BASELINE.read_text(encoding="utf-8"), CURRENT.read_text(encoding="utf-8")
    )
    listed = listed_breaking_changes(CHANGELOG.read_text(encoding="utf-8"))
    # then
    missing = {c: what for c, what in sorted(changes.items()) if c not in listed}
    assert missing == {}, (
        "breaking changes against docs/schema/released.graphql that CHANGELOG.md does not "
        "list (add a bullet under `## [Unreleased]` / `### Changed (breaking)` starting with "
        f"the coordinate in backticks and giving the reason): {missing}"
    )


def test_the_changelog_lists_no_breaking_change_that_is_not_one() -> None:
    changes = breaking_changes(
        BASELINE.read_text(encoding="utf-8"), CURRENT.read_text(encoding="utf-8")
    )
    listed = listed_breaking_changes(CHANGELOG.read_text(encoding="utf-8"))
    assert sorted(listed - set(changes)) == [], (
        "CHANGELOG.md lists these as breaking, but they are not breaking changes against "
        "docs/schema/released.graphql"
    )


# The rule itself, on small schemas and changelogs.

OLD = """
directive @d(a: Int) repeatable on FIELD_DEFINITION | OBJECT
directive @gone on FIELD_DEFINITION
interface I { id: ID }
type A implements I { id: ID x: Int y(a: Int, b: Int): Int }
type B { z: Int }
union U = A | B
enum E { ONE TWO }
input In { f: Int }
type Gone { g: Int }
type Query { a: A! u: U e: E k(i: In): Int }
"""
NEW = """
directive @d(r: Int!) on FIELD_DEFINITION
type A { id: ID y(a: String, c: Int!): Int }
type B { z: Int }
union U = A
enum E { ONE }
input In { f: Int n: Int! }
scalar Gone
type Query { a: A u: U e: E k(i: In): Int }
"""


def test_each_kind_of_breaking_change_is_named_by_its_coordinate() -> None:
    # given two schemas apart by one breaking change of each kind
    kinds = {c.type for c in find_breaking_changes(load(OLD), load(NEW))}
    assert kinds == set(BreakingChangeType)
    # then each is named by the coordinate it concerns
    assert sorted(breaking_changes(OLD, NEW)) == [
        "@d",
        "@d(a:)",
        "@d(r:)",
        "@gone",
        "A",
        "A.x",
        "A.y(a:)",
        "A.y(b:)",
        "A.y(c:)",
        "E.TWO",
        "Gone",
        "I",
        "In.n",
        "Query.a",
        "U",
    ]


CHANGELOG_TEXT = """# Changelog

## [Unreleased]

### Added

- `Query.new`: not breaking, not counted.

### Changed (breaking)

- `Query.a`, `A.x` and `E.TWO`: one failing call no longer erases the others.
- `U`: typed values.
  A continuation line naming `Query.e` does not list it.

### Removed (breaking)

- `@d(a:)`: nobody used it.

## [1.0.0] - 2026-01-01

### Changed (breaking)

- `Query.old`: released, not counted.
"""


def test_only_the_leading_coordinates_of_unreleased_breaking_bullets_are_listed() -> None:
    assert listed_breaking_changes(CHANGELOG_TEXT) == {"Query.a", "A.x", "E.TWO", "U", "@d(a:)"}


@pytest.mark.parametrize(
    "bullet",
    [
        pytest.param("- Query.a: no backticks.", id="no-backticks"),
        pytest.param("- `Query.a` made nullable.", id="no-colon"),
        pytest.param("- `Query.a`:", id="no-reason"),
        pytest.param("- `Query.a!`: not a coordinate.", id="not-a-coordinate"),
    ],
)
def test_a_breaking_bullet_without_its_coordinates_fails(bullet: str) -> None:
    changelog = f"## [Unreleased]\n\n### Changed (breaking)\n\n{bullet}\n"
    with pytest.raises(AssertionError):
        listed_breaking_changes(changelog)
