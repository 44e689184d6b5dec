"""Reading /metrics in tests: samples keyed by name and labels, and what changed between two."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import GatewayClient

Labels = frozenset[tuple[str, str]]
Samples = dict[tuple[str, Labels], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(gateway: GatewayClient) -> Samples:
    response = await gateway.http.get("/metrics")
    assert response.status_code == 200
    return parse(response.text)


def increments(before: Samples, after: Samples, name: str) -> dict[Labels, float]:
    """How much each series of sample `name` grew (series that did not grow are left out)."""
    grown: dict[Labels, float] = {}
    for (sample, labels), value in after.items():
        delta = value - before.get((sample, labels), 0.0)
        if sample == name and delta:
            grown[labels] = delta
    return grown


def labels(**values: str) -> Labels:
    return frozenset(values.items())
