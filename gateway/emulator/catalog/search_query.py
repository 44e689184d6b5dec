"""Search queries compiled to SQL over the search index's tables (see `search_index`).

Two inputs become one condition tree:
- `q`, a Lucene query string: words and `"phrases"` (free text over the indexed text
  fields), `field:value`, `field:"a phrase"`, `field:pre*`, `field:*`, upper-case
  `AND` / `OR` / `NOT` (and `-word`), parentheses; words next to each other are joined
  with OR (the query-string default). Anything else that Lucene would refuse (unbalanced
  parentheses or quotes, an operator with nothing beside it, `field:` with no value, range
  and regex syntax) is a `QueryError`.
- a search body's `query` (`query_filter`, `post_filter`): `bool` (`must`, `filter`,
  `should` with `minimum_should_match`, `must_not`), `term`, `terms`, `match`,
  `match_phrase`, `prefix`, `wildcard`, `exists`, `ids`, `range`, `match_all`,
  `match_none`, `query_string` and `multi_match`.

A condition is SQL over `search_doc d`. Keyword fields are read from `search_term` (one
row per scalar leaf of a document, by dotted path, compared lower-cased: every keyword
compares case-insensitively here); free text is an FTS5 `MATCH` on `search_fts`. A
condition that only documents of the ids it lists can meet (an `ids` query, `terms` on
`id`, a conjunction holding one) is marked `by_id`, so the index reads those ids directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# FTS5 columns, in table order, and their bm25 weights (names count most).
TEXT_COLUMNS = ("name", "displayName", "description", "fullyQualifiedName", "fqnParts", "extra")
TEXT_WEIGHTS = (10.0, 10.0, 2.0, 3.0, 1.0, 1.0)
# Query-string and `match` fields searched as text, by FTS5 column.
_TEXT_FIELDS = {
    "name": "name",
    "displayName": "displayName",
    "description": "description",
    "fqnParts": "fqnParts",
    "columnNamesFuzzy": "extra",
    "mlFeatures.name": "extra",
    "mlFeatures.description": "extra",
    "columns.name": "extra",
}
_TOKEN = re.compile(r"[^\W_]+")
_FORBIDDEN = re.compile(r"(?<!\\)[\[\]{}/]")


class QueryError(Exception):
    """The query does not parse (Lucene syntax) or names an unknown query type."""


def tokens(text: str) -> list[str]:
    """Words as the FTS5 `unicode61` tokenizer splits them, lower-cased."""
    return [t.lower() for t in _TOKEN.findall(text)]


def keyword_field(name: str) -> str:
    """The indexed path a field name reads: `name.keyword` -> `name`, `domain.x` ->
    `domains.x`, `tags.tagFQN.text` -> `tags.tagFQN`."""
    for suffix in (".keyword", ".text", ".ngram", ".raw"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name == "domain" or name.startswith("domain."):
        name = "domains" + name[len("domain") :]
    return name


@dataclass(slots=True)
class Cond:
    """A SQL condition over `search_doc d`, with its parameters and the FTS5 expressions of
    its free text that counts towards the score."""

    sql: str
    params: list[Any] = field(default_factory=list)
    scoring: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    # Only documents of ids the condition lists can meet it (so they are read by id).
    by_id: bool = False


TRUE = Cond("1")
FALSE = Cond("0")


def _all(parts: list[Cond], joiner: str) -> Cond:
    if not parts:
        return TRUE if joiner == "AND" else FALSE
    if len(parts) == 1:
        return parts[0]
    out = Cond(
        "(" + f" {joiner} ".join(p.sql for p in parts) + ")",
        [param for p in parts for param in p.params],
        by_id=any(p.by_id for p in parts) if joiner == "AND" else all(p.by_id for p in parts),
    )
    for part in parts:
        out.scoring += part.scoring
        out.words += part.words
    return out


def conj(parts: list[Cond]) -> Cond:
    return _all(parts, "AND")


def disj(parts: list[Cond]) -> Cond:
    return _all(parts, "OR")


def negate(part: Cond) -> Cond:
    return Cond(f"NOT {part.sql}", list(part.params))


def _fts_phrase(words: list[str], prefix: bool) -> str:
    return '"' + " ".join(words) + '"' + ("*" if prefix else "")


def text_match(text: str, column: str | None = None, *, phrase: bool = False) -> Cond:
    """Free text: each word (prefix-matched) or the whole phrase, in one FTS5 column or
    all of them."""
    words = tokens(text)
    if not words:
        return FALSE
    parts = [_fts_phrase(words, False)] if phrase else [_fts_phrase([w], True) for w in words]
    expr = " OR ".join(parts)
    if column is not None:
        expr = f"{column} : ({expr})"
    return Cond(
        "d.rid IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)",
        [expr],
        scoring=[expr],
        words=words if column in (None, "name", "displayName", "description") else [],
    )


def terms(name: str, values: list[Any]) -> Cond:
    """Documents with any of `values` at the keyword field (ids and `deleted` read the
    document's own columns)."""
    path = keyword_field(name)
    texts = [_keyword(value) for value in values]
    if not texts:
        return FALSE
    marks = ",".join("?" * len(texts))
    if path in ("id", "_id"):
        return Cond(f"d.id IN ({marks})", [str(v) for v in values], by_id=True)
    if path == "deleted":
        flags = [1 if t == "true" else 0 for t in texts if t in ("true", "false")]
        if not flags:
            return FALSE
        return Cond(f"d.deleted IN ({','.join('?' * len(flags))})", flags)
    return Cond(
        f"d.id IN (SELECT id FROM search_term WHERE field = ? AND norm IN ({marks}))",
        [path, *texts],
    )


def _keyword(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).lower()


def prefix(name: str, value: str) -> Cond:
    path, low = keyword_field(name), value.lower()
    return Cond(
        "d.id IN (SELECT id FROM search_term WHERE field = ? AND norm >= ? AND norm < ?)",
        [path, low, low + "\U0010ffff"],
    )


def wildcard(name: str, pattern: str) -> Cond:
    glob = re.sub(r"[\[\]]", lambda m: f"[{m.group()}]", pattern.lower())
    return Cond(
        "d.id IN (SELECT id FROM search_term WHERE field = ? AND norm GLOB ?)",
        [keyword_field(name), glob],
    )


def exists(name: str) -> Cond:
    path = keyword_field(name)
    return Cond(
        "d.id IN (SELECT id FROM search_term WHERE field = ? OR substr(field, 1, ?) = ?)",
        [path, len(path) + 1, f"{path}."],
    )


def value_range(name: str, bounds: dict[str, Any]) -> Cond:
    path = keyword_field(name)
    ops = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
    sql, params = [], []
    for key, bound in bounds.items():
        if key not in ops:
            if key in ("format", "time_zone", "boost"):
                continue
            raise QueryError(f"[range] query does not support [{key}]")
        if isinstance(bound, bool) or not isinstance(bound, int | float | str):
            raise QueryError(f"[range] query malformed, bad value for [{key}]")
        if isinstance(bound, str):
            try:
                bound = float(bound)
            except ValueError:
                raise QueryError(f"failed to parse [{bound}] for [{name}]") from None
        sql.append(f"CAST(value AS REAL) {ops[key]} ?")
        params.append(bound)
    where = " AND ".join(["field = ?", *sql])
    return Cond(f"d.id IN (SELECT id FROM search_term WHERE {where})", [path, *params])


# --- query DSL --------------------------------------------------------------------------


def _single(body: Any, kind: str) -> tuple[str, Any]:
    if not isinstance(body, dict) or len(body) != 1:
        raise QueryError(f"[{kind}] query malformed, no start_object after query name")
    ((name, value),) = body.items()
    return str(name), value


def _clauses(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def compile_dsl(query: Any) -> Cond:
    """One query of a search body."""
    if not isinstance(query, dict) or len(query) != 1:
        raise QueryError("query malformed, must start with start_object")
    ((kind, body),) = query.items()
    if kind == "bool":
        return _bool(body)
    if kind == "match_all":
        return TRUE
    if kind == "match_none":
        return FALSE
    if kind == "ids":
        values = body.get("values") if isinstance(body, dict) else None
        if not isinstance(values, list):
            raise QueryError("[ids] query malformed, no values")
        return terms("_id", values)
    if kind == "exists":
        name = body.get("field") if isinstance(body, dict) else None
        if not isinstance(name, str):
            raise QueryError("[exists] must be provided with a [field]")
        return exists(name)
    if kind in ("query_string", "multi_match"):
        text = body.get("query") if isinstance(body, dict) else None
        if not isinstance(text, str):
            raise QueryError(f"[{kind}] requires query value")
        return parse_query_string(text) if kind == "query_string" else text_match(text)
    name, value = _single(body, kind)
    if isinstance(value, dict) and kind not in ("range",):
        key = {"term": "value", "prefix": "value", "wildcard": "value"}.get(kind, "query")
        if kind == "wildcard" and "wildcard" in value:
            key = "wildcard"
        value = value.get(key)
    if kind == "term":
        return terms(name, [value])
    if kind == "terms":
        if not isinstance(value, list):
            raise QueryError("[terms] query does not support [" + name + "]")
        return terms(name, value)
    if kind == "prefix":
        return prefix(name, str(value))
    if kind == "wildcard":
        return wildcard(name, str(value))
    if kind in ("match", "match_phrase", "match_phrase_prefix"):
        column = _TEXT_FIELDS.get(keyword_field(name)) if not name.endswith(".keyword") else None
        if column is not None:
            return text_match(str(value), column, phrase=kind == "match_phrase")
        return terms(name, [value])
    if kind == "range":
        if not isinstance(value, dict):
            raise QueryError("[range] query malformed")
        return value_range(name, value)
    raise QueryError(f"unknown query [{kind}]")


def _bool(body: Any) -> Cond:
    if not isinstance(body, dict):
        raise QueryError("[bool] query malformed")
    known = {"must", "filter", "should", "must_not", "minimum_should_match", "boost"}
    for key in body:
        if key not in known:
            raise QueryError(f"[bool] query does not support [{key}]")
    required = [compile_dsl(q) for q in _clauses(body.get("must"))]
    required += [compile_dsl(q) for q in _clauses(body.get("filter"))]
    should = [compile_dsl(q) for q in _clauses(body.get("should"))]
    excluded = [negate(compile_dsl(q)) for q in _clauses(body.get("must_not"))]
    minimum = body.get("minimum_should_match")
    if minimum is None:
        minimum = 0 if required else 1
    try:
        minimum = int(str(minimum).rstrip("%")) if not isinstance(minimum, int) else minimum
    except ValueError:
        raise QueryError("[bool] bad minimum_should_match") from None
    parts = [*required, *excluded]
    if should and minimum > 0:
        if minimum == 1:
            parts.append(disj(should))
        else:
            counted = " + ".join(f"({s.sql})" for s in should)
            parts.append(
                Cond(f"({counted}) >= ?", [p for s in should for p in s.params] + [minimum])
            )
    out = conj(parts)
    if should and minimum == 0:
        # A copy: `conj` may answer one of its parts or the shared TRUE.
        out = Cond(out.sql, list(out.params), list(out.scoring), list(out.words), out.by_id)
        # Optional clauses only score.
        for part in should:
            out.scoring += part.scoring
            out.words += part.words
    return out


# --- query strings ----------------------------------------------------------------------

_OPERATORS = ("AND", "OR", "NOT", "&&", "||", "!")


@dataclass(slots=True)
class _Tok:
    kind: str  # "(", ")", "op", "term"
    text: str
    field: str | None = None
    quoted: bool = False


def _lex(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            out.append(_Tok(char, char))
            i += 1
        elif char == '"':
            end = _quote_end(text, i)
            out.append(_Tok("term", text[i + 1 : end], quoted=True))
            i = end + 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in "()":
                if text[i] == "\\":
                    i += 1
                elif text[i] == ":" and i + 1 < n and text[i + 1] == '"':
                    end = _quote_end(text, i + 1)
                    name = text[start:i]
                    if not name:
                        raise QueryError("Cannot parse: field name missing")
                    out.append(_Tok("term", text[i + 2 : end], field=name, quoted=True))
                    i = end + 1
                    break
                i += 1
            else:
                word = text[start:i]
                out.append(_word(word))
    return out


def _quote_end(text: str, start: int) -> int:
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    raise QueryError("Cannot parse: Lexical error, unterminated quoted string")


def _word(word: str) -> _Tok:
    if word in _OPERATORS:
        return _Tok("op", {"&&": "AND", "||": "OR", "!": "NOT"}.get(word, word))
    if _FORBIDDEN.search(word):
        raise QueryError(f"Cannot parse '{word}': range and regular expression syntax")
    name, sep, value = word.partition(":")
    while sep and name.endswith("\\"):
        more, sep, value = value.partition(":")
        name = f"{name}:{more}"
    if sep:
        if not name or not value:
            raise QueryError(f"Cannot parse '{word}': Encountered \"<EOF>\"")
        return _Tok("term", value, field=name)
    return _Tok("term", word)


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.pos = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Cond:
        cond = self.disjunction()
        if self.peek() is not None:
            raise QueryError('Cannot parse: Encountered " ")" "')
        return cond

    def disjunction(self) -> Cond:
        parts = [self.conjunction()]
        while True:
            tok = self.peek()
            if tok is None or tok.kind == ")":
                break
            if tok.kind == "op" and tok.text == "OR":
                self.take()
            parts.append(self.conjunction())
        return disj(parts)

    def conjunction(self) -> Cond:
        parts = [self.unary()]
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text == "AND":
            self.take()
            parts.append(self.unary())
        return conj(parts)

    def unary(self) -> Cond:
        tok = self.peek()
        if tok is None:
            raise QueryError('Cannot parse: Encountered "<EOF>"')
        if tok.kind == "op":
            if tok.text != "NOT":
                raise QueryError(f'Cannot parse: Encountered " <{tok.text}> "')
            self.take()
            return negate(self.unary())
        if tok.kind == "(":
            self.take()
            inner = self.disjunction()
            close = self.peek()
            if close is None or close.kind != ")":
                raise QueryError('Cannot parse: Encountered "<EOF>", expecting ")"')
            self.take()
            return inner
        if tok.kind == ")":
            raise QueryError('Cannot parse: Encountered " ")" "')
        self.take()
        if tok.text.startswith("-") and not tok.quoted and len(tok.text) > 1:
            return negate(_leaf(_Tok("term", tok.text[1:], tok.field)))
        if tok.text.startswith("+") and not tok.quoted and len(tok.text) > 1:
            return _leaf(_Tok("term", tok.text[1:], tok.field))
        return _leaf(tok)


def _strip(value: str) -> str:
    """Drop a trailing fuzziness or boost (`word~2`, `word^3`) and escapes."""
    value = re.sub(r"(?<!\\)[~^][0-9.]*$", "", value)
    return re.sub(r"\\(.)", r"\1", value)


def _leaf(tok: _Tok) -> Cond:
    value = tok.text if tok.quoted else _strip(tok.text)
    if tok.field is None:
        if not tok.quoted and value == "*":
            return TRUE
        return text_match(value.rstrip("*"), phrase=tok.quoted)
    name = _strip(tok.field)
    if not tok.quoted and value == "*":
        return exists(name)
    column = _TEXT_FIELDS.get(name)
    if column is not None:
        return text_match(value.rstrip("*"), column, phrase=tok.quoted)
    if not tok.quoted and value.endswith("*") and "*" not in value[:-1]:
        return prefix(name, value[:-1])
    if not tok.quoted and ("*" in value or "?" in value):
        return wildcard(name, value)
    return terms(name, [value])


def parse_query_string(text: str) -> Cond:
    """`q`: empty or `*` matches everything."""
    text = text.strip()
    if text in ("", "*"):
        return TRUE
    return _Parser(_lex(text)).parse()
