"""`gateway serve`: one command starts the embedded upstreams, the API and the probes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from gateway.base.settings import Settings
from gateway.server.embedded import free_port


def test_help_lists_every_setting_with_its_env_var() -> None:
    text = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    for name in Settings.model_fields:
        assert f"--{name.replace('_', '-')}" in text
        assert f"GATEWAY_{name.upper()}" in text


def test_serve_starts_embedded_upstreams_and_answers(tmp_path: Path) -> None:
    # given
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    process = subprocess.Popen(
        [
            sys.executable, "-m", "gateway", "serve",
            "--port", str(port), "--data-dir", str(tmp_path), "--log-level", "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                stderr = process.stderr.read().decode() if process.stderr else ""
                raise AssertionError(f"gateway serve exited: {stderr}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "gateway serve did not start"
            time.sleep(0.2)
        # when
        ready = httpx.get(f"{base}/readyz", timeout=5)
        result = httpx.post(
            f"{base}/graphql",
            json={"query": "query { me { name } mlModels(first: 1) { totalCount } }"},
            timeout=10,
        ).json()
        # then
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "upstreams": {"catalog": "ok", "registry": "ok"}}
        assert result["data"]["me"] == {"name": "admin"}
        assert result["data"]["mlModels"]["totalCount"] > 0
        assert (tmp_path / "emulator.sqlite3").exists()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def test_serve_rejects_only_one_upstream_url(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--catalog-url", "http://127.0.0.1:1/api"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")},
    )
    assert completed.returncode == 2
    assert "set both --catalog-url and --registry-url" in completed.stderr


def test_config_prints_effective_settings_with_secrets_masked() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    env.update({"GATEWAY_CATALOG_TOKEN": "s3cret-token", "GATEWAY_PORT": "9123"})
    completed = subprocess.run(
        [sys.executable, "-m", "gateway", "config"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    lines = completed.stdout.splitlines()
    assert "GATEWAY_PORT=9123" in lines
    assert "GATEWAY_CATALOG_TOKEN=********" in lines
    assert "s3cret-token" not in completed.stdout
    assert len(lines) == len(Settings.model_fields)


def test_a_worker_freezes_what_it_built_and_collects_young_objects_rarely() -> None:
    # given a worker's app built in a fresh process
    probe = (
        "import gc; from gateway.server.serving import create_worker_app; create_worker_app(); "
        "print(gc.get_threshold(), gc.get_freeze_count() > 10_000)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    env |= {
        "GATEWAY_CATALOG_URL": "http://127.0.0.1:1/api",
        "GATEWAY_REGISTRY_URL": "http://127.0.0.1:1",
    }
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    # then the schema and modules are frozen out of collections, and the young
    # generation is collected at 10,000 objects instead of 700
    assert completed.stdout.strip() == "(10000, 10, 10) True"
