"""OpenMetadata's access control: roles, teams, policies and the deny-then-allow evaluation.

Who may do what (contract SEARCH_LINEAGE_AUTHZ §3):
- `isAdmin` users skip every check. Bots are NOT exempt: the contract exempts admins only,
  so a bot is evaluated like any user (it needs a role, a policy or ownership).
- Everyone else gets the rules of their roles and of the `defaultRoles` and `policies` of
  their teams, up the team parents to `Organization`, which every user belongs to.
  Deny rules run first (one that matches refuses the call), then allow rules: every
  operation asked for must be allowed by some rule, else 403 listing those that are not.
- A rule matches an operation when it lists it, `All`, `EditAll` (covers every `Edit*`)
  or `ViewAll` (covers every `View*`), names the resource type or `All`, and its
  condition holds: `isOwner()` (the user, or one of the user's teams or their parents,
  owns the entity) or `noOwner()` (the entity has no owner). A rule with any other
  condition never matches here.

The default policies (§3.2), seeded as `policy` entities:
- `OrganizationPolicy` (on the `Organization` team, with the default role
  `DataConsumer`): `isOwner()` -> `EditAll, ViewAll, Delete`; `noOwner()` ->
  `EditOwners`; `ViewAll` for everyone. Whether a fresh 1.13 has the owner rule as
  `EditAll, ViewAll, Delete` or as `All` (a 1.2 upgrade rewrote it) is UNCONFIRMED; the
  stricter form is kept, so an owner may not `Create` through ownership.
- `DataConsumerPolicy`: `ViewAll, EditDescription, EditTags, EditGlossaryTerms, EditTier,
  EditCertification`.
- `DataStewardPolicy`: `ViewAll, EditDescription, EditDisplayName, EditLineage,
  EditOwners, EditTags, EditGlossaryTerms, EditTier, EditCertification`.
Nobody but admins gets `Create`, and nobody gets `EditAll` but through ownership.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.emulator.catalog.errors import CatalogError, not_found

ALLOW = "allow"
DENY = "deny"
IS_OWNER = "isOwner()"
NO_OWNER = "noOwner()"
ORGANIZATION = "Organization"
ORGANIZATION_POLICY = "OrganizationPolicy"
DATA_CONSUMER = "DataConsumer"
DATA_STEWARD = "DataSteward"
VIEW_BASIC = "ViewBasic"
CREATE = "Create"
EDIT_ALL = "EditAll"
DELETE = "Delete"

# Policy name -> its rules, as the upstream stores them in `policy.json`.
DEFAULT_POLICIES: dict[str, list[dict[str, Any]]] = {
    ORGANIZATION_POLICY: [
        {
            "name": "OrganizationPolicy-Owner-Rule",
            "description": "Allow all the operations on an entity to its owner.",
            "effect": ALLOW,
            "operations": [EDIT_ALL, "ViewAll", DELETE],
            "resources": ["All"],
            "condition": IS_OWNER,
        },
        {
            "name": "OrganizationPolicy-NoOwner-Rule",
            "description": "Allow anyone to set the owner of an entity that has none.",
            "effect": ALLOW,
            "operations": ["EditOwners"],
            "resources": ["All"],
            "condition": NO_OWNER,
        },
        {
            "name": "OrganizationPolicy-ViewAll-Rule",
            "description": "Allow everyone to see every entity.",
            "effect": ALLOW,
            "operations": ["ViewAll"],
            "resources": ["All"],
        },
    ],
    "DataConsumerPolicy": [
        {
            "name": "DataConsumerPolicy-EditRule",
            "description": "Allow some of the edit operations on a resource for everyone.",
            "effect": ALLOW,
            "operations": [
                "ViewAll",
                "EditDescription",
                "EditTags",
                "EditGlossaryTerms",
                "EditTier",
                "EditCertification",
            ],
            "resources": ["All"],
        }
    ],
    "DataStewardPolicy": [
        {
            "name": "DataStewardPolicy-EditRule",
            "description": "Allow editing the metadata of every resource.",
            "effect": ALLOW,
            "operations": [
                "ViewAll",
                "EditDescription",
                "EditDisplayName",
                "EditLineage",
                "EditOwners",
                "EditTags",
                "EditGlossaryTerms",
                "EditTier",
                "EditCertification",
            ],
            "resources": ["All"],
        }
    ],
}
# Role name -> the policies it carries.
DEFAULT_ROLES: dict[str, tuple[str, ...]] = {
    DATA_CONSUMER: ("DataConsumerPolicy",),
    DATA_STEWARD: ("DataStewardPolicy",),
}


def principal_text(name: str) -> str:
    return f"Principal: CatalogPrincipal{{name='{name}'}}"


def not_admin(name: str) -> CatalogError:
    """What an admin-only call answers a non-admin."""
    return CatalogError(403, f"{principal_text(name)} is not admin")


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled rule, with where it came from (for the deny message)."""

    name: str
    effect: str
    operations: frozenset[str]
    resources: frozenset[str]
    condition: str | None
    policy: str
    # `role R` or `team T`: what brought the policy to the user.
    source: str

    @classmethod
    def of(cls, stored: Mapping[str, Any], policy: str, source: str) -> Rule:
        return cls(
            name=str(stored["name"]),
            effect=str(stored["effect"]),
            operations=frozenset(stored.get("operations", ())),
            resources=frozenset(str(r).lower() for r in stored.get("resources", ("All",))),
            condition=stored.get("condition"),
            policy=policy,
            source=source,
        )

    def covers(self, operation: str) -> bool:
        ops = self.operations
        return (
            operation in ops
            or "All" in ops
            or ("EditAll" in ops and operation.startswith("Edit"))
            or ("ViewAll" in ops and operation.startswith("View"))
        )

    def applies(self, resource: str, is_owner: bool, no_owner: bool) -> bool:
        if "all" not in self.resources and resource.lower() not in self.resources:
            return False
        if self.condition is None:
            return True
        if self.condition == IS_OWNER:
            return is_owner
        if self.condition == NO_OWNER:
            return no_owner
        return False


