"""`gateway emulator` from the command line: help text, serving, persistence."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from gateway.emulator.config import DEFAULT_TOKEN
from gateway.emulator.registry.seed import CHURN_MODEL_RID, ML_MODELS_FOLDER_RID
from gateway.server.cli import main

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
PREVIEW = {"preview": "true"}


def test_help_names_every_flag_the_unsigned_jwt_caveat_and_the_sdk_settings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # when the emulator's help is asked for
    with pytest.raises(SystemExit) as exited:
        main(["emulator", "--help"])

    # then it exits cleanly and documents every flag and the JWT caveat
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    flags = ("--host", "--port", "--data", "--no-seed", "--latency-ms", "--token")
    for flag in (*flags, "--catalog-version"):
        assert flag in text, flag
    assert "JWT signatures are NOT verified" in text
    assert ":memory:" in text
    # and how to point the official SDKs at it
    assert "hostPort='http://127.0.0.1:8585/api'" in text
    assert "OpenMetadataJWTClientConfig(jwtToken='emulator-token')" in text
    assert "hostname='127.0.0.1:8585', config=foundry_sdk.Config(scheme='http')" in text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def emulator_process(data: Path) -> Iterator[str]:
    """`python -m gateway emulator` on a free port; yields its URL once healthy."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "emulator", "--port", str(port), "--data", str(data)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, process.communicate()[1].decode()
            try:
                if httpx.get(f"{url}/_emulator/health", timeout=1).json() == {"status": "ok"}:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "emulator did not start"
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stderr is not None
        process.stderr.close()


def test_emulator_serves_and_keeps_data_across_restarts(tmp_path: Path) -> None:
    # given an emulator started on an empty data directory
    with emulator_process(tmp_path) as url:
        # then it answers registry calls from its seed
        seeded = httpx.get(f"{url}/api/v2/models/{CHURN_MODEL_RID}", headers=AUTH, params=PREVIEW)
        assert (seeded.status_code, seeded.json()) == (200, {"rid": CHURN_MODEL_RID})
        # when a model is created
        created = httpx.post(
            f"{url}/api/v2/models",
            headers=AUTH,
            params=PREVIEW,
            json={"name": "kept", "parentFolderRid": ML_MODELS_FOLDER_RID},
        )
        assert created.status_code == 200
        rid = created.json()["rid"]
    assert (tmp_path / "emulator.sqlite3").is_file()

    # and the emulator is started again on the same directory
    with emulator_process(tmp_path) as url:
        # then the model is still there, and the seed was not added twice
        kept = httpx.get(f"{url}/api/v2/models/{rid}", headers=AUTH, params=PREVIEW)
        assert (kept.status_code, kept.json()) == (200, {"rid": rid})
        versions = httpx.get(
            f"{url}/api/v2/models/{CHURN_MODEL_RID}/versions", headers=AUTH, params=PREVIEW
        )
        assert len(versions.json()["data"]) == 4
