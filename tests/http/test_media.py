"""Media types: Content-Type parsing and Accept negotiation, as pure functions."""

from __future__ import annotations

import pytest

from gateway.server.http.media import (
    GRAPHQL_OFFERS,
    GRAPHQL_OR_PAGE_OFFERS,
    GRAPHQL_RESPONSE_JSON,
    HTML,
    JSON,
    MediaType,
    negotiate,
    parse_media_type,
)

BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("application/json", MediaType("application", "json")),
        (
            "Application/JSON; Charset=UTF-8",
            MediaType("application", "json", (("charset", "UTF-8"),)),
        ),
        ('text/plain; charset="utf-8"', MediaType("text", "plain", (("charset", "utf-8"),))),
        ('text/plain; a="x\\"y"', MediaType("text", "plain", (("a", 'x"y'),))),
        ("application/json;", MediaType("application", "json")),
        ("application/json; charset", None),
        ("application", None),
        ("", None),
        ("application/json x", None),
    ],
)
def test_parse_media_type(text: str, expected: MediaType | None) -> None:
    assert parse_media_type(text) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        # no preference: the spec's own type (the 2025 watershed)
        (None, GRAPHQL_RESPONSE_JSON),
        ("", GRAPHQL_RESPONSE_JSON),
        ("*/*", GRAPHQL_RESPONSE_JSON),
        ("application/*", GRAPHQL_RESPONSE_JSON),
        # what the client names
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (JSON, JSON),
        ("application/json; charset=utf-8", JSON),
        # the spec's recommended header: listed first wins at equal quality
        (
            "application/graphql-response+json; charset=utf-8, application/json; charset=utf-8",
            GRAPHQL_RESPONSE_JSON,
        ),
        ("application/json, application/graphql-response+json", JSON),
        # GraphiQL's fetcher
        ("application/json, multipart/mixed", JSON),
        # a named type beats a wildcard at equal quality
        ("*/*, application/json", JSON),
        # quality decides first
        ("application/json;q=0.5, application/graphql-response+json;q=0.9", GRAPHQL_RESPONSE_JSON),
        ("application/json;q=0, */*", GRAPHQL_RESPONSE_JSON),
        # answers are UTF-8 only
        ("application/graphql-response+json; charset=iso-8859-1", None),
        ("application/json; charset=utf-16, */*;q=0.1", GRAPHQL_RESPONSE_JSON),
        # nothing acceptable
        ("text/plain", None),
        ("application/json;q=0", None),
        ("application/json; q=2", None),
        ("garbage", None),
        # a browser's navigation prefers HTML, which only the page offers
        (BROWSER_ACCEPT, GRAPHQL_RESPONSE_JSON),
    ],
)
def test_negotiate_graphql_answers(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept, GRAPHQL_OFFERS) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (BROWSER_ACCEPT, HTML),
        ("text/html", HTML),
        ("text/html;q=0.5, application/json", JSON),
        ("*/*", GRAPHQL_RESPONSE_JSON),
        (None, GRAPHQL_RESPONSE_JSON),
    ],
)
def test_negotiate_with_the_playground_page(accept: str | None, expected: str) -> None:
    assert negotiate(accept, GRAPHQL_OR_PAGE_OFFERS) == expected
