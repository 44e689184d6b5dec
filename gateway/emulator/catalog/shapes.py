"""Body shapes shared by several create requests: references, tag labels, common properties."""

from __future__ import annotations

from gateway.emulator.catalog.validation import (
    Check,
    Prop,
    array,
    boolean,
    entity_name,
    enum,
    fqn_text,
    json_object,
    obj,
    text,
    uuid_text,
)

ENTITY_REFERENCE: Check = obj(
    {
        "id": Prop(uuid_text(), required=True),
        "type": Prop(text(), required=True),
        "name": Prop(text()),
        "fullyQualifiedName": Prop(text()),
        "description": Prop(text()),
        "displayName": Prop(text()),
        "deleted": Prop(boolean()),
        "inherited": Prop(boolean()),
        "href": Prop(text()),
    }
)

TAG_LABEL: Check = obj(
    {
        "tagFQN": Prop(text(), required=True),
        "name": Prop(text()),
        "displayName": Prop(text()),
        "description": Prop(text()),
        "style": Prop(json_object()),
        "source": Prop(enum(("Classification", "Glossary")), default="Classification"),
        "labelType": Prop(
            enum(("Manual", "Propagated", "Automated", "Derived", "Generated")), default="Manual"
        ),
        "state": Prop(enum(("Suggested", "Confirmed")), default="Confirmed"),
        "href": Prop(text()),
        "reason": Prop(text()),
        "appliedAt": Prop(text()),
        "appliedBy": Prop(text()),
        "metadata": Prop(json_object()),
    }
)

TAGS: Check = array(TAG_LABEL)
OWNERS: Check = array(ENTITY_REFERENCE)


def common_props() -> dict[str, Prop]:
    """Properties every catalog create request shares."""
    return {
        "name": Prop(entity_name(), required=True),
        "displayName": Prop(text()),
        "description": Prop(text()),
        "tags": Prop(TAGS),
        "owners": Prop(OWNERS),
        "domains": Prop(array(text())),
        "dataProducts": Prop(array(fqn_text())),
    }


def asset_props() -> dict[str, Prop]:
    """Properties of data-asset create requests (databases, schemas, tables, models)."""
    return {
        **common_props(),
        "extension": Prop(json_object()),
        "sourceUrl": Prop(text()),
        "lifeCycle": Prop(json_object()),
        "sourceHash": Prop(text(1, 32)),
    }
