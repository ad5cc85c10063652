"""`ENVIRONMENT=prod` refuses to start: the API process exits at once with the reason, instead
of serving as development with the sandbox payment provider and the simulator on."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.settings import PROJECT_ROOT

# Importing the app and its settings on a busy machine; the process exits long before.
START = 180.0


@pytest.mark.parametrize("environment", ["prod", "Production-ish", "staging"])
def test_the_api_refuses_to_start_with_an_unknown_environment(
    environment: str, database_url: str
) -> None:
    env = os.environ | {"ENVIRONMENT": environment, "DATABASE_URL": database_url}
    done = subprocess.run(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", "0"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=START,
    )
    assert done.returncode != 0
    assert "environment" in done.stderr and "development" in done.stderr
