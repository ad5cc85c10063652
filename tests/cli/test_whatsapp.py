"""`chatcart whatsapp worker`, and the two WhatsApp processes `chatcart run` starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.settings import get_settings
from cli import app
from cli.stack import whatsapp_services


def test_the_worker_refuses_production_with_development_credentials(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    get_settings.cache_clear()
    answer = CliRunner().invoke(app, ["whatsapp", "worker"])
    assert answer.exit_code == 2
    assert "WHATSAPP_APP_SECRET is not set" in answer.output


def test_the_api_only_acknowledges_and_the_worker_processes(tmp_path: Path) -> None:
    api, worker = whatsapp_services({"PATH": "/usr/bin"}, 8123, prefix="x-", run_dir=tmp_path)
    assert api.env["WHATSAPP_WORKERS"] == "false" and api.health == "http://127.0.0.1:8123/health"
    assert worker.cmd[-4:] == [
        "whatsapp",
        "worker",
        "--ready-file",
        str(tmp_path / "x-whatsapp-worker.ready"),
    ]
    assert (
        worker.ready_file == tmp_path / "x-whatsapp-worker.ready"
        and "WHATSAPP_WORKERS" not in worker.env
    )
