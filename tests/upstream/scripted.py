"""A scripted upstream for `httpx.MockTransport`: canned answers, every request recorded."""

from __future__ import annotations

import httpx

from gateway.upstream.http import UpstreamConfig, UpstreamHttp, UpstreamName

Step = httpx.Response | Exception


class ScriptedUpstream:
    """Answers each request with the next step of `script` (the last one repeats)."""

    def __init__(self, *script: Step) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script[min(len(self.requests), len(self.script)) - 1]
        if isinstance(step, Exception):
            raise step
        return step

    def http(
        self,
        name: UpstreamName = "catalog",
        *,
        token: str | None = None,
        retries: int = 1,
        base_url: str | None = None,
    ) -> UpstreamHttp:
        default = "http://catalog.test/api" if name == "catalog" else "http://registry.test"
        config = UpstreamConfig(name, base_url or default, token=token, retries=retries)
        return UpstreamHttp(config, transport=httpx.MockTransport(self))


def json_response(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, json=body)


def raw_response(status: int, content: bytes, content_type: str = "text/html") -> httpx.Response:
    return httpx.Response(status, content=content, headers={"Content-Type": content_type})
