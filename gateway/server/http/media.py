"""Media types: parsing `Content-Type`, and choosing the response type from `Accept`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
HTML = "text/html"

# Offers in the server's order of preference: the spec's own type first, since no `Accept`
# (or `*/*`) means application/graphql-response+json since the 2025 watershed.
GRAPHQL_OFFERS = (GRAPHQL_RESPONSE_JSON, JSON)
GRAPHQL_OR_PAGE_OFFERS = (GRAPHQL_RESPONSE_JSON, JSON, HTML)
SUPPORTED_ACCEPT = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8, {JSON}; charset=utf-8"

_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_TYPE = re.compile(rf"\s*({_TCHARS})/({_TCHARS})\s*")
# RFC 9110 allows empty parameters (`text/plain;`), hence the optional group.
_PARAM = re.compile(rf";\s*(?:({_TCHARS})\s*=\s*({_TCHARS}|{_QUOTED})\s*)?")
_ELEMENT = re.compile(rf'(?:[^,"]|{_QUOTED})+')
_QVALUE = re.compile(r"(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)")


@dataclass(frozen=True, slots=True)
class MediaType:
    """`type/subtype` (lowercased) with its parameters (names lowercased, values unquoted)."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def essence(self) -> str:
        return f"{self.type}/{self.subtype}"

    def param(self, name: str) -> str | None:
        for key, value in self.params:
            if key == name:
                return value
        return None


def parse_media_type(text: str) -> MediaType | None:
    """The media type in a `Content-Type` value or one `Accept` element; None when malformed."""
    match = _TYPE.match(text)
    if match is None:
        return None
    params: list[tuple[str, str]] = []
    position = match.end()
    while position < len(text):
        param = _PARAM.match(text, position)
        if param is None:
            return None
        position = param.end()
        if param.group(1) is None:
            continue
        value = param.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params.append((param.group(1).lower(), value))
    return MediaType(match.group(1).lower(), match.group(2).lower(), tuple(params))


def is_utf8(media_type: MediaType) -> bool:
    """True when the type names no charset (UTF-8 is then assumed) or names UTF-8."""
    charset = media_type.param("charset")
    return charset is None or charset.lower() == "utf-8"


@dataclass(frozen=True, slots=True)
class _Range:
    media_type: MediaType
    quality: float


def _accept_ranges(accept: str) -> list[_Range]:
    ranges: list[_Range] = []
    for element in _ELEMENT.findall(accept):
        media_type = parse_media_type(element)
        if media_type is None:
            continue
        quality: float | None = 1.0
        params: list[tuple[str, str]] = []
        for name, value in media_type.params:
            if name == "q":
                quality = float(value) if _QVALUE.fullmatch(value) else None
                # What follows `q` are accept-extensions, not media type parameters.
                break
            params.append((name, value))
        if quality is not None:
            ranges.append(
                _Range(MediaType(media_type.type, media_type.subtype, tuple(params)), quality)
            )
    return ranges


@lru_cache(maxsize=512)
def negotiate(accept: str | None, offers: tuple[str, ...]) -> str | None:
    """The offer to answer with, or None when `accept` rules out every offer (406).

    Each offer takes the quality of the most specific range that matches it (a range naming
    a charset other than UTF-8 matches nothing, as answers are always UTF-8). The best
    quality wins; ties go to the more specific range, then the one listed first, then the
    server's order. No `Accept` at all picks the first offer.
    """
    if accept is None or not accept.strip():
        return offers[0]
    ranges = _accept_ranges(accept)
    best: str | None = None
    best_key: tuple[float, int, int, int] | None = None
    for rank, offer in enumerate(offers):
        kind, subtype = offer.split("/")
        match: tuple[int, float, int] | None = None
        for index, candidate in enumerate(ranges):
            media_type = candidate.media_type
            if media_type.type == "*" and media_type.subtype == "*":
                specificity = 0
            elif media_type.type == kind and media_type.subtype == "*":
                specificity = 1
            elif media_type.type == kind and media_type.subtype == subtype:
                specificity = 2
            else:
                continue
            if not is_utf8(media_type):
                continue
            if match is None or specificity > match[0]:
                match = (specificity, candidate.quality, index)
        if match is None or match[1] <= 0:
            continue
        key = (match[1], match[0], -match[2], -rank)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best
