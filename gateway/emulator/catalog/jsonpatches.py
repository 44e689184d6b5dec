"""JSON Patch (RFC 6902) as the catalog takes it: the body, its application, and what each
path asks permission for (contract SEARCH_LINEAGE_AUTHZ §4).

- The body is sent as `application/json-patch+json` (anything else is a 415, as the
  upstream's resource only consumes that type) and is a JSON array of operation objects,
  each with a string `op` and `path`; any other shape is `400 Invalid request format`.
- Operations whose path ends in `href` are dropped, as the upstream drops them; the rest
  are applied in the order sent (the `jsonpatch` library, one operation at a time).
- An operation that cannot apply (an unknown `op`, no `value` or `from`, a path that does
  not exist, an array index out of range, a failed `test`) fails the whole patch with a
  400 naming the operation and why, e.g. `JSON patch remove /tags/5 failed: index 5 is out
  of range, /tags has 2 items`. The upstream raises a JSON-P exception no mapper handles
  there, probably a 500 (UNCONFIRMED); a 400 tells a client the patch, not the server, is
  at fault, and that sending it again cannot succeed.
- Permissions (§4.2): a path is split on `/` and its first segment naming a known field
  decides its operation (`description` -> EditDescription, `displayName` ->
  EditDisplayName, `owners` -> EditOwners, `extension` -> EditCustomFields, `reviewers` ->
  EditReviewers, `tags` -> refined below); a path with none of them (`domains`,
  `dataProducts`, `algorithm`, `columns/0/name`, ...) makes the whole patch need EditAll.
  Tag edits are refined by comparing the tag labels of the entity before and after the
  patch, anywhere in it (columns, features): each label added or removed asks for EditTier
  (`Tier.*`), EditCertification (`Certification.*`), EditGlossaryTerms (a glossary term)
  or EditTags (any other classification tag). Operations are listed in the order their
  paths come, tag operations last, so a refusal reads `[EditDescription, EditDisplayName]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonpatch
from jsonpointer import JsonPointer, JsonPointerException, escape

from gateway.emulator.catalog.errors import CatalogError, bad_request, invalid_format

PATCH_MEDIA_TYPE = "application/json-patch+json"
OPERATIONS = frozenset({"add", "remove", "replace", "move", "copy", "test"})
EDIT_ALL = "EditAll"
EDIT_TAGS = "EditTags"
# Field names a path segment may name, and the operation editing them needs.
EDIT_FIELDS = {
    "description": "EditDescription",
    "displayName": "EditDisplayName",
    "tags": EDIT_TAGS,
    "owners": "EditOwners",
    "extension": "EditCustomFields",
    "reviewers": "EditReviewers",
}


def check_media_type(content_type: str | None) -> None:
    """415 unless the body is declared as a JSON patch (parameters such as a charset aside)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != PATCH_MEDIA_TYPE:
        raise CatalogError(415, "HTTP 415 Unsupported Media Type")


def parse_patch(body: Any) -> list[dict[str, Any]]:
    """The operations of a patch body: an array of objects with a string `op` and `path`."""
    if not isinstance(body, list):
        raise invalid_format()
    for operation in body:
        if not isinstance(operation, dict):
            raise invalid_format()
        if not isinstance(operation.get("op"), str) or not isinstance(operation.get("path"), str):
            raise invalid_format()
    return body


