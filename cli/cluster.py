"""`chatcart cluster`: the production shape on one machine — nginx in front of N API processes,
N Rasa engines, N action servers and N WhatsApp workers, all on one PostgreSQL database, the
engines' conversation locks on Redis.

Its configuration is deploy/: nginx.conf.template, endpoints.yml (the engines' lock and tracker
stores), env/<role>.env (what each process gets beyond the caller's environment) and the
systemd units of a real host, whose `chatcart cluster exec ROLE INDEX` builds exactly the
process `chatcart cluster run` (make cluster) starts. The processes are cli/stack.py's.

Ports follow from CLUSTER_PORT (P, 8080): nginx listens on P (public), P+1 (the engines) and
P+2 (the action servers), both on loopback; API i on P+100+i, engine i on P+200+i, action
server i on P+300+i, all on 127.0.0.1. The running cluster is written to its run directory
(cluster.json), which `chatcart cluster status` reads.
"""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import shutil
import socket
import string
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import unquote, urlsplit

import httpx
import typer

from bot.settings import PROJECT_ROOT, get_settings
from cli.stack import (
    LOGS,
    Service,
    assistant_services,
    start_all,
    stop_all,
    stop_on_sigterm,
    whatsapp_services,
)

DEPLOY = PROJECT_ROOT / "deploy"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/chatcart"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_RUN_DIR = PROJECT_ROOT / "var" / "run" / "cluster"
NGINX = "/usr/sbin/nginx"
Role = Literal["nginx", "api", "engine", "actions", "worker"]
ROLES: tuple[Role, ...] = ("nginx", "api", "engine", "actions", "worker")
# Started in two waves. nginx and the action servers first, alone: an action server is Sanic,
# whose worker process must report back within 30 s (fixed in Sanic) or the server quits, and a
# worker importing the shop's code while two engines load their models on two cores can miss
# that. Then the engines, the APIs and the workers together.
WAVES: tuple[tuple[Role, ...], ...] = (("nginx", "actions"), ("engine", "api", "worker"))
START_ORDER: tuple[Role, ...] = tuple(role for wave in WAVES for role in wave)
PORT_OFFSET = {"api": 100, "engine": 200, "actions": 300}

app = typer.Typer(help="Several instances of every process behind nginx.", no_args_is_help=True)


@dataclass(frozen=True, slots=True)
class Layout:
    """How many of each process, where they listen, what they share."""

    port: int
    counts: Mapping[Role, int]
    database_url: str
    redis_url: str
    run_dir: Path
    name: str = "cluster"

    @classmethod
    def from_env(cls, environ: Mapping[str, str], run_dir: Path | None = None) -> Layout:
        def count(variable: str) -> int:
            value = int(environ.get(variable, "2"))
            if not 1 <= value <= 99:
                raise typer.BadParameter(f"{variable} must be 1 to 99, not {value}")
            return value

        name = environ.get("CLUSTER_NAME", "cluster")
        if not name.isalnum():
            raise typer.BadParameter(f"CLUSTER_NAME must be letters and digits, not {name!r}")
        database_url = environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
        if not database_url.startswith("postgresql"):
            raise typer.BadParameter(
                f"a cluster shares one PostgreSQL database; DATABASE_URL is {database_url!r}"
            )
        return cls(
            port=int(environ.get("CLUSTER_PORT", "8080")),
            counts={
                "nginx": 1,
                "api": count("CLUSTER_APIS"),
                "engine": count("CLUSTER_ENGINES"),
                "actions": count("CLUSTER_ACTIONS"),
                "worker": count("CLUSTER_WORKERS"),
            },
            database_url=database_url,
            redis_url=environ.get("REDIS_URL", DEFAULT_REDIS_URL),
            run_dir=run_dir or Path(environ.get("CLUSTER_RUN_DIR", DEFAULT_RUN_DIR)),
            name=name,
        )

    @property
    def engine_gateway(self) -> int:
        return self.port + 1

    @property
    def actions_gateway(self) -> int:
        return self.port + 2

    def port_of(self, role: Role, index: int) -> int | None:
        if role == "nginx":
            return self.port
        if role == "worker":
            return None
        return self.port + PORT_OFFSET[role] + index

    def members(self) -> list[tuple[Role, int]]:
        return [(r, i) for r in START_ORDER for i in range(self.counts.get(r, 0))]

    def values(self, environ: Mapping[str, str]) -> dict[str, str]:
        """What deploy/'s templates are filled with."""
        redis = urlsplit(self.redis_url)
        return {
            "CLUSTER_NAME": self.name,
            "DATABASE_URL": self.database_url,
            "PORT": str(self.port),
            "ENGINE_GATEWAY_PORT": str(self.engine_gateway),
            "ACTIONS_GATEWAY_PORT": str(self.actions_gateway),
            "PUBLIC_BASE_URL": environ.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{self.port}"),
            "REDIS_HOST": redis.hostname or "127.0.0.1",
            "REDIS_PORT": str(redis.port or 6379),
            "REDIS_DB": redis.path.strip("/") or "0",
            "REDIS_PASSWORD": unquote(redis.password or ""),
            "RUN_DIR": str(self.run_dir),
        }


