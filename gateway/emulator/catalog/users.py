"""Users (`/api/v1/users`): the principals behind tokens, owners, followers and voters.

Creating a user is for admins only, and so is making one an admin or a bot; a user owns
its own record (so may update it with `EditAll`), as the upstream's resource context has it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.emulator.catalog import fqn
from gateway.emulator.catalog.kinds import Draft, EntityKind
from gateway.emulator.catalog.policies import EDIT_ALL, Subject
from gateway.emulator.catalog.resolve import Resolver
from gateway.emulator.catalog.rows import Entity
from gateway.emulator.catalog.shapes import ENTITY_REFERENCE
from gateway.emulator.catalog.store import Store
from gateway.emulator.catalog.validation import (
    Prop,
    array,
    boolean,
    entity_name,
    enum,
    json_object,
    text,
    uuid_text,
)

EMAIL_PATTERN = "^[\\S.!#$%&\u2019*+/=?^_`{|}~-]+@\\S+\\.\\S+$"


class UserKind(EntityKind):
    type = "user"
    collection = "users"
    properties = (
        "id", "name", "fullyQualifiedName", "description", "externalId", "scimUserName",
        "displayName", "version", "updatedAt", "updatedBy", "impersonatedBy", "email", "href",
        "timezone", "isBot", "isAdmin", "allowImpersonation", "authenticationMechanism",
        "profile", "teams", "defaultPersona", "personas", "owns", "follows", "changeDescription",
        "incrementalChangeDescription", "deleted", "roles", "inheritedRoles", "inheritedPersonas",
        "isEmailVerified", "domains", "lastLoginTime", "lastActivityTime", "personaPreferences",
    )  # fmt: skip
    # Password and authentication properties are accepted but not kept: the emulator
    # authenticates by token only.
    create_props = {
        "name": Prop(entity_name(), required=True),
        "description": Prop(text()),
        "displayName": Prop(text()),
        "externalId": Prop(text()),
        "scimUserName": Prop(text()),
        "email": Prop(text(6, 127, EMAIL_PATTERN), required=True),
        "timezone": Prop(text()),
        "isBot": Prop(boolean(), default=False),
        "botName": Prop(text()),
        "isAdmin": Prop(boolean(), default=False),
        "profile": Prop(json_object()),
        "teams": Prop(array(uuid_text())),
        "roles": Prop(array(uuid_text())),
        "personas": Prop(array(ENTITY_REFERENCE)),
        "defaultPersona": Prop(ENTITY_REFERENCE),
        "authenticationMechanism": Prop(json_object()),
        "createPasswordType": Prop(enum(("ADMIN_CREATE", "USER_CREATE"))),
        "password": Prop(text()),
        "confirmPassword": Prop(text()),
        "domains": Prop(array(entity_name())),
    }
    plain = (
        "description", "displayName", "externalId", "scimUserName", "email", "timezone", "isBot",
        "isAdmin", "profile",
    )  # fmt: skip
    optional = frozenset(
        {
            "profile",
            "roles",
            "teams",
            "follows",
            "owns",
            "domains",
            "personas",
            "defaultPersona",
            "personaPreferences",
            "inheritedRoles",
            "inheritedPersonas",
            "authenticationMechanism",
        }
    )
    empty_lists = frozenset(
        {"personas", "personaPreferences", "inheritedRoles", "inheritedPersonas"}
    )
    links = ("teams", "roles", "domains")
    versioned = False
    bulk = False
    has_status = False
    lookup_by_plain_name = True

    def locate(self, body: dict[str, Any], resolver: Resolver) -> Draft:
        return Draft(name=body["name"], fqn=fqn.quote(body["name"]), doc={})

    def prepare(self, body: dict[str, Any], resolver: Resolver) -> Draft:
        draft = super().prepare(body, resolver)
        # No personas exist here, so any reference to one is unknown.
        for persona in [*(body.get("personas") or ()), body.get("defaultPersona")]:
            if persona is not None:
                resolver.entity("persona", persona["id"])
        draft.links["teams"] = resolver.teams(body.get("teams"))
        draft.links["roles"] = [
            resolver.entity("role", role).id for role in body.get("roles") or ()
        ]
        return draft

    def owners_of(self, store: Store, entity: Entity) -> list[str]:
        return [entity.id]

    def authorize_create(self, subject: Subject, draft: Draft) -> None:
        subject.require_admin()

    def authorize_update(self, subject: Subject, draft: Draft, owners: list[str]) -> None:
        if draft.doc.get("isAdmin") or draft.doc.get("isBot"):
            subject.require_admin()
        subject.authorize(self.type, (EDIT_ALL,), owners)

    def where(self, params: Mapping[str, str]) -> dict[str, Any]:
        where: dict[str, Any] = {}
        for flag in ("isAdmin", "isBot"):
            value = params.get(flag)
            if value is not None:
                where[flag] = value.lower() == "true"
        return where

    def conflicts(self, store: Store, draft: Draft, entity_id: str | None) -> bool:
        other = store.find_by_doc(self.type, "email", draft.doc["email"])
        return other is not None and other.id != entity_id
