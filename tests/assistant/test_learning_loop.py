"""The learning loop end to end, as the shop and the data team run it: shoppers' messages the
production model misunderstands are recorded by the real actions, a merchant labels them in the
console, `chatcart nlu export` writes them as training data, a candidate model is trained on
the repository's data plus that export, evaluated, and promoted into the running engine by
`chatcart model promote`'s gate — after which the same messages are understood — and rolled
back by `chatcart model rollback`, after which they are not. The engine is started as production
starts it: bound to loopback, its HTTP API behind a token. One engine serves the whole story:
each model it loads costs a minute of a busy machine.

The messages use a coined shop slang, "jhola" (the delivery bag) for the order: phrases the
checkout's model cannot read today (asserted before anything is labelled).

Should the new examples cost a test-set message or two, the gate refuses at tolerance 0 and
nothing changes (asserted); the data team's own knob, `--tolerance`, then promotes it.

Runs once per CI run: training does not depend on the database, and the queue and console parts
are covered on PostgreSQL by tests/bot/review and tests/api/console."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bot.db.session import session_scope
from bot.i18n.messages import MESSAGES
from bot.models.registry import Registry
from bot.rasa_api import EngineClient, EngineRefused
from bot.review import queue
from bot.review.text import normalized_text
from bot.settings import PROJECT_ROOT, get_settings
from cli import app as chatcart
from cli.engine import RASA, train
from cli.evaluate import WORK, gate_metrics
from tests.api.console.conftest import csrf_of, log_in, make_merchant
from tests.conftest import TEST_DATABASE_URL
from tests.loopback import outward_address
from tests.processes import MODELS_GROUP
from tests.shop import free_port

pytestmark = [
    MODELS_GROUP,
    pytest.mark.skipif(
        TEST_DATABASE_URL.startswith("postgresql"),
        reason="runs once per CI run, on the SQLite pass: training and promotion do not depend on the "
        "database, and the review queue and console are tested on PostgreSQL elsewhere",
    ),
]

# Misread by the checkout's model: fallback, or "out of scope" (checked below, not assumed).
JHOLA = (
    "jhola kidhar hai bhai",
    "jhola ka kya scene hai",
    "jhola ka scene batao",
    "jhola kidhar pohcha",
    "jhola ki location",
    "jhola abhi kahan hai",
)
INTENT = "order_status"
# Six new examples can move a test-set message or two across an intent boundary: what the
# candidate may lose on the gate metrics before the data team accepts it anyway.
TOLERANCE = 0.02
NO_ORDERS = set(MESSAGES["no_orders"].values())


TOKEN = "test-loop-token"


@dataclass
class Engine:
    url: str

    def intent(self, text: str) -> str:
        r = httpx.post(
            f"{self.url}/model/parse", params={"token": TOKEN}, json={"text": text}, timeout=120
        )
        r.raise_for_status()
        return r.json()["intent"]["name"]

    def say(self, sender: str, text: str) -> list[str]:
        r = httpx.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )
        r.raise_for_status()
        return [m.get("text", "") for m in r.json()]

    def model_file(self) -> str:
        return str(EngineClient(self.url, TOKEN).status()["model_file"])


def run(*args: str, code: int = 0) -> str:
    """A `chatcart` command in this process, with the settings of the environment; its output."""
    get_settings.cache_clear()
    result = CliRunner().invoke(chatcart, list(args))
    get_settings.cache_clear()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == code, f"chatcart {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Registry:
    """A registry of its own whose production model is the checkout's (`make test` trains it
    before the tests), with the metrics it was evaluated with."""
    if not RASA.exists():
        pytest.skip("the Rasa engine environment (.venv-rasa) is missing: `make install`")
    checkout = Registry(PROJECT_ROOT / "models")
    prod = checkout.production()
    if prod is None:
        pytest.skip("no production model in models/: `make train` first")
    # Production's gate metrics are kept in the checkout's registry, as `make evaluate` keeps
    # them: measured on the first run, read back by every later one while the test set holds.
    gate_metrics(checkout, prod)
    reg = Registry(tmp_path / "models")
    reg.root.mkdir()
    shutil.copyfile(checkout.path(prod.name), reg.path(prod.name))
    reg.register(prod)
    assert reg.production() is not None and reg.production().name == prod.name
    monkeypatch.setenv("MODELS_DIR", str(reg.root))
    monkeypatch.setenv("RASA_TOKEN", TOKEN)
    get_settings.cache_clear()
    return reg


@pytest.fixture
def engine(models: Registry, database_url: str, shop_id: int) -> Iterator[Engine]:
    from cli.stack import assistant_services, start_all, stop_all

    prod = models.production()
    assert prod is not None
    services = assistant_services(
        database_url, free_port(), free_port(), model=models.path(prod.name), prefix="test-loop-"
    )
    assert services[1].cmd[-2:] == ["--auth-token", TOKEN]
    assert services[1].cmd[services[1].cmd.index("--interface") + 1] == "127.0.0.1"
    services[1].timeout = 600  # loading a model takes minutes when the two cores are busy
    running = start_all(services)
    try:
        yield Engine(services[1].health.rstrip("/"))
    finally:
        stop_all(running)


def test_labelled_messages_are_understood_after_retraining_and_promotion(
    engine: Engine, models: Registry, shop_id: int, tmp_path: Path
) -> None:
    started = time.monotonic()
    production = models.production()
    assert production is not None
    assert engine.model_file() == f"{production.name}.tar.gz"
    # 0. The engine's API and its REST channel answer only its token, and only on loopback.
    assert httpx.get(f"{engine.url}/status", timeout=10).status_code == 401
    for wrong in ({}, {"Authorization": "Bearer wrong"}):
        chat = httpx.post(
            f"{engine.url}/webhooks/rest/webhook",
            json={"sender": "+919000000999", "message": JHOLA[0]},
            headers=wrong,
            timeout=30,
        )
        assert chat.status_code == 401, chat.text
    with pytest.raises(EngineRefused, match="RASA_TOKEN must be the token"):
        EngineClient(engine.url, "wrong").status()
    if (address := outward_address()) is not None:
        with pytest.raises(httpx.ConnectError):
            httpx.get(engine.url.replace("127.0.0.1", address), timeout=10)

    # 1. Shoppers say it; the production model misreads it and the actions keep it for review.
    before = {text: engine.intent(text) for text in JHOLA}
    assert all(intent in ("nlu_fallback", "out_of_scope") for intent in before.values()), before
    for n, text in enumerate(JHOLA):
        replies = engine.say(f"+9190000000{n:02d}", text)
        assert not NO_ORDERS & set(replies), (text, replies)
    with session_scope() as s:
        found = queue.groups(s, shop_id, limit=50)
    waiting = {g.normalized for g in found.groups}
    assert {normalized_text(t) for t in JHOLA} <= waiting, waiting

    # 2. The merchant labels each group in the console (the real app, its CSRF-protected form).
    from api.main import create_app

    make_merchant(shop_id)
    with TestClient(create_app(), base_url="http://127.0.0.1") as client:
        assert log_in(client, "owner").status_code == 303
        page = client.get("/merchant/review")
        assert all(normalized_text(t) in page.text for t in JHOLA)
        for text in JHOLA:
            r = client.post(
                "/merchant/review/label",
                follow_redirects=False,
                data={
                    "csrf_token": csrf_of(page.text),
                    "text": normalized_text(text),
                    "intent": INTENT,
                },
            )
            assert r.status_code == 303 and "error" not in r.headers["location"], r.headers
    with session_scope() as s:
        still = {g.normalized for g in queue.groups(s, shop_id, limit=50).groups}
    assert not {normalized_text(t) for t in JHOLA} & still, still

    # 3. The data team exports them as Rasa NLU data (outside the repository's data/).
    reviewed = tmp_path / "reviewed"
    out = run("nlu", "export", "--out", str(reviewed))
    assert f"{INTENT}.yml: {len(JHOLA)} examples" in out, out
    exported = yaml.safe_load((reviewed / f"{INTENT}.yml").read_text("utf-8"))
    [entry] = exported["nlu"]
    assert entry["intent"] == INTENT
    assert sorted(e["text"].strip() for e in entry["examples"]) == sorted(
        normalized_text(t) for t in JHOLA
    )

    # 4. A candidate on data/ plus the export, evaluated, promoted through the gate.
    name = f"jhola-{os.getpid()}"  # var/evaluate/<name> is shared with other runs
    # Trained as the data team trains it; Rasa's cache restores what the export does not change
    # (the dialogue policies) from the production model's training. Rasa's own check of the
    # data before training (a third of the time) is left to the tests that validate data/ and
    # an export: tests/assistant/test_rasa.py and tests/cli/test_nlu.py.
    candidate = train(name=name, extra_data=[reviewed], extra_args=["--skip-validation"])
    assert candidate.trained and not candidate.production
    report = tmp_path / "reports"
    run("evaluate", "model", name, "--no-holdout", "--no-out-of-scope", "--out", str(report))
    assert (report / "evaluation.json").is_file()
    # At tolerance 0 the candidate may trail production by a test message or two: then the gate
    # must refuse and change nothing; should it tie or win, it is simply promoted.
    strict = CliRunner().invoke(chatcart, ["model", "promote", name, "--engine-url", engine.url])
    get_settings.cache_clear()
    if strict.exit_code == 0:
        out = strict.stdout
    else:
        assert f"Refused: {name} is worse than production" in strict.stdout + strict.stderr
        assert models.state().production == production.name
        out = run(
            "model", "promote", name, "--tolerance", str(TOLERANCE), "--engine-url", engine.url
        )
    assert f"the engine now serves {name}.tar.gz" in out, out
    state = models.state()
    assert (state.production, state.previous) == (name, production.name)

    # 5. The running engine now understands them, over its API and in conversation.
    assert engine.model_file() == f"{name}.tar.gz"
    after = {text: engine.intent(text) for text in JHOLA}
    assert after == dict.fromkeys(JHOLA, INTENT), after
    for n, text in enumerate(JHOLA):
        replies = engine.say(f"+9191000000{n:02d}", text)
        assert NO_ORDERS & set(replies), (text, replies)

    # 6. Rolled back: the engine serves production again, and the slang is lost with it.
    out = run("model", "rollback", "--engine-url", engine.url)
    assert engine.model_file() == f"{production.name}.tar.gz", out
    state = models.state()
    assert (state.production, state.previous) == (production.name, name)
    assert engine.intent(JHOLA[0]) == before[JHOLA[0]]

    # 7. A candidate file the engine cannot load is not promoted, and nothing is recorded.
    models.path(name).write_bytes(b"not a model")
    out = run("model", "promote", name, "--tolerance", "1", "--engine-url", engine.url, code=1)
    assert "Not promoted" in out, out
    assert engine.model_file() == f"{production.name}.tar.gz"
    assert models.state().production == production.name
    shutil.rmtree(WORK / name, ignore_errors=True)  # kept when the test fails, for the errors
    print(f"\nthe learning loop took {time.monotonic() - started:.0f} s")