def role_env(role: Role, values: Mapping[str, str]) -> dict[str, str]:
    """deploy/env/common.env then deploy/env/<role>.env, filled from `values`."""
    env: dict[str, str] = {}
    for name in ("common", role):
        path = DEPLOY / "env" / f"{name}.env"
        if not path.exists():
            continue
        for raw in path.read_text("utf-8").splitlines():
            line = raw.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key.strip()] = string.Template(value.strip()).substitute(values)
    return env


def nginx_config(layout: Layout, environ: Mapping[str, str]) -> str:
    def servers(role: Role) -> str:
        return "\n".join(
            f"        server 127.0.0.1:{layout.port_of(role, i)} max_fails=1 fail_timeout=5s;"
            for i in range(layout.counts[role])
        )

    fill = {
        **layout.values(environ),
        "LISTEN": environ.get("CLUSTER_LISTEN", "0.0.0.0"),
        "USER": environ.get("CLUSTER_NGINX_USER") or getpass.getuser(),
        "API_SERVERS": servers("api"),
        "ENGINE_SERVERS": servers("engine"),
        "ACTION_SERVERS": servers("actions"),
    }
    text = (DEPLOY / "nginx.conf.template").read_text("utf-8")
    for key, value in fill.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def service(
    layout: Layout, role: Role, index: int, environ: Mapping[str, str], model: Path | None = None
) -> Service:
    """Process `index` of `role`, as make cluster starts it and a systemd unit execs it."""
    values = layout.values(environ)
    port = layout.port_of(role, index)
    env = {**role_env(role, {**values, "PORT": str(port)}), "PYTHONPATH": str(PROJECT_ROOT)}
    name = f"{layout.name}-{role}-{index}"
    made: Service
    if role == "nginx":
        layout.run_dir.mkdir(parents=True, exist_ok=True)
        conf = layout.run_dir / "nginx.conf"
        conf.write_text(nginx_config(layout, environ), "utf-8")
        nginx = shutil.which("nginx") or NGINX
        cmd = [nginx, "-c", str(conf), "-p", str(layout.run_dir), "-g", "daemon off;"]
        made = Service(name, cmd, f"http://127.0.0.1:{port}/nginx-health", dict(environ), 30.0)
    elif role in ("engine", "actions"):
        engine_port = port if role == "engine" else 0
        action_port = port if role == "actions" else layout.actions_gateway
        pair = assistant_services(
            layout.database_url,
            engine_port or 0,
            action_port or 0,
            model=model,
            endpoints=str(DEPLOY / "endpoints.yml"),
            extra_env=env,
        )
        made = pair[1] if role == "engine" else pair[0]
    else:
        api, worker = whatsapp_services(
            {**environ, **env}, port or 0, prefix=f"{name}-", run_dir=layout.run_dir
        )
        made = api if role == "api" else worker
    # Engines load a model each (~30 s alone, more when several load at once on few cores).
    timeout = max(made.timeout, 300.0) if role == "engine" else made.timeout
    return dataclasses.replace(made, name=name, timeout=timeout)


