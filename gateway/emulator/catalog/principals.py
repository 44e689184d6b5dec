"""Who a catalog request is from: its bearer token's user and that user's permissions.

A token that names no live user still authenticates (401 is only for a missing or invalid
token): the call goes on with an unknown subject, and whatever needs the user (every
authorized call, and a vote) answers `404 user instance for <name> not found`, while
follow and unfollow, which never look the caller up, succeed.

A live user's permissions (`policies.Subject`) are compiled once, from the user record,
its teams and their parents up to `Organization`, the roles of the user and the teams'
default roles, and their policies, then kept until one of those rows changes.
"""

from __future__ import annotations

from collections.abc import Iterator

from starlette.requests import Request

from gateway.emulator.auth import Authenticator
from gateway.emulator.catalog import fqn
from gateway.emulator.catalog.cache import DependencyCache
from gateway.emulator.catalog.errors import CatalogError
from gateway.emulator.catalog.policies import ORGANIZATION, Rule, Subject
from gateway.emulator.catalog.repository import Actor
from gateway.emulator.catalog.rows import Entity
from gateway.emulator.catalog.store import Store
from gateway.emulator.clock import Clock
from gateway.emulator.headers import header as raw_header

# Past this depth a team hierarchy is taken to loop (the upstream forbids cycles).
_MAX_TEAM_DEPTH = 32


class Principals:
    """Authenticates requests against the token table and compiles the users' permissions."""

    def __init__(self, store: Store, auth: Authenticator, clock: Clock | None = None) -> None:
        self.store = store
        self.auth = auth
        # What each request's writes are stamped with (the emulator's settable clock).
        self.clock = clock or Clock()
        # Only live users are kept: a deleted or unknown one is looked up again each time.
        self.cache: DependencyCache[str, Subject] = DependencyCache()
        store.caches.append(self.cache)

    def actor(self, request: Request) -> Actor:
        header = raw_header(request, b"authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise CatalogError(401, "Not Authorized! Token not present")
        name = self.auth.principal_of(header)
        if name is None:
            raise CatalogError(401, "Not Authorized! Invalid token")
        subject = self.cache.get(name)
        if subject is None:
            subject = self.subject(name)
        return Actor(
            name=subject.name,
            user_id=subject.user_id,
            now=self.clock.now_ms(),
            is_admin=subject.is_admin,
            is_bot=subject.is_bot,
            subject=subject,
        )

    def subject(self, name: str) -> Subject:
        """The permissions of the user `name` (an unknown subject when there is no live one)."""
        user = self.store.get_by_fqn("user", fqn.quote(name))
        if user is None or user.deleted:
            return Subject.unknown(name)
        used = [user.id]
        teams = self._teams(self.store.sources(user.id, "team"), used)
        organization = self.store.get_by_fqn("team", fqn.quote(ORGANIZATION))
        if organization is not None and organization.id not in teams:
            used.append(organization.id)
            teams[organization.id] = organization
        rules: list[Rule] = []
        for role_id in self.store.sources(user.id, "role"):
            rules.extend(self._role_rules(role_id, used))
        for team in teams.values():
            for role in team.doc.get("defaultRoles", ()):
                rules.extend(self._role_rules(role["id"], used))
            for policy in team.doc.get("policies", ()):
                rules.extend(self._policy_rules(policy["id"], f"team {team.name}", used))
        subject = Subject(
            name=user.name,
            user_id=user.id,
            is_admin=bool(user.doc.get("isAdmin")),
            is_bot=bool(user.doc.get("isBot")),
            teams=frozenset(teams),
            rules=tuple(rules),
        )
        self.cache.put(name, subject, used)
        return subject

    def _teams(self, direct: list[str], used: list[str]) -> dict[str, Entity]:
        """The user's teams and all their parents, by id."""
        found: dict[str, Entity] = {}
        level = direct
        for _ in range(_MAX_TEAM_DEPTH):
            rows = self.store.get_many([t for t in level if t not in found])
            if not rows:
                break
            used.extend(rows)
            found.update(rows)
            level = [parent["id"] for team in rows.values() for parent in _parents(team)]
        return found

    def _role_rules(self, role_id: str, used: list[str]) -> Iterator[Rule]:
        used.append(role_id)
        role = self.store.get(role_id)
        if role is None or role.deleted:
            return
        for policy in role.doc.get("policies", ()):
            yield from self._policy_rules(policy["id"], f"role {role.name}", used)

    def _policy_rules(self, policy_id: str, source: str, used: list[str]) -> Iterator[Rule]:
        used.append(policy_id)
        policy = self.store.get(policy_id)
        if policy is None or policy.deleted or policy.doc.get("enabled") is False:
            return
        for rule in policy.doc.get("rules", ()):
            yield Rule.of(rule, policy.name, source)


def _parents(team: Entity) -> list[dict[str, str]]:
    parents: list[dict[str, str]] = team.doc.get("parents", [])
    return parents
