"""`chatcart run`: every process of a local ChatCart, started, health-checked, stopped together.

Engine (Rasa, .venv-rasa, :5005) ← REST → action server (rasa-sdk, .venv, :5055), the API
(FastAPI, .venv, :8000; it acknowledges WhatsApp webhooks into the inbox) and the WhatsApp
worker (no port; it processes the inbox and the outbox). Ctrl-C stops them all.

The engine, the action server and the worker run `BACKGROUND_NICE` (10) nicer than the API:
see `Service.nice`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import typer

from bot.settings import PROJECT_ROOT, get_settings
from cli.engine import (
    RASA_RUN,
    current_model,
    engine_env,
    production_model,
    production_path,
    registry,
    tracker_env,
    train,
)

LOGS = PROJECT_ROOT / "var" / "log"


@dataclass
class Service:
    """A process; healthy when `health` (a URL) answers, or — for a process without HTTP —
    once it has written `ready_file`.

    `nice` is added to the niceness the process would inherit (that of `chatcart run`), before
    it executes anything, so that every thread and child of it has it too. Why: the API must
    acknowledge a WhatsApp webhook within milliseconds, and Meta retries (and may eventually
    disable the webhook) when it does not; the engine, the action server and the worker do
    seconds of CPU work per turn and can wait a few milliseconds more without anyone noticing.
    On a machine with fewer cores than busy processes the kernel shares the CPU by weight, and
    a process 10 nicer weighs about a tenth as much (CFS: ×1.25 per step): when the API wakes
    up with a delivery it gets a core at once instead of queueing behind the engine's turn.
    A real deployment does the same with systemd's `Nice=` or cgroup CPU weights."""

    name: str
    cmd: list[str]
    health: str
    env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    timeout: float = 180.0
    process: subprocess.Popen[bytes] | None = None
    ready_file: Path | None = None
    nice: int = 0

    @property
    def log(self) -> Path:
        return LOGS / f"{self.name}.log"

    def start(self) -> None:
        LOGS.mkdir(parents=True, exist_ok=True)
        if self.ready_file is not None:
            self.ready_file.unlink(missing_ok=True)
        out = self.log.open("ab")
        nice = self.nice
        self.process = subprocess.Popen(
            self.cmd,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Niceness before exec, so every thread of the service has it; `chatcart run`
            # starts services from its only thread, where preexec_fn is safe.
            preexec_fn=(lambda: os.nice(nice)) if nice else None,  # noqa: PLW1509
        )

    def wait_healthy(self) -> float:
        started = time.monotonic()
        while time.monotonic() - started < self.timeout:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited ({self.process.returncode}); {self.log_tail()}"
                )
            if self.ready_file is not None:
                if self.ready_file.exists():
                    return time.monotonic() - started
            else:
                try:
                    if httpx.get(self.health, timeout=2).status_code < 500:
                        return time.monotonic() - started
                except httpx.HTTPError:
                    pass
            time.sleep(0.2 if self.ready_file else 0.5)
        raise RuntimeError(f"{self.name} not healthy after {self.timeout:.0f} s; {self.log_tail()}")

    def log_tail(self, lines: int = 15) -> str:
        """Where the log is and how it ends: a failed start in CI shows its cause, not a path
        on a machine that is gone."""
        try:
            last = self.log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            last = []
        return f"{self.log} ends:\n" + "\n".join(f"    {line}" for line in last)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def assistant_services(
    database_url: str,
    engine_port: int,
    action_port: int,
    *,
    model: Path | None = None,
    prefix: str = "",
    endpoints: str = "endpoints.yml",
    extra_env: dict[str, str] | None = None,
) -> list[Service]:
    """The action server and the Rasa engine wired to each other and to one database — for
    `chatcart run`, the tests and the benchmarks alike. The engine serves `model`, by default
    the production model of the registry; its HTTP API takes RASA_TOKEN when one is set. Both
    run `BACKGROUND_NICE` nicer than the caller (see `Service.nice`). A cluster (cli/cluster.py)
    gives its engines deploy/endpoints.yml and both `extra_env` (Redis, its gateways)."""
    extra = extra_env or {}
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(PROJECT_ROOT),
        **extra,
    }
    settings = get_settings()
    token, nice = settings.rasa_token.get_secret_value(), settings.background_nice
    return [
        Service(
            f"{prefix}actions",
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
            f"http://127.0.0.1:{action_port}/health",
            {
                **env,
                "SANIC_HOST": settings.engine_interface,  # rasa_sdk's bind address
                "ACTION_SERVER_SECRET": settings.action_server_secret.get_secret_value(),
            },
            nice=nice,
        ),
        Service(
            f"{prefix}engine",
            [
                *RASA_RUN,
                "--enable-api",
                "--interface",
                settings.engine_interface,
                "--port",
                str(engine_port),
                "--model",
                str(model or production_path()),
                "--endpoints",
                endpoints,
                "--credentials",
                "credentials.yml",
                *(["--auth-token", token] if token else []),
            ],
            f"http://127.0.0.1:{engine_port}/",
            engine_env(
                {
                    "DATABASE_URL": database_url,
                    "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
                    **tracker_env(database_url),
                    **extra,
                }
            ),
            nice=nice,
        ),
    ]