def check_servers(layout: Layout) -> None:
    """PostgreSQL answers (the database is created when missing), Redis answers PING, nginx is
    installed: said plainly before anything starts."""
    from sqlalchemy import create_engine, make_url, text

    url = make_url(layout.database_url)
    try:
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
            ):
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
                typer.echo(f"==> created the database {url.database}")
        admin.dispose()
    except Exception as e:  # any failure: say which server and why
        raise SystemExit(f"PostgreSQL at {url.render_as_string()} does not answer: {e}") from e
    if not redis_answers(layout.redis_url):
        raise SystemExit(f"Redis at {layout.redis_url} does not answer PING")
    if not (shutil.which("nginx") or Path(NGINX).exists()):
        raise SystemExit("nginx is not installed: `make nginx` installs Debian's package")


def redis_answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 3) as s:
            if parts.password:
                s.sendall(f"AUTH {unquote(parts.password)}\r\n".encode())
                s.recv(64)
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def state_file(run_dir: Path) -> Path:
    return run_dir / "cluster.json"


def write_state(layout: Layout, running: list[tuple[Role, int, Service]]) -> None:
    rows = [
        {
            "role": role,
            "index": index,
            "pid": s.process.pid if s.process else None,
            "port": layout.port_of(role, index),
            "health": s.health,
            "ready_file": str(s.ready_file) if s.ready_file else None,
            "log": str(s.log),
        }
        for role, index, s in running
    ]
    path = state_file(layout.run_dir)
    path.with_suffix(".tmp").write_text(json.dumps(rows, indent=2), "utf-8")
    path.with_suffix(".tmp").replace(path)


@app.command()
def run(
    model: Annotated[
        Path | None,
        typer.Option(help="Model the engines serve (default: production, trained if needed)."),
    ] = None,
    run_dir: Annotated[
        Path | None, typer.Option(help="nginx's config, pid files, cluster.json.")
    ] = None,
) -> None:
    """Start every process of the cluster and keep them running (a process that dies is started
    again); Ctrl-C or SIGTERM stops them all."""
    from cli.catalog import load
    from cli.stack import announce_models, first_console_user

    stop_on_sigterm()
    layout = Layout.from_env(os.environ, run_dir)
    check_servers(layout)
    os.environ["DATABASE_URL"] = layout.database_url  # this process's settings: load, models
    get_settings.cache_clear()
    load(None)  # the schema by the migrator, once, before any process starts
    login = first_console_user()
    if model is None:
        announce_models()
    todo = [(r, i, service(layout, r, i, os.environ, model)) for r, i in layout.members()]
    running: list[Service] = []
    try:
        for wave in WAVES:
            running += start_all([s for r, _, s in todo if r in wave])
    except BaseException:
        stop_all(running)
        raise
    write_state(layout, todo)
    typer.echo(f"""
ChatCart cluster {layout.name} is running ({", ".join(f"{layout.counts[r]} {r}" for r in ROLES)}):
  entry point (nginx):    http://127.0.0.1:{layout.port}  (WhatsApp webhook: /webhooks/whatsapp)
  engines (REST channel): http://127.0.0.1:{layout.engine_gateway}/webhooks/rest/webhook  (loopback)
  merchant console:       http://127.0.0.1:{layout.port}/merchant  {login}
  status:                 chatcart cluster status --json
  logs:                   {LOGS}/{layout.name}-*.log
Ctrl-C stops everything.""")
    try:
        supervise(layout, todo)
    except KeyboardInterrupt:
        typer.echo("\n==> stopping")
    finally:
        stop_all(running)
        state_file(layout.run_dir).unlink(missing_ok=True)


