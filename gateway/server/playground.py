"""The GraphiQL playground: its page on GET /graphql and its assets, served from node_modules."""

from __future__ import annotations

import hashlib
import html
import logging
from pathlib import Path

import orjson
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

log = logging.getLogger("gateway.playground")

ASSETS_PATH = "/graphql/assets"
# Files the page loads -> where npm puts them (versions pinned by package-lock.json).
NPM_ASSETS = {
    "react.production.min.js": "react/umd/react.production.min.js",
    "react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.min.css": "graphiql/graphiql.min.css",
    "graphiql.min.js": "graphiql/graphiql.min.js",
}
SCRIPT_NAME = "playground.js"

EXAMPLE_OPERATION = """\
# Catalog gateway playground. Run this with the
# play button (Ctrl-Enter); the Docs icon, top
# left, browses the schema. Headers below holds
# your token: mutations need one (queries without
# one use the gateway's service token, if it
# allows anonymous reads). A `Bearer <token>`
# placeholder left as is is not sent.

query MlModelsPage($first: Int = 5) {
  mlModels(first: $first) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      fullyQualifiedName
      algorithm
      service {
        name
        serviceType
      }
      followerCount
      votes {
        upVotes
        downVotes
      }
    }
  }
}
"""
HEADER_PLACEHOLDER = "Bearer <token>"
HEADERS_HINT = '{\n  "Authorization": "Bearer <token>"\n}'

# The page may talk to its own origin only: no CDN, no telemetry, nothing else.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Vary": "Accept",
    "Cache-Control": "no-cache",
}

# Relative to the page (…/graphql), so the playground also works behind a path prefix.
_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Catalog gateway · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
<style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
<div id="graphiql">Loading the playground…</div>
<noscript>The playground needs JavaScript.</noscript>
<script type="application/json" id="playground-config">{config}</script>
<script src="{react}"></script>
<script src="{react_dom}"></script>
<script src="{graphiql}"></script>
<script src="{script}"></script>
</body>
</html>
"""

_MISSING_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Catalog gateway · playground not installed</title>
<link rel="icon" href="data:,">
<style>body {{ font-family: sans-serif; max-width: 46rem; margin: 3rem auto; line-height: 1.5; }}
code {{ background: #f3f3f3; padding: 0 .25rem; }}</style>
</head>
<body>
<h1>The GraphiQL playground is not installed</h1>
<p>The playground is served by the gateway itself from npm packages (GraphiQL, React),
never from a CDN, and these files are missing: {missing}.</p>
<p>Install them from the repository root with <code>scripts/dev setup</code> (it runs
<code>npm ci</code> from <code>package-lock.json</code>), or point the setting
<code>GATEWAY_PLAYGROUND_ASSETS</code> (<code>--playground-assets</code>) at a
<code>node_modules</code> directory holding them, then reload this page.</p>
<p>The GraphQL API itself works: POST operations to this URL as
<code>application/json</code>.</p>
</body>
</html>
"""

PLAYGROUND_JS = """\
(function () {
  "use strict";
  var root = document.getElementById("graphiql");
  var config = JSON.parse(document.getElementById("playground-config").textContent);
  if (typeof React === "undefined" || typeof ReactDOM === "undefined" ||
      typeof GraphiQL === "undefined") {
    root.textContent = "The playground's scripts did not load: reload the page, or run " +
      "`scripts/dev setup` on the gateway's host.";
    return;
  }
  var endpoint = window.location.origin + window.location.pathname;
  var send = GraphiQL.createFetcher({ url: endpoint });
  // The headers editor starts with a hint; a header still holding it is left out.
  function fetcher(params, options) {
    var given = (options && options.headers) || {};
    var headers = {};
    Object.keys(given).forEach(function (name) {
      if (given[name] !== config.headerPlaceholder) {
        headers[name] = given[name];
      }
    });
    return send(params, Object.assign({}, options, { headers: headers }));
  }
  var search = new URLSearchParams(window.location.search);
  var props = {
    fetcher: fetcher,
    defaultQuery: config.exampleOperation,
    defaultHeaders: config.headersHint,
    defaultEditorToolsVisibility: "headers",
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false
  };
  if (search.get("query")) {
    props.query = search.get("query");
  }
  if (search.get("variables")) {
    props.variables = search.get("variables");
  }
  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
})();
"""
_SCRIPT_VERSION = hashlib.sha256(PLAYGROUND_JS.encode()).hexdigest()[:12]


def default_assets_dir() -> Path:
    """`node_modules` at the repository root, where `scripts/dev setup` runs `npm ci`."""
    return Path(__file__).resolve().parents[2] / "node_modules"


class Playground:
    """GraphiQL from local files: the page, and a route for the files it loads."""

    def __init__(self, assets_dir: Path | None = None, *, token: str | None = None) -> None:
        self.assets_dir = assets_dir or default_assets_dir()
        # The Headers pane's start: the configured token, else a placeholder left unsent.
        self.headers = (
            orjson.dumps({"Authorization": f"Bearer {token}"}, option=orjson.OPT_INDENT_2).decode()
            if token
            else HEADERS_HINT
        )

    def missing(self) -> list[str]:
        """The npm files the page needs that are not installed."""
        return [
            relative
            for relative in NPM_ASSETS.values()
            if not (self.assets_dir / relative).is_file()
        ]

    def page(self, request: Request) -> Response:
        """The playground page, or a page saying how to install it when files are missing."""
        missing = self.missing()
        if missing:
            log.warning("playground assets missing under %s: %s", self.assets_dir, missing)
            listed = ", ".join(f"<code>{html.escape(name)}</code>" for name in missing)
            body = _MISSING_PAGE.format(missing=listed)
            return Response(body, 503, headers=PAGE_HEADERS, media_type="text/html")
        config = {
            "exampleOperation": EXAMPLE_OPERATION,
            "headersHint": self.headers,
            "headerPlaceholder": HEADER_PLACEHOLDER,
        }
        # `<` escaped so no value can close the <script> element it sits in.
        config_json = orjson.dumps(config).decode().replace("<", "\\u003c")
        body = _PAGE.format(
            config=config_json,
            css=self._url("graphiql.min.css"),
            react=self._url("react.production.min.js"),
            react_dom=self._url("react-dom.production.min.js"),
            graphiql=self._url("graphiql.min.js"),
            script=f"{ASSETS_PATH.lstrip('/')}/{SCRIPT_NAME}?v={_SCRIPT_VERSION}",
        )
        return Response(body, 200, headers=PAGE_HEADERS, media_type="text/html")

    def _url(self, name: str) -> str:
        # The file's size and mtime version the URL, so it can be cached for good.
        stat = (self.assets_dir / NPM_ASSETS[name]).stat()
        return f"{ASSETS_PATH.lstrip('/')}/{name}?v={stat.st_size:x}{stat.st_mtime_ns:x}"

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        headers = {
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        }
        if name == SCRIPT_NAME:
            return Response(PLAYGROUND_JS, headers=headers, media_type="text/javascript")
        relative = NPM_ASSETS.get(name)
        path = self.assets_dir / relative if relative is not None else None
        if path is None or not path.is_file():
            return Response("Not Found", 404, media_type="text/plain")
        media_type = "text/css" if name.endswith(".css") else "text/javascript"
        return FileResponse(path, headers=headers, media_type=f"{media_type}; charset=utf-8")

    def routes(self) -> list[BaseRoute]:
        return [Route(ASSETS_PATH + "/{name}", self.asset, methods=["GET"])]
