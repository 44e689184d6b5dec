"""`GET /v1/search/query` and `GET|POST /v1/search/aggregate` (contract SEARCH_LINEAGE_AUTHZ §1).

Both answer raw Elasticsearch responses over the search index. No policy runs, but the
principal must be a live user (§3.4). Choices where the contract is silent or UNCONFIRMED:
- `index` takes `mlmodel_search_index`, `table_search_index`, `user_search_index` and the
  aliases `mlmodel`, `table`, `user`, `dataAsset` and `all`; any other index holds nothing
  here (empty hits). Users are in neither `dataAsset` nor `all`: the upstream's
  `indexMapping.json` gives the user index no parent aliases.
- A `q` or a search body that does not parse is a `400` whose message says why.
- `sort_field=followers` sorts by the number of followers; `name.keyword`,
  `displayName.keyword` and `fullyQualifiedName` sort lower-cased.
- Aggregations are terms aggregations of 10 buckets (most documents first) on the
  fields the contract lists; keys of `tags.tagFQN`-like fields, `serviceType`,
  `entityType`, `fullyQualifiedName` and `name` fields come back lower-cased, the others
  (`*.displayName`) as written.
- Highlights wrap the matched words of `name`, `displayName` and `description` in
  `<span class="text-highlighter">` (the markup is UNCONFIRMED).
"""

from __future__ import annotations

import fnmatch
import re
import time
from typing import Any

import orjson
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from gateway.emulator.catalog.calls import Call, Endpoint
from gateway.emulator.catalog.errors import bad_request, path_not_found
from gateway.emulator.catalog.kinds import COLLECTIONS
from gateway.emulator.catalog.search_index import MAX_WINDOW, Hit, SearchIndex, Sort
from gateway.emulator.catalog.search_query import (
    Cond,
    QueryError,
    compile_dsl,
    keyword_field,
    parse_query_string,
)
from gateway.emulator.responses import JSONResponse

_ALIASES: dict[str, list[str]] = {
    "mlmodel_search_index": ["mlmodel_search_index"],
    "mlmodel": ["mlmodel_search_index"],
    "table_search_index": ["table_search_index"],
    "table": ["table_search_index"],
    "dataAsset": ["table_search_index", "mlmodel_search_index"],
    "all": ["table_search_index", "mlmodel_search_index"],
    "user_search_index": ["user_search_index"],
    "user": ["user_search_index"],
}
_GLOBAL_AGGREGATIONS = (
    "serviceType",
    "service.displayName.keyword",
    "entityType",
    "tier.tagFQN",
    "owners.displayName.keyword",
    "domains.displayName.keyword",
    "tags.tagFQN",
    "certification.tagLabel.tagFQN",
)
_INDEX_AGGREGATIONS = {"mlmodel_search_index": ("mlFeatures.name.keyword",)}
_BUCKETS = 10
_SHARDS = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}
_HIGHLIGHT = ('<span class="text-highlighter">', "</span>")
_HIGHLIGHT_FIELDS = ("name", "displayName", "description")
_WORD = re.compile(r"[^\W_]+")


def lower_keys(field: str) -> bool:
    """Whether the field's keyword has the lowercase normalizer (§1.2)."""
    path = keyword_field(field)
    last = path.rsplit(".", 1)[-1]
    return last in ("tagFQN", "serviceType", "entityType", "fullyQualifiedName", "name")


def _int(params: QueryParams, name: str, default: int) -> int:
    text = params.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise path_not_found() from None


def _nullable_bool(text: str | None) -> bool | None:
    if text is None or text == "":
        return None
    return text.lower() == "true"


def search_body(text: str | None, what: str) -> Cond | None:
    """The `query` of a JSON search body (`query_filter`, `post_filter`), or None."""
    if text is None or text.strip() in ("", "{}"):
        return None
    try:
        body = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise bad_request(f"Failed to parse {what}: {text}") from None
    if not isinstance(body, dict):
        raise bad_request(f"Failed to parse {what}: {text}")
    if "query" not in body:
        unknown = next(iter(body), "")
        raise bad_request(f"Failed to parse {what}: unknown key [{unknown}]")
    try:
        return compile_dsl(body["query"])
    except QueryError as exc:
        raise bad_request(f"Failed to parse {what}: {exc}") from None