def supervise(layout: Layout, todo: list[tuple[Role, int, Service]]) -> None:
    """Start again what dies, as systemd's Restart=always does on a real host; the others keep
    serving meanwhile (nginx skips a dead upstream)."""
    started = {s.name: time.monotonic() for _, _, s in todo}
    while True:
        time.sleep(1)
        for role, index, s in todo:
            if s.process is None or s.process.poll() is None:
                continue
            if time.monotonic() - started[s.name] < 5:
                continue  # dying at once again: wait a little before the next try
            typer.echo(
                f"{role} {index} exited ({s.process.returncode}); starting it again, see {s.log}",
                err=True,
            )
            s.start()
            started[s.name] = time.monotonic()
            write_state(layout, todo)


def probe(row: Mapping[str, Any]) -> dict[str, Any]:
    pid = row["pid"]
    alive = isinstance(pid, int) and process_alive(pid)
    if not alive:
        healthy = False
    elif row.get("ready_file"):
        healthy = Path(row["ready_file"]).exists()
    else:
        try:
            healthy = httpx.get(row["health"], timeout=3).status_code < 500
        except httpx.HTTPError:
            healthy = False
    return {
        "role": row["role"],
        "index": row["index"],
        "pid": pid,
        "port": row["port"],
        "healthy": healthy,
        "rss_mb": round(group_rss_kib(pid) / 1024, 1) if alive else None,
    }


def process_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def group_rss_kib(pgid: int) -> int:
    """Resident memory of a process and everything in its process group (nginx's workers)."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            for line in (proc / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total


@app.command()
def status(
    as_json: Annotated[
        bool, typer.Option("--json", help="A JSON list, one object a process.")
    ] = False,
    run_dir: Annotated[Path | None, typer.Option(help="The cluster's run directory.")] = None,
) -> None:
    """Every process of the running cluster: role, index, pid, port, healthy (and memory).
    Exits 1 when the cluster is not running or a process is unhealthy."""
    layout_dir = run_dir or Path(os.environ.get("CLUSTER_RUN_DIR", DEFAULT_RUN_DIR))
    path = state_file(layout_dir)
    if not path.exists():
        typer.echo(f"no cluster is running ({path} is absent)", err=True)
        raise typer.Exit(1)
    rows = [probe(row) for row in json.loads(path.read_text("utf-8"))]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
    else:
        for r in rows:
            port = r["port"] or "-"
            state = "healthy" if r["healthy"] else "NOT HEALTHY"
            typer.echo(
                f"{r['role']:8} {r['index']:2}  pid {r['pid']:>7}  port {port:>5}  "
                f"{r['rss_mb'] or 0:7.1f} MB  {state}"
            )
    if not all(r["healthy"] for r in rows):
        raise typer.Exit(1)


@app.command("exec")
def exec_(
    role: Annotated[str, typer.Argument(help="nginx, api, engine, actions or worker")],
    index: Annotated[int, typer.Argument(help="Which instance (0, 1, …).")],
) -> None:
    """Become process `index` of `role` as `make cluster` starts it — for a systemd unit
    (deploy/systemd), which supervises and restarts it."""
    chosen = next((r for r in ROLES if r == role), None)
    if chosen is None:
        raise typer.BadParameter(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    layout = Layout.from_env(os.environ)
    made = service(layout, chosen, index, os.environ)
    if made.ready_file is not None:
        made.ready_file.parent.mkdir(parents=True, exist_ok=True)
    os.chdir(PROJECT_ROOT)
    if made.nice:
        os.nice(made.nice)
    sys.stdout.flush()
    os.execvpe(made.cmd[0], made.cmd, made.env)