@dataclass(frozen=True, slots=True)
class Subject:
    """A principal's permissions: who it is, its teams (with their parents) and its rules.

    `known` is False for a principal with no live user record: every authorized call
    then answers 404, as the upstream fails to build its subject context.
    """

    name: str
    user_id: str
    known: bool = True
    is_admin: bool = False
    is_bot: bool = False
    teams: frozenset[str] = frozenset()
    rules: tuple[Rule, ...] = ()

    @classmethod
    def unknown(cls, name: str) -> Subject:
        return cls(name=name, user_id="", known=False)

    @classmethod
    def unchecked(cls, name: str, user_id: str) -> Subject:
        """A subject allowed everything, for writes made in-process (the seed)."""
        return cls(name=name, user_id=user_id, is_admin=True)

    def require_user(self) -> None:
        """404 unless the principal is a live user (what building a subject context needs)."""
        if not self.known:
            raise not_found("user", self.name)

    def require_admin(self) -> None:
        self.require_user()
        if not self.is_admin:
            raise not_admin(self.name)

    def is_owner(self, owners: Iterable[str]) -> bool:
        return any(owner == self.user_id or owner in self.teams for owner in owners)

    def authorize(self, resource: str, operations: Sequence[str], owners: Sequence[str]) -> None:
        """Raise 403 unless every operation on a `resource` entity owned by `owners` is allowed."""
        self.require_user()
        if self.is_admin:
            return
        is_owner, no_owner = self.is_owner(owners), not owners
        for rule in self.rules:
            if rule.effect != DENY or not rule.applies(resource, is_owner, no_owner):
                continue
            for operation in operations:
                if rule.covers(operation):
                    raise CatalogError(
                        403,
                        f"{principal_text(self.name)} operation {operation} denied by "
                        f"{rule.source}, policy {rule.policy}, rule {rule.name}",
                    )
        missing = [
            operation
            for operation in operations
            if not any(
                rule.effect == ALLOW
                and rule.covers(operation)
                and rule.applies(resource, is_owner, no_owner)
                for rule in self.rules
            )
        ]
        if missing:
            raise CatalogError(
                403, f"{principal_text(self.name)} operations [{', '.join(missing)}] not allowed"
            )

    def views_freely(self, resource: str) -> bool:
        """Whether `ViewBasic` on `resource` entities is allowed whoever owns them, so a read
        needs no owners (true for everyone under the default policies)."""
        if self.is_admin:
            return True
        for rule in self.rules:
            # A deny rule that may hold for some entity: whether it does depends on the owners.
            may_hold = rule.applies(resource, True, False) or rule.applies(resource, False, True)
            if rule.effect == DENY and may_hold and rule.covers(VIEW_BASIC):
                return False
        return any(
            rule.effect == ALLOW
            and rule.condition is None
            and rule.covers(VIEW_BASIC)
            and rule.applies(resource, False, False)
            for rule in self.rules
        )
