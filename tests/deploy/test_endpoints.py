"""deploy/endpoints.yml as Rasa itself reads it, in the environment `chatcart cluster` gives an
engine (deploy/env/): the lock store is Redis under the cluster's key prefix and really takes a
lock there; trackers go to the cluster's PostgreSQL database; actions go through nginx's
internal gateway. Runs Rasa's own readers in .venv-rasa (no model, no engine); skipped without
Redis at 127.0.0.1:6379 (or `TEST_REDIS_URL`)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from cli.cluster import DEPLOY, Layout, redis_answers, service
from cli.engine import RASA_VENV

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

READ = """
import json, sys
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import read_endpoint_config

path, conversation = sys.argv[1], sys.argv[2]
store = LockStore.create(read_endpoint_config(path, "lock_store"))
lock = store.create_lock(conversation)
lock.issue_ticket(30)
store.save_lock(lock)
held = store.red.get(store.key_prefix + conversation) is not None
store.delete_lock(conversation)
tracker = read_endpoint_config(path, "tracker_store")
actions = read_endpoint_config(path, "action_endpoint")
print(json.dumps({
    "lock_store": type(store).__name__,
    "key_prefix": store.key_prefix,
    "held": held,
    "released": store.red.get(store.key_prefix + conversation) is None,
    "tracker": [tracker.type, tracker.kwargs.get("dialect"), tracker.url],
    "actions": actions.url,
}))
"""


def test_an_engine_of_the_cluster_locks_conversations_in_redis(tmp_path: Path) -> None:
    if not redis_answers(REDIS):
        pytest.skip(f"no Redis answers at {REDIS}")
    environ = {
        **os.environ,
        "DATABASE_URL": "postgresql+psycopg://shop@127.0.0.1:5432/shopdb",
        "REDIS_URL": REDIS,
        "CLUSTER_NAME": "testendpoints",
        "CLUSTER_PORT": "18080",
    }
    layout = Layout.from_env(environ, tmp_path)
    engine = service(layout, "engine", 1, environ, model=tmp_path / "unused.tar.gz")
    assert engine.cmd[engine.cmd.index("--port") + 1] == "18281"
    endpoints = engine.cmd[engine.cmd.index("--endpoints") + 1]
    assert Path(endpoints) == DEPLOY / "endpoints.yml"
    done = subprocess.run(
        [str(RASA_VENV / "bin" / "python"), "-c", READ, endpoints, f"+91{os.getpid()}"],
        cwd=PROJECT_ROOT,
        env=engine.env,
        capture_output=True,
        check=True,
        timeout=120,
    )
    read = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert read == {
        "lock_store": "RedisLockStore",
        "key_prefix": "testendpoints:lock:",
        "held": True,
        "released": True,
        "tracker": ["SQL", "postgresql", "postgresql://shop@127.0.0.1:5432/shopdb"],
        "actions": "http://127.0.0.1:18082/webhook",
    }
