"""ML models (`/api/v1/mlmodels`): features with table sources (and the lineage a create
records from them), dashboards, breaking changes."""

from __future__ import annotations

from typing import Any

from gateway.emulator.catalog import fqn
from gateway.emulator.catalog.databases import ref_of
from gateway.emulator.catalog.errors import not_found
from gateway.emulator.catalog.kinds import ASSET_OPTIONAL, Draft, EntityKind
from gateway.emulator.catalog.lineage import Lineage, feature_source_tables
from gateway.emulator.catalog.render import Renderer
from gateway.emulator.catalog.resolve import Resolver, reference
from gateway.emulator.catalog.rows import Entity
from gateway.emulator.catalog.shapes import ENTITY_REFERENCE, TAGS, asset_props
from gateway.emulator.catalog.store import Store
from gateway.emulator.catalog.validation import (
    Prop,
    array,
    entity_name,
    enum,
    fqn_text,
    obj,
    text,
)

FEATURE_SOURCE = obj(
    {
        "name": Prop(entity_name(), required=True),
        "dataType": Prop(
            enum(("integer", "number", "string", "array", "date", "timestamp", "object", "boolean"))
        ),
        "description": Prop(text()),
        "fullyQualifiedName": Prop(fqn_text()),
        "dataSource": Prop(ENTITY_REFERENCE),
        "tags": Prop(TAGS),
    }
)
ML_FEATURE = obj(
    {
        "name": Prop(entity_name(), required=True),
        "dataType": Prop(enum(("numerical", "categorical"))),
        "description": Prop(text()),
        "fullyQualifiedName": Prop(fqn_text()),
        "featureSources": Prop(array(FEATURE_SOURCE)),
        "featureAlgorithm": Prop(text()),
        "tags": Prop(TAGS),
    }
)
HYPER_PARAMETER = obj({"name": Prop(text()), "value": Prop(text()), "description": Prop(text())})
ML_STORE = obj({"storage": Prop(text()), "imageRepository": Prop(text())})


class MlModelKind(EntityKind):
    type = "mlmodel"
    collection = "mlmodels"
    properties = (
        "id", "name", "fullyQualifiedName", "displayName", "description", "algorithm",
        "mlFeatures", "mlHyperParameters", "target", "dashboard", "mlStore", "server", "href",
        "owners", "followers", "tags", "usageSummary", "version", "updatedAt", "updatedBy",
        "impersonatedBy", "service", "serviceType", "changeDescription",
        "incrementalChangeDescription", "deleted", "extension", "sourceUrl", "domains",
        "dataProducts", "dataContract", "votes", "lifeCycle", "certification", "sourceHash",
        "entityStatus",
    )  # fmt: skip
    create_props = {
        **asset_props(),
        "algorithm": Prop(text(), default="mlmodel"),
        "mlFeatures": Prop(array(ML_FEATURE)),
        "target": Prop(entity_name()),
        "mlHyperParameters": Prop(array(HYPER_PARAMETER)),
        "dashboard": Prop(fqn_text()),
        "mlStore": Prop(ML_STORE),
        "server": Prop(text()),
        "service": Prop(fqn_text(), required=True),
    }
    plain = (
        "displayName", "description", "algorithm", "mlFeatures", "target", "mlHyperParameters",
        "dashboard", "mlStore", "server", "sourceUrl", "lifeCycle", "sourceHash",
    )  # fmt: skip
    optional = ASSET_OPTIONAL | {"dashboard"}
    refs = ("service", "dashboard")
    list_params = {"service": "service_fqn"}
    major = frozenset({"algorithm", "server", "target"})
    followable = True
    patchable = True

    def locate(self, body: dict[str, Any], resolver: Resolver) -> Draft:
        service = resolver.container("mlmodelService", body["service"])
        doc = {
            "service": ref_of(service.id, service.type),
            "serviceType": service.doc["serviceType"],
        }
        return Draft(
            name=body["name"],
            fqn=fqn.add(service.fqn, body["name"]),
            doc=doc,
            service=service.fqn,
        )

    def complete(self, draft: Draft, resolver: Resolver) -> None:
        doc = draft.doc
        if "dashboard" in doc:
            dashboard = resolver.container("dashboard", doc["dashboard"])
            doc["dashboard"] = ref_of(dashboard.id, dashboard.type)
        self._features(doc, draft.fqn, resolver)

    def _features(self, doc: dict[str, Any], model_fqn: str, resolver: Resolver) -> None:
        for feature in doc.get("mlFeatures", ()):
            feature["fullyQualifiedName"] = fqn.add(model_fqn, feature["name"])
            if feature.get("tags"):
                feature["tags"] = resolver.tags(feature["tags"])
            for source in feature.get("featureSources", ()):
                self._source(source, feature["fullyQualifiedName"], resolver)

    def on_created(self, store: Store, entity: Entity) -> None:
        """Table -> model lineage from the feature sources, without details (contract
        SEARCH_LINEAGE_AUTHZ §2.4). Only a create records it: the upstream's updater has no
        lineage code, so later PUTs and PATCHes of the features leave the edges as they are."""
        lineage = Lineage(store)
        for table_id in feature_source_tables(entity.doc):
            lineage.add_plain(table_id, entity.id)

    def patch_props(self) -> dict[str, Prop]:
        # A model's dashboard is a reference, where the create request names it.
        return {**super().patch_props(), "dashboard": Prop(ENTITY_REFERENCE)}

    def patch_copy(self, body: dict[str, Any]) -> None:
        for feature in body.get("mlFeatures", ()):
            feature.setdefault("tags", [])
            for source in feature.get("featureSources", ()):
                source.setdefault("tags", [])

    def patched(self, doc: dict[str, Any], entity_fqn: str, resolver: Resolver) -> None:
        if "dashboard" in doc:
            ref = doc["dashboard"]
            dashboard = resolver.entity("dashboard", ref["id"])
            if dashboard.deleted:
                raise not_found("dashboard", ref["id"])
            doc["dashboard"] = ref_of(dashboard.id, dashboard.type)
        self._features(doc, entity_fqn, resolver)
        # The copy's empty tag lists are not stored.
        for feature in doc.get("mlFeatures", ()):
            if not feature.get("tags"):
                feature.pop("tags", None)
            for source in feature.get("featureSources", ()):
                if not source.get("tags"):
                    source.pop("tags", None)

    @staticmethod
    def _source(source: dict[str, Any], feature_fqn: str, resolver: Resolver) -> None:
        data_source = source.get("dataSource")
        if data_source is None:
            source["fullyQualifiedName"] = fqn.add(feature_fqn, source["name"])
        else:
            entity = resolver.entity(data_source["type"], data_source["id"])
            if entity.deleted:
                raise not_found(data_source["type"], data_source["id"])
            source["dataSource"] = reference(entity)
            source["fullyQualifiedName"] = fqn.add(entity.fqn, source["name"])
        if source.get("tags"):
            source["tags"] = resolver.tags(source["tags"])

    def shape(self, out: dict[str, Any], fields: frozenset[str], renderer: Renderer) -> None:
        features = out.get("mlFeatures")
        if features and renderer.api is not None:
            out["mlFeatures"] = [
                {**f, "tags": renderer.labels(f["tags"])} if f.get("tags") else f for f in features
            ]
