"""GraphiQL in real headless Chromium: it loads offline, runs the example, and shows the docs."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx
import orjson
import pytest

from gateway.emulator.auth import make_jwt
from gateway.emulator.config import DEFAULT_PRINCIPAL, DEFAULT_TOKEN
from gateway.emulator.ids import seed_uuid
from gateway.server.playground import EXAMPLE_OPERATION, HEADERS_HINT
from tests.servers import ThreadedServer

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page, Request, Route

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "build" / "artifacts" / "playground.png"
RESULT_WAIT_S = 15.0
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADER_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESULT_EDITOR = ".result-window .CodeMirror"
USERS = "{ users(first: 5) { nodes { name } } }"
WHO_CALLS = "query WhoCalls { me { name } }"


async def editor_text(page: Page, selector: str) -> str:
    # The page forbids eval (CSP), so read CodeMirror through a function, not a string.
    text = await page.eval_on_selector(selector, "(element) => element.CodeMirror.getValue()")
    return str(text)


async def set_editor_text(page: Page, selector: str, text: str) -> None:
    await page.eval_on_selector(
        selector, "(element, text) => element.CodeMirror.setValue(text)", text
    )


async def result_text(page: Page) -> str:
    deadline = time.monotonic() + RESULT_WAIT_S
    while time.monotonic() < deadline:
        text = await editor_text(page, RESULT_EDITOR)
        if text.strip():
            return text
        await asyncio.sleep(0.1)
    raise AssertionError("GraphiQL showed no result")


async def test_playground_runs_the_example_offline(
    browser: BrowserContext, gateway_server: ThreadedServer
) -> None:
    # given a browser that records every request and lets only the gateway's own through
    origin = gateway_server.url
    foreign: list[str] = []
    requests: list[Request] = []
    page_errors: list[str] = []

    async def only_the_gateway(route: Route) -> None:
        if route.request.url.startswith(f"{origin}/"):
            await route.continue_()
        else:
            foreign.append(route.request.url)
            await route.abort()

    await browser.route("**/*", only_the_gateway)
    page = browser.pages[0] if browser.pages else await browser.new_page()
    page.on("request", lambda request: requests.append(request))
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on("console", lambda msg: page_errors.append(msg.text) if msg.type == "error" else None)

    # when the playground opens
    await page.goto(f"{origin}/graphql")
    await page.wait_for_selector(QUERY_EDITOR)

    # then it offers the example operation and the bearer-token hint
    assert await editor_text(page, QUERY_EDITOR) == EXAMPLE_OPERATION
    assert await editor_text(page, HEADER_EDITOR) == HEADERS_HINT

    # when the example runs
    await page.click("button.graphiql-execute-button")
    shown = orjson.loads(await result_text(page))

    # then the page shows what the API answers for it
    async with httpx.AsyncClient(timeout=10) as client:
        direct = await client.post(
            f"{origin}/graphql",
            json={"query": EXAMPLE_OPERATION},
            headers={"Accept": "application/json"},
        )
    assert shown == direct.json()
    assert "errors" not in shown
    assert len(shown["data"]["mlModels"]["nodes"]) == 5
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOT))

    # when the docs explorer opens on the root query type and one of its fields
    await page.click('button[aria-label="Show Documentation Explorer"]')
    await page.click('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name >> text="Query"')
    await page.click('.graphiql-doc-explorer a.graphiql-doc-explorer-field-name >> text="mlModels"')

    # then it shows the schema's description of that field
    description = page.locator(".graphiql-doc-explorer-content .graphiql-markdown-description")
    assert await description.first.inner_text() == "A page of ML models, ordered by name."

    # and nothing but the gateway was ever asked for anything
    assert foreign == []
    assert page_errors == []
    assert {request.url.split("?")[0] for request in requests} == {
        f"{origin}/graphql",
        f"{origin}/graphql/assets/graphiql.min.css",
        f"{origin}/graphql/assets/react.production.min.js",
        f"{origin}/graphql/assets/react-dom.production.min.js",
        f"{origin}/graphql/assets/graphiql.min.js",
        f"{origin}/graphql/assets/playground.js",
    }
    # and the GraphQL calls are CSRF-safe POSTs that leave the placeholder token out
    calls = [request for request in requests if request.method == "POST"]
    assert len(calls) >= 2  # the schema's introspection, then the example
    for call in calls:
        headers = await call.all_headers()
        assert headers["content-type"] == "application/json"
        assert "authorization" not in headers


async def test_playground_sends_the_token_put_in_the_headers_editor(
    browser: BrowserContext, gateway_server: ThreadedServer
) -> None:
    # given a seeded user other than the service token's, and the playground open
    async with httpx.AsyncClient(base_url=gateway_server.url, timeout=10) as client:
        users = await client.post("/graphql", json={"query": USERS})
    names = [node["name"] for node in users.json()["data"]["users"]["nodes"]]
    user = next(name for name in names if name != DEFAULT_PRINCIPAL)
    page = browser.pages[0] if browser.pages else await browser.new_page()

    # when a link opens the playground on an operation asking who calls
    await page.goto(f"{gateway_server.url}/graphql?query={quote(WHO_CALLS)}")
    await page.wait_for_selector(QUERY_EDITOR)
    assert await editor_text(page, QUERY_EDITOR) == WHO_CALLS
    # and the headers editor holds the user's token
    headers = orjson.dumps({"Authorization": f"Bearer {make_jwt(user)}"}).decode()
    await set_editor_text(page, HEADER_EDITOR, headers)
    await page.click("button.graphiql-execute-button")

    # then the gateway answered as that user
    assert orjson.loads(await result_text(page)) == {"data": {"me": {"name": user}}}


VOTE = """mutation Vote {
  vote(kind: ML_MODEL, id: "%s", vote: UP) {
    __typename
    ... on VoteSuccess { vote }
  }
}"""


async def test_with_a_playground_token_a_mutation_runs_as_it_is(
    browser: BrowserContext, gateway_server_with_token: ThreadedServer
) -> None:
    # given the playground of a gateway over the embedded upstreams, opened on a mutation
    model_id = seed_uuid("mlmodel", "mlflow_prod.churn_predictor")
    page = browser.pages[0] if browser.pages else await browser.new_page()
    await page.goto(f"{gateway_server_with_token.url}/graphql?query={quote(VOTE % model_id)}")
    await page.wait_for_selector(QUERY_EDITOR)

    # then its headers pane holds the development token
    expected = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
    assert orjson.loads(await editor_text(page, HEADER_EDITOR)) == expected

    # when the mutation runs, untouched
    await page.click("button.graphiql-execute-button")

    # then it is recorded as the token's user, not refused as anonymous
    shown = orjson.loads(await result_text(page))
    assert shown == {"data": {"vote": {"__typename": "VoteSuccess", "vote": "UP"}}}