def whatsapp_services(
    env: dict[str, str],
    api_port: int,
    *,
    prefix: str = "",
    run_dir: Path = PROJECT_ROOT / "var" / "run",
) -> list[Service]:
    """The API, which acknowledges WhatsApp webhooks (durably, into the inbox) and nothing more
    of the channel, and the worker that processes the inbox and the outbox: two processes, so
    that acknowledgements never wait behind the engine's turns — for `chatcart run`, the
    WhatsApp tests and the webhook benchmark alike. The API keeps the caller's priority, the
    worker runs `BACKGROUND_NICE` nicer (see `Service.nice`)."""
    ready = run_dir / f"{prefix}whatsapp-worker.ready"
    nice = get_settings().background_nice
    return [
        Service(
            f"{prefix}api",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(api_port),
            ],
            f"http://127.0.0.1:{api_port}/health",
            {**env, "WHATSAPP_WORKERS": "false"},
        ),
        Service(
            f"{prefix}whatsapp-worker",
            [sys.executable, "-m", "cli", "whatsapp", "worker", "--ready-file", str(ready)],
            "",
            env,
            timeout=60.0,
            ready_file=ready,
            nice=nice,
        ),
    ]


def services(api_port: int = 8000) -> list[Service]:
    settings = get_settings()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    engine_port = int(settings.rasa_url.rsplit(":", 1)[-1].rstrip("/"))
    return [
        *assistant_services(settings.database_url, engine_port, settings.action_server_port),
        *whatsapp_services(env, api_port),
    ]


def first_console_user() -> str:
    """On a laptop with no console users yet, make `owner` with a random password and show it
    once (only its hash is kept). Production never gets a user nobody chose."""
    import secrets

    from sqlalchemy import select

    from bot.catalog.store import ensure_shop
    from bot.db.models import MerchantUser
    from bot.db.session import session_scope
    from bot.merchants.users import create_user

    settings = get_settings()
    if settings.is_production:
        return "(users: chatcart merchant create NAME)"
    with session_scope(write=True) as session:
        if session.scalar(select(MerchantUser.id).limit(1)) is not None:
            return "(users: chatcart merchant create NAME)"
        shop = ensure_shop(session, settings.default_shop_slug, settings.default_shop_name)
        password = secrets.token_urlsafe(12)
        create_user(session, shop.id, "owner", password, "Owner")
    return f"(first login: owner / {password} — shown once; chatcart merchant password owner changes it)"


def run(api_port: int = typer.Option(8000, help="Port of the API.")) -> None:
    """Load the catalog, train if the model is stale, start everything, wait for Ctrl-C."""
    from cli.catalog import load

    stop_on_sigterm()
    load(None)
    console_login = first_console_user()
    announce_models()
    running = start_all(services(api_port))
    typer.echo(f"""
ChatCart is running:
  chat in the terminal:   make chat
  REST channel (Rasa):    POST {get_settings().rasa_url}/webhooks/rest/webhook  {{"sender": "+91…", "message": "2 kg atta"}}
  API:                    http://127.0.0.1:{api_port}/docs
  WhatsApp simulator:     http://127.0.0.1:{api_port}/simulator
  merchant console:       http://127.0.0.1:{api_port}/merchant  {console_login}
  logs:                   {LOGS}
Ctrl-C stops everything.""")
    try:
        while all(s.process is not None and s.process.poll() is None for s in running):
            time.sleep(1)
        dead = next(s for s in running if s.process is not None and s.process.poll() is not None)
        typer.echo(f"{dead.name} stopped unexpectedly; see {dead.log}", err=True)
    except KeyboardInterrupt:
        typer.echo("\n==> stopping")
    finally:
        stop_all(running)


def announce_models() -> None:
    """The engine serves the production model. With none yet (a fresh checkout) the first
    model is trained and becomes production. When the training data changed since, a model
    for the current data is trained (unless one exists) and offered to the promotion gate:
    it is served only if it is no worse than production on the gate metrics."""
    if not registry().names():
        typer.echo("==> no model yet: training the first one, which becomes production")
        train()
    prod = production_model()
    current = current_model()
    if current is None:
        typer.echo(
            "==> the training data changed since the production model was trained: "
            "training a model for it"
        )
        current = train().model
    if current is not None and current.name != prod.name:
        from cli.model import promote

        typer.echo(
            f"==> {current.name} matches the current training data; trying the promotion gate"
        )
        try:
            promote(current.name, force=False, tolerance=0.0, engine_url=None)
        except typer.Exit:
            typer.echo(
                f"    production stays {prod.name}; `make evaluate` shows why, "
                f"`chatcart model promote {current.name} --force` overrides"
            )
    typer.echo(f"==> engine model: {production_model().name} (production)")


def stop_on_sigterm() -> None:
    """SIGTERM (systemd, `kill`, a CI timeout) stops the children as Ctrl-C does: without it
    the parent dies and leaves an engine or an action server running (and busy)."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def start_all(todo: list[Service]) -> list[Service]:
    running: list[Service] = []
    try:
        for s in todo:
            s.start()
            running.append(s)
        for s in running:
            typer.echo(f"==> waiting for {s.name} …")
            took = s.wait_healthy()
            typer.echo(f"    {s.name} is up ({took:.1f} s): {s.health or s.log}")
    except BaseException:
        stop_all(running)
        raise
    return running


def stop_all(running: list[Service]) -> None:
    for s in reversed(running):
        s.stop()