def query_string(text: str) -> Cond:
    try:
        return parse_query_string(text)
    except QueryError as exc:
        raise bad_request(f"Failed to parse query [{text}]: {exc}") from None


def _shaped(path: str, source: dict[str, Any], include: list[str], exclude: list[str]) -> Any:
    out: dict[str, Any] = {}
    for key, value in source.items():
        full = f"{path}.{key}" if path else key
        if any(fnmatch.fnmatchcase(full, p) for p in exclude):
            continue
        wanted = not include or any(fnmatch.fnmatchcase(full, p) for p in include)
        deeper = [p for p in include if p.startswith(f"{full}.")]
        if wanted:
            if isinstance(value, dict) and exclude:
                value = _shaped(full, value, [], exclude)
            out[key] = value
        elif deeper and isinstance(value, dict):
            out[key] = _shaped(full, value, include, exclude)
        elif deeper and isinstance(value, list):
            out[key] = [
                _shaped(full, item, include, exclude) if isinstance(item, dict) else item
                for item in value
            ]
    return out


def _highlight(source: dict[str, Any], words: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if not words:
        return out
    for name in _HIGHLIGHT_FIELDS:
        text = source.get(name)
        if not isinstance(text, str) or not text:
            continue
        found = False

        def mark(match: re.Match[str]) -> str:
            nonlocal found
            if any(match.group().lower().startswith(word) for word in words):
                found = True
                return f"{_HIGHLIGHT[0]}{match.group()}{_HIGHLIGHT[1]}"
            return match.group()

        marked = _WORD.sub(mark, text)
        if found:
            out[name] = [marked]
    return out


def _aggregation(buckets: list[tuple[str, int]], size: int) -> dict[str, Any]:
    shown = buckets[:size]
    return {
        "doc_count_error_upper_bound": 0,
        "sum_other_doc_count": sum(count for _, count in buckets[size:]),
        "buckets": [{"key": key, "doc_count": count} for key, count in shown],
    }


class SearchRoutes:
    """The search handlers and the hold / release knob."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    def table(self) -> list[tuple[str, str, Endpoint]]:
        return [
            ("GET", "/api/v1/search/query", self.query),
            ("GET", "/api/v1/search/aggregate", self.aggregate),
            ("POST", "/api/v1/search/aggregate", self.aggregate_body),
        ]

    def knob_routes(self) -> list[BaseRoute]:
        """`GET /_emulator/search/hold` -> `{"hold": bool, "pending": n}`; `PUT` with
        `{"hold": true}` stops indexing (writes wait, unindexed), `{"hold": false}` catches
        up; `POST /_emulator/search/reindex` rebuilds every document."""

        async def hold(request: Request) -> Response:
            if request.method == "PUT":
                try:
                    body = orjson.loads(await request.body())
                    wanted = body["hold"]
                    if not isinstance(wanted, bool):
                        raise TypeError(wanted)
                except (orjson.JSONDecodeError, KeyError, TypeError):
                    return JSONResponse({"error": 'expected {"hold": true|false}'}, status_code=400)
                if wanted:
                    self.index.hold()
                else:
                    self.index.release()
            return JSONResponse({"hold": self.index.held, "pending": self.index.lag()})

        async def reindex(_: Request) -> Response:
            self.index.store.sync()
            ids = [row[0] for row in self.index.conn.execute("SELECT id FROM catalog_entity")]
            ids += [row[0] for row in self.index.conn.execute("SELECT id FROM search_doc")]
            self.index.touch(ids)
            self.index.flush()
            return JSONResponse({"hold": self.index.held, "pending": self.index.lag()})

        return [
            Route("/_emulator/search/hold", hold, methods=["GET", "PUT"]),
            Route("/_emulator/search/reindex", reindex, methods=["POST"]),
        ]

    def _indexes(self, params: QueryParams) -> tuple[list[str], str]:
        name = params.get("index") or "table_search_index"
        return _ALIASES.get(name, []), name

    # GET /v1/search/query

    async def query(self, call: Call) -> Response:
        started = time.perf_counter()
        call.actor.subject.require_user()
        self.index.flush()
        params = call.params
        indexes, _ = self._indexes(params)
        start = _int(params, "from", 0)
        size = _int(params, "size", 10)
        if start < 0:
            raise bad_request("[from] parameter cannot be negative")
        if size < 0:
            raise bad_request("[size] parameter cannot be negative, found [" + str(size) + "]")
        if start + size > MAX_WINDOW:
            raise bad_request(
                f"Result window is too large, from + size must be less than or equal to: "
                f"[{MAX_WINDOW}] but was [{start + size}]."
            )
        deleted = _nullable_bool(params.get("deleted"))
        query = query_string(params.get("q") or "*")
        conds = [query]
        query_filter = search_body(params.get("query_filter"), "query_filter")
        if query_filter is not None:
            conds.append(query_filter)
        post_filter = search_body(params.get("post_filter"), "post_filter")
        hit_conds = conds if post_filter is None else [*conds, post_filter]
        sort_field = keyword_field(params.get("sort_field") or "_score")
        descending = (params.get("sort_order") or "desc").lower() != "asc"
        sort = Sort(sort_field, descending)
        after_text = params.get("search_after")
        after = None if not after_text else [v.strip() for v in after_text.split(",")]
        total = self.index.count(indexes, deleted, hit_conds) if indexes else 0
        hits: list[Hit] = []
        best = None
        if indexes:
            hits, best = self.index.hits(
                indexes, deleted, hit_conds, query.scoring, sort, start, size, after
            )
        track = (params.get("track_total_hits") or "false").lower() == "true"
        relation = "eq"
        if not track and total > MAX_WINDOW:
            total, relation = MAX_WINDOW, "gte"
        fetch = (params.get("fetch_source") or "true").lower() != "false"
        include = params.getlist("include_source_fields")
        exclude = params.getlist("exclude_source_fields")
        api = call.renderer.api
        out_hits = []
        for hit in hits:
            out: dict[str, Any] = {"_index": hit.index, "_id": hit.id, "_score": hit.score}
            source = hit.source
            if api is not None:
                source["href"] = f"{api}/v1/{COLLECTIONS[source['entityType']]}/{hit.id}"
            if fetch:
                out["_source"] = (
                    _shaped("", source, include, exclude) if include or exclude else source
                )
            out["sort"] = hit.sort
            marked = _highlight(hit.source, query.words)
            if marked:
                out["highlight"] = marked
            out_hits.append(out)
        aggregations = {}
        if indexes:
            fields = list(_GLOBAL_AGGREGATIONS)
            if len(indexes) == 1:
                fields += _INDEX_AGGREGATIONS.get(indexes[0], ())
            wanted = {field: (keyword_field(field), lower_keys(field)) for field in fields}
            facets = self.index.facets(indexes, deleted, conds, list(wanted.values()))
            for field, pair in wanted.items():
                aggregations[f"sterms#{field}"] = _aggregation(facets[pair], _BUCKETS)
        body = {
            "took": int((time.perf_counter() - started) * 1000),
            "timed_out": False,
            "_shards": _SHARDS,
            "hits": {
                "total": {"value": total, "relation": relation},
                "max_score": best,
                "hits": out_hits,
            },
            "aggregations": aggregations,
        }
        return Response(orjson.dumps(body), media_type="application/json")

    # GET / POST /v1/search/aggregate

    async def aggregate(self, call: Call) -> Response:
        params = call.params
        return self._aggregate(
            call,
            index=params.get("index") or "table_search_index",
            field=params.get("field"),
            value=params.get("value") or "",
            q=params.get("q") or "",
            size=_int(params, "size", 10),
            deleted=(params.get("deleted") or "false").lower() == "true",
            source_fields=params.get("sourceFields") or "",
        )

    async def aggregate_body(self, call: Call) -> Response:
        body = await call.json()
        if not isinstance(body, dict):
            raise bad_request("Invalid request format")
        size = body.get("size", 10)
        if isinstance(size, bool) or not isinstance(size, int):
            raise bad_request("Invalid request format")
        source_fields = body.get("sourceFields") or ""
        if isinstance(source_fields, list):
            source_fields = ",".join(str(f) for f in source_fields)
        return self._aggregate(
            call,
            index=str(body.get("index") or "table_search_index"),
            field=body.get("fieldName"),
            value=str(body.get("fieldValue") or ""),
            q=str(body.get("query") or ""),
            size=size,
            deleted=bool(body.get("deleted", False)),
            source_fields=str(source_fields),
        )

    def _aggregate(
        self,
        call: Call,
        *,
        index: str,
        field: Any,
        value: str,
        q: str,
        size: int,
        deleted: bool,
        source_fields: str,
    ) -> Response:
        started = time.perf_counter()
        call.actor.subject.require_user()
        if not isinstance(field, str) or not field:
            raise bad_request("Aggregation field (fieldName) cannot be null or empty")
        if size < 0:
            raise bad_request("[size] must be greater than 0. Found [" + str(size) + "]")
        self.index.flush()
        indexes = _ALIASES.get(index, [])
        stripped = q.strip()
        if stripped.startswith("{"):
            cond = search_body(stripped, "q") or Cond("1")
        else:
            cond = query_string(stripped or "*")
        total = self.index.count(indexes, deleted, [cond]) if indexes else 0
        lower = lower_keys(field)
        buckets: list[tuple[str, int]] = []
        if indexes:
            buckets = self.index.buckets(
                indexes, deleted, [cond], keyword_field(field), lower=lower
            )
        pattern = value.lower()
        if pattern:
            try:
                regex = re.compile(pattern)
            except re.error:
                raise bad_request(f"Invalid regular expression [{value}]") from None
            buckets = [b for b in buckets if regex.fullmatch(b[0])]
        buckets.sort(key=lambda b: b[0])
        aggregation = _aggregation(buckets, size)
        wanted = [f.strip() for f in source_fields.split(",") if f.strip()]
        if wanted:
            for bucket in aggregation["buckets"]:
                bucket["top_hits#top"] = self._top(
                    indexes, deleted, cond, field, bucket["key"], wanted
                )
        body = {
            "took": int((time.perf_counter() - started) * 1000),
            "timed_out": False,
            "_shards": _SHARDS,
            "hits": {"total": {"value": total, "relation": "eq"}, "max_score": None, "hits": []},
            "aggregations": {f"sterms#{field}": aggregation},
        }
        return Response(orjson.dumps(body), media_type="application/json")

    def _top(
        self,
        indexes: list[str],
        deleted: bool,
        cond: Cond,
        field: str,
        key: str,
        wanted: list[str],
    ) -> dict[str, Any]:
        """The `top` sub-aggregation: the bucket's first documents, with `sourceFields` only."""
        path = keyword_field(field)
        column = "norm" if lower_keys(field) else "value"
        bucket = Cond(
            f"d.id IN (SELECT id FROM search_term WHERE field = ? AND {column} = ?)", [path, key]
        )
        count = self.index.count(indexes, deleted, [cond, bucket])
        hits, _ = self.index.hits(
            indexes, deleted, [cond, bucket], [], Sort("_score", True), 0, 3, None
        )
        return {
            "hits": {
                "total": {"value": count, "relation": "eq"},
                "max_score": 1.0 if hits else None,
                "hits": [
                    {
                        "_index": hit.index,
                        "_id": hit.id,
                        "_score": 1.0,
                        "_source": _shaped("", hit.source, wanted, []),
                    }
                    for hit in hits
                ],
            }
        }
