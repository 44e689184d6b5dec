"""`TagDefinition`: a tag the catalog defines, as a tag picker lists it (not a tag applied)."""

from __future__ import annotations

import strawberry

from gateway.upstream.records import TagRecord


@strawberry.type(
    description="A tag the catalog defines, under a classification (`PII.Sensitive`, "
    "`Tier.Tier1`): what a tag picker offers. Apply one with its `fullyQualifiedName` as a "
    "`TagInput.tagFQN`."
)
class TagDefinition:
    id: strawberry.ID = strawberry.field(description="Catalog id (UUID).")
    name: str = strawberry.field(description="Tag name within its classification.")
    fully_qualified_name: str = strawberry.field(
        description="`<classification>.<tag>`, the `tagFQN` to apply it with."
    )
    display_name: str | None = strawberry.field(description="Human-readable name.")
    description: str | None = strawberry.field(description="What the tag means (Markdown).")
    classification: str | None = strawberry.field(
        description="Name of the classification the tag belongs to."
    )
    disabled: bool = strawberry.field(
        description="A disabled tag cannot be applied to an asset (the catalog refuses it)."
    )
    color: str | None = strawberry.field(description="Display color, e.g. `#F5222D`.")

    @classmethod
    def from_record(cls, r: TagRecord) -> TagDefinition:
        return cls(
            id=strawberry.ID(r.id),
            name=r.name,
            fully_qualified_name=r.fully_qualified_name,
            display_name=r.display_name,
            description=r.description,
            classification=r.classification.name if r.classification else None,
            disabled=r.disabled,
            color=r.style.color if r.style else None,
        )
