"""Route templates of upstream paths: the bounded label metrics and spans name a call by."""

from __future__ import annotations

# Every literal segment of the catalog and registry paths the clients call. Any other
# segment is a value (an id, a name, a RID) and becomes a placeholder, so the number of
# templates stays bounded whatever callers send.
_LITERALS = frozenset(
    {
        "api",
        "v1",
        "v2",
        "mlmodels",
        "tables",
        "users",
        "services",
        "mlmodelServices",
        "databaseServices",
        "databases",
        "databaseSchemas",
        "domains",
        "name",
        "bulk",
        "restore",
        "followers",
        "vote",
        "loggedInUser",
        "models",
        "versions",
        "promoteVersion",
        "search",
        "query",
        "lineage",
    }
)
# The placeholder after a literal; after any other segment it is `{id}`.
_PLACEHOLDERS = {
    "name": "{name}",
    "followers": "{userId}",
    "models": "{modelRid}",
    "versions": "{versionRid}",
    "lineage": "{entity}",
}


def route_template(path: str) -> str:
    """`/v1/mlmodels/name/a.b` -> `/v1/mlmodels/name/{name}` (`path` without its query)."""
    parts = path.split("/")
    for index in range(1, len(parts)):
        part = parts[index]
        if part and part not in _LITERALS:
            parts[index] = _PLACEHOLDERS.get(parts[index - 1], "{id}")
    return "/".join(parts)
