"""deploy/systemd's units run `chatcart cluster exec ROLE INDEX`: every unit names a role the
command knows, and the one whose process starts in a second — nginx — is started the way its
unit starts it (that command, the settings file's names in the environment) and answers, with
the upstreams of the counts it was given, until SIGTERM stops it."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.settings import PROJECT_ROOT
from cli.cluster import DEPLOY, NGINX, ROLES
from tests.shop import free_port
from tests.waiting import wait_until

UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def exec_start(unit: Path) -> list[str]:
    [line] = re.findall(r"^ExecStart=(.+)$", unit.read_text("utf-8"), re.MULTILINE)
    return shlex.split(line)


def test_every_role_has_a_unit_that_execs_it() -> None:
    commands = {unit.name: exec_start(unit) for unit in UNITS}
    assert {cmd[3] for cmd in commands.values()} == set(ROLES)
    for name, cmd in commands.items():
        assert cmd[:3] == ["/opt/chatcart/.venv/bin/chatcart", "cluster", "exec"], name
        assert cmd[4] == ("0" if cmd[3] == "nginx" else "%i"), name
    settings = (DEPLOY / "chatcart.env").read_text("utf-8")
    for unit in UNITS:
        assert "EnvironmentFile=/etc/chatcart/chatcart.env" in unit.read_text("utf-8")
    for name in ("DATABASE_URL", "REDIS_URL", "CLUSTER_PORT", "CLUSTER_ENGINES"):
        assert f"\n{name}=" in settings


def test_the_nginx_unit_command_serves_the_entry_point(tmp_path: Path) -> None:
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (`make nginx`)")
    [unit] = [u for u in UNITS if u.name == "chatcart-nginx.service"]
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql+psycopg://shop@127.0.0.1:5432/shopdb",
        "CLUSTER_PORT": str(port),
        "CLUSTER_LISTEN": "127.0.0.1",
        "CLUSTER_APIS": "3",
        "CLUSTER_RUN_DIR": str(tmp_path),
    }
    args = exec_start(unit)[1:]  # the installed `chatcart` is this interpreter's `-m cli`
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", *args], cwd=PROJECT_ROOT, env=env, start_new_session=True
    )
    try:

        def answers() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/nginx-health", timeout=2).text == "ok\n"
            except httpx.HTTPError:
                return False

        wait_until(answers, "nginx started by its unit's command to answer", timeout=60, every=0.2)
        conf = (tmp_path / "nginx.conf").read_text("utf-8")
        assert conf.count(f"server 127.0.0.1:{port + 100}") == 1
        assert f"server 127.0.0.1:{port + 102} " in conf
        assert f"server 127.0.0.1:{port + 103} " not in conf
        # No API runs: nginx answers for it, it does not hang or pass the request elsewhere.
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 502
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        returned = process.wait(timeout=30)
    assert returned == 0