def applied(operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The operations a patch applies: those on a path ending in `href` are ignored."""
    return [operation for operation in operations if not operation["path"].endswith("href")]


def apply_patch(document: dict[str, Any], operations: list[dict[str, Any]]) -> Any:
    """The document with `operations` applied in order (the document itself is left as it
    was); 400 naming the first operation that cannot apply, and why."""
    current: Any = document
    for operation in operations:
        _check_members(operation)
        try:
            current = jsonpatch.apply_patch(current, [operation])
        except (jsonpatch.JsonPatchException, JsonPointerException):
            raise _failure(current, operation) from None
    return current


def _failed(operation: dict[str, Any], reason: str) -> CatalogError:
    return bad_request(f"JSON patch {operation['op']} {operation['path']} failed: {reason}")


def _check_members(operation: dict[str, Any]) -> None:
    op = operation["op"]
    if op not in OPERATIONS:
        raise _failed(operation, "unknown operation")
    if op in ("add", "replace", "test") and "value" not in operation:
        raise _failed(operation, "no value")
    if op in ("move", "copy") and not isinstance(operation.get("from"), str):
        raise _failed(operation, "no from")


def _failure(document: Any, operation: dict[str, Any]) -> CatalogError:
    """Why `operation` could not apply to `document`."""
    op, path = operation["op"], operation["path"]
    if op in ("move", "copy"):
        reason = _unreachable(document, operation["from"], adding=False)
        if reason is not None:
            return _failed(operation, f"from {reason}")
    reason = _unreachable(document, path, adding=op in ("add", "move", "copy"))
    if reason is not None:
        return _failed(operation, reason)
    if op == "test":
        return _failed(operation, "the value differs from the tested one")
    if op == "move":
        return _failed(operation, "a value cannot move into itself")
    return _failed(operation, "it does not apply to this entity")


def _unreachable(document: Any, path: str, *, adding: bool) -> str | None:
    """What keeps `path` from naming a value of `document` (or, when `adding`, a place a
    value can be added at); None when it is reachable."""
    try:
        parts = JsonPointer(path).parts
    except JsonPointerException:
        return f"{path} is not a JSON pointer"
    node = document
    walked = ""
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        here = f"{walked}/{escape(part)}"
        if isinstance(node, list):
            if part == "-" and last and adding:
                return None
            if not part.isdigit() or (part != "0" and part.startswith("0")):
                return f"{part} is not an index of {walked or '/'}"
            index, size = int(part), len(node)
            if index > (size if last and adding else size - 1):
                return f"index {index} is out of range, {walked or '/'} has {size} items"
            if last:
                return None
            node = node[index]
        elif isinstance(node, dict):
            if last and adding:
                return None
            if part not in node:
                return f"{here} does not exist"
            node = node[part]
        else:
            return f"{walked} holds no {part}"
        walked = here
    return None


# permissions


def path_operation(path: str) -> str:
    """The operation a path needs: its first segment naming a known field decides."""
    for segment in path.split("/"):
        operation = EDIT_FIELDS.get(segment)
        if operation is not None:
            return operation
    return EDIT_ALL


def needs_patched(operations: list[dict[str, Any]]) -> bool:
    """Whether telling the operations apart takes the patched entity (tags are edited)."""
    needed = [path_operation(operation["path"]) for operation in operations]
    return EDIT_TAGS in needed and EDIT_ALL not in needed


def required_operations(
    operations: list[dict[str, Any]], before: Any, after: Any | None
) -> list[str]:
    """What a patch needs permission for; `after` (the patched entity) refines tag edits."""
    needed: list[str] = []
    tags = False
    for operation in operations:
        name = path_operation(operation["path"])
        if name == EDIT_ALL:
            return [EDIT_ALL]
        if name == EDIT_TAGS:
            tags = True
        elif name not in needed:
            needed.append(name)
    if tags and after is not None:
        old, new = list(_labels(before)), list(_labels(after))
        for label in [*(x for x in new if x not in old), *(x for x in old if x not in new)]:
            name = _tag_operation(label)
            if name not in needed:
                needed.append(name)
    return needed


def _labels(node: Any) -> Iterator[tuple[Any, ...]]:
    """Every tag label anywhere in a document, as (tagFQN, source, labelType, state)."""
    if isinstance(node, dict):
        tags = node.get("tags")
        if isinstance(tags, list):
            for label in tags:
                if isinstance(label, dict):
                    yield tuple(label.get(k) for k in ("tagFQN", "source", "labelType", "state"))
        for value in node.values():
            yield from _labels(value)
    elif isinstance(node, list):
        for item in node:
            yield from _labels(item)


def _tag_operation(label: tuple[Any, ...]) -> str:
    tag_fqn, source = str(label[0]), label[1]
    if tag_fqn.startswith("Tier."):
        return "EditTier"
    if tag_fqn.startswith("Certification."):
        return "EditCertification"
    if source == "Glossary":
        return "EditGlossaryTerms"
    if source in ("Classification", None):
        return EDIT_TAGS
    return EDIT_ALL
