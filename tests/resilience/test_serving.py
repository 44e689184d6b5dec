"""What `gateway serve` hands its workers: settings through the environment, a metrics dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from gateway.base.settings import Settings
from gateway.server.serving import export_settings, metrics_directory, settings_environment


def test_the_environment_rebuilds_every_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    # given settings far from the defaults, secrets and lists included
    settings = Settings(
        catalog_url="http://catalog.internal:8585/api",
        registry_url="http://registry.internal:8586",
        catalog_token=SecretStr("catalog-secret"),
        cors_origins=("https://app.example.com", "http://localhost:3000"),
        upstream_timeout=2.5,
        workers=3,
        introspection=False,
        log_format="json",
        tracing=True,
        tracing_exporter="none",
        breaker_cooldown=0.5,
    )
    for key in [k for k in os.environ if k.startswith("GATEWAY_")]:
        monkeypatch.delenv(key)
    # when
    environment = settings_environment(settings)
    for key, value in environment.items():
        if value is not None:
            monkeypatch.setenv(key, value)
    # then
    assert Settings() == settings
    assert environment["GATEWAY_CATALOG_TOKEN"] == "catalog-secret"
    assert environment["GATEWAY_REGISTRY_TOKEN"] is None


def test_exporting_sets_and_unsets_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    # given settings without a registry token, and a stale one in the environment
    settings = Settings(port=8123, registry_token=None)
    for key in settings_environment(settings):
        monkeypatch.delenv(key, raising=False)  # restored after the test
    monkeypatch.setenv("GATEWAY_REGISTRY_TOKEN", "stale")
    # when
    export_settings(settings)
    # then
    assert os.environ["GATEWAY_PORT"] == "8123"
    assert "GATEWAY_REGISTRY_TOKEN" not in os.environ


def test_several_workers_get_a_fresh_metrics_directory_removed_afterwards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    with metrics_directory(2):
        directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
        assert directory.is_dir()
        assert list(directory.iterdir()) == []
    assert not directory.exists()
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ


def test_one_worker_without_a_directory_keeps_metrics_in_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    with metrics_directory(1):
        assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ


def test_an_operators_directory_is_emptied_of_metric_files_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "counter_123.db").write_bytes(b"old run")
    (tmp_path / "README").write_text("kept")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    with metrics_directory(4):
        assert sorted(p.name for p in tmp_path.iterdir()) == ["README"]
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path)
