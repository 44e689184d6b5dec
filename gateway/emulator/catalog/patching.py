"""PATCH of an entity (`PATCH /v1/<collection>/{id}` and `/name/{fqn}`), as the catalog does
it (contract API.md §1, §5.6 and SEARCH_LINEAGE_AUTHZ §4).

1. The entity must exist and not be deleted (404). The patch (`jsonpatches`) is applied to
   the server's full copy of it: every stored property, and every relationship field
   (owners, followers, votes, tags, domains, data products, ...) with empty lists as `[]`,
   nested tag lists too (columns, nested columns, features, feature sources).
2. Permissions: each path asks for an operation (`jsonpatches.required_operations`),
   checked against the entity's owners before anything is applied, so a refused patch is
   a 403 listing every operation refused.
3. `If-Match`, when sent, must match the entity's ETag (`etags`), else 412.
4. What a PATCH cannot change is restored silently: `id`, `name`, `fullyQualifiedName`,
   `href`s, `version`, `updatedAt`, `updatedBy`, `changeDescription`, the containers
   (`service`, `database`, `databaseSchema`, a tag's `classification`), followers, votes,
   and every other property the type does not let a write set. Setting `deleted` to true
   is `400 <type> attribute deleted can't be modified`. A property the type does not have
   is `400 Invalid request format`.
5. The result is checked as a create request is (bean rules, nested columns and
   features), and its references resolved: tags must exist (`404 tag instance for X not
   found`) and not be two of a mutually exclusive classification (400); owners must exist
   and be users or Group teams, several users or one team but not users and a team
   together (400, rule `Multiple Users or Single Team Ownership`); domains must exist
   (`404 domain instance for <id> not found`), at most one (400, rule `Multiple Domains
   are not allowed`); data products must exist and need a domain; custom properties must
   be defined for the type.
6. Versions: no change is `entityNoChange` (nothing written, `updatedAt` kept); a change
   adds 0.1, a breaking one jumps to the next major; the answer's header is
   `entityUpdated`. A PATCH by the user who made the entity's last change, within ten
   minutes of it (by the emulator's clock, see `gateway.emulator.clock`), on an entity past
   0.1, is consolidated with that change: it is compared with the version before it, so
   the session makes one version whose `changeDescription` covers both, while
   `incrementalChangeDescription` says what this call changed. A consolidated edit that
   undoes the session's changes goes back to the version before it, with that version's
   change description, time and author. A version a consolidation replaced is forgotten.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from gateway.emulator.catalog.changes import FIRST_VERSION, Change, next_version, parse_version
from gateway.emulator.catalog.errors import bad_request, invalid_format, not_found, rule_violation
from gateway.emulator.catalog.etags import check_if_match
from gateway.emulator.catalog.jsonpatches import (
    applied,
    apply_patch,
    needs_patched,
    parse_patch,
    required_operations,
)
from gateway.emulator.catalog.kinds import RELATIONS, EntityKind
from gateway.emulator.catalog.render import Renderer
from gateway.emulator.catalog.repository import Actor, Repository, State
from gateway.emulator.catalog.rows import Entity
from gateway.emulator.catalog.validation import validate

# Edits one user makes within this long of their last one make one version.
SESSION_MS = 10 * 60 * 1000
OWNERSHIP_RULE = "Multiple Users or Single Team Ownership"
OWNERSHIP_CONTEXT = (
    "Validates that an entity has either multiple owners or a single team as the owner."
)
DOMAINS_RULE = "Multiple Domains are not allowed"
DOMAINS_CONTEXT = (
    "By default, we only allow entities to be assigned to a single domain, except for Users "
    "and Teams."
)


class Patcher:
    """Applies JSON patches to stored entities through the repository's store."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.store = repo.store
        self.resolver = repo.resolver

    def copy(self, kind: EntityKind, entity: Entity) -> dict[str, Any]:
        """The server's full copy of an entity, that a patch applies to."""
        # A deep copy: rendered values share the stored document's lists and objects.
        body = copy.deepcopy(Renderer(self.store, None).entity(kind, entity, kind.patch_fields))
        kind.patch_copy(body)
        return body

    def patch(
        self,
        kind: EntityKind,
        entity: Entity,
        body: Any,
        actor: Actor,
        if_match: str | None,
    ) -> tuple[Entity, str]:
        """Apply a patch body to a live entity; the change type is the answer's header."""
        operations = parse_patch(body)
        actor.subject.require_user()
        before = self.copy(kind, entity)
        kept = applied(operations)
        after = apply_patch(before, kept) if needs_patched(operations) else None
        needed = required_operations(operations, before, after)
        actor.subject.authorize(kind.type, needed, kind.owners_of(self.store, entity))
        check_if_match(if_match, entity.version, entity.updated_at)
        if after is None:
            after = apply_patch(before, kept)
        old = self.repo.state(kind, entity)
        new = self._new_state(kind, entity, after, old)
        incremental = diff_states(kind, old, new, self.repo)
        if not incremental:
            return entity, "entityNoChange"
        return self._store(kind, entity, old, new, incremental, actor), "entityUpdated"

    # the patched entity -> what is stored

    def _new_state(self, kind: EntityKind, entity: Entity, after: Any, old: State) -> State:
        if not isinstance(after, dict):
            raise invalid_format()
        unknown = set(after) - set(kind.properties)
        if unknown:
            raise invalid_format()
        deleted = after.get("deleted", entity.deleted)
        if not isinstance(deleted, bool):
            raise invalid_format()
        if deleted and not entity.deleted:
            raise bad_request(f"{kind.type} attribute deleted can't be modified")
        assert kind.patch_check is not None
        editable = {key: value for key, value in after.items() if key in kind.editable}
        checked = validate(kind.patch_check, editable)
        doc = copy.deepcopy(entity.doc)
        for key in kind.plain:
            if key in checked:
                doc[key] = checked[key]
            else:
                doc.pop(key, None)
        kind.patched(doc, entity.fqn, self.resolver)
        if "tags" in kind.editable:
            labels = self.resolver.tags(checked.get("tags"))
            if labels:
                doc["tags"] = labels
            else:
                doc.pop("tags", None)
        if "extension" in kind.editable:
            extension = checked.get("extension")
            if extension:
                doc["extension"] = self.resolver.extension(kind.type, extension)
            else:
                doc.pop("extension", None)
        links = dict(old.links)
        for field in kind.links:
            if field in kind.editable:
                ids = self._link_ids(field, checked.get(field) or [])
                if set(ids) != set(old.links.get(field, [])):
                    self._check_rules(field, ids, checked)
                links[field] = ids
        return State(doc, links, entity.deleted, entity.updated_at, entity.updated_by)

    def _link_ids(self, field: str, refs: list[dict[str, Any]]) -> list[str]:
        """The ids of a relationship field's references, each checked to exist."""
        if field == "owners":
            return self.resolver.owners(refs)
        if field == "reviewers":
            return self.resolver.reviewers(refs)
        if field not in ("domains", "dataProducts"):
            raise invalid_format()
        entity_type = "domain" if field == "domains" else "dataProduct"
        ids: list[str] = []
        for ref in refs:
            found = self.resolver.entity(entity_type, ref["id"])
            if found.deleted:
                raise not_found(entity_type, ref["id"])
            if found.id not in ids:
                ids.append(found.id)
        return ids

    def _check_rules(self, field: str, ids: list[str], checked: dict[str, Any]) -> None:
        """The entity rules on a relationship field the patch changes. They are not checked
        on a field it leaves as it was: the seed has assets owned by a user and a team."""
        if field == "owners":
            owners = self.store.get_many(ids)
            teams = sum(1 for owner in owners.values() if owner.type == "team")
            if teams and (teams > 1 or len(ids) > teams):
                raise rule_violation(OWNERSHIP_RULE, OWNERSHIP_CONTEXT)
        elif field == "domains" and len(ids) > 1:
            raise rule_violation(DOMAINS_RULE, DOMAINS_CONTEXT)
        elif field == "dataProducts" and ids and not checked.get("domains"):
            raise bad_request("Domain cannot be empty when data products are provided.")

    # versions

    def _store(
        self,
        kind: EntityKind,
        entity: Entity,
        old: State,
        new: State,
        incremental: Change,
        actor: Actor,
    ) -> Entity:
        doc = dict(new.doc)
        base_version, base = entity.version, old
        change = incremental
        previous = self._session_base(entity, actor)
        if previous is not None:
            base_version, base = previous
            change = diff_states(kind, base, new, self.repo)
        updated_at, updated_by = actor.now, actor.name
        if change:
            version = next_version(base_version, change.major)
            doc["changeDescription"] = change.describe(base_version)
        else:
            # The session's edits are undone: back to the version before them.
            version = base_version
            updated_at, updated_by = base.updated_at, base.updated_by
            doc.pop("changeDescription", None)
            if "changeDescription" in base.doc:
                doc["changeDescription"] = base.doc["changeDescription"]
        doc.pop("incrementalChangeDescription", None)
        if previous is not None:
            doc["incrementalChangeDescription"] = incremental.describe(entity.version)
        updated = dataclasses.replace(
            entity, doc=doc, version=version, updated_at=updated_at, updated_by=updated_by
        )
        with self.store.db.transaction():
            self.store.save(updated)
            for field in kind.links:
                if new.links.get(field, []) != old.links.get(field, []):
                    self.store.relink(entity.id, RELATIONS[field], new.links[field])
            kind.on_saved(self.store, updated)
            if previous is not None and version != entity.version:
                # The version this session replaced (the one before it is current again,
                # or it jumped to the next major).
                self.store.drop_version(entity.id, entity.version)
            self.repo.snapshot(kind, updated)
        return updated

    def _session_base(self, entity: Entity, actor: Actor) -> tuple[int, State] | None:
        """The version this PATCH is consolidated with, and its state: the one before the
        entity's last change, when that change is the same user's, within the session."""
        if entity.version <= FIRST_VERSION or entity.deleted:
            return None
        if entity.updated_by != actor.name or actor.now - entity.updated_at > SESSION_MS:
            return None
        described = entity.doc.get("changeDescription") or {}
        previous = described.get("previousVersion")
        if previous is None:
            return None
        version = parse_version(str(previous))
        stored = self.store.state(entity.id, version)
        return None if stored is None else (version, State.load(stored))


def diff_states(kind: EntityKind, old: State, new: State, repo: Repository) -> Change:
    """What turns `old` into `new`, as the PUT path reports it (JSON text for lists)."""
    change = Change()
    kind.diff(old.doc, new.doc, change)
    change.compare_items(
        "tags", old.doc.get("tags", []), new.doc.get("tags", []), key=lambda t: t["tagFQN"]
    )
    change.compare("extension", old.doc.get("extension"), new.doc.get("extension"))
    for field in kind.links:
        before, after = old.links.get(field, []), new.links.get(field, [])
        if set(before) == set(after):
            continue
        refs = repo.store.refs([*before, *after])
        change.compare_items(
            field,
            [refs[i].to_json() for i in before if i in refs],
            [refs[i].to_json() for i in after if i in refs],
            key=lambda r: r["id"],
        )
    if old.deleted != new.deleted:
        change.updated.append({"name": "deleted", "oldValue": old.deleted, "newValue": new.deleted})
    return change
