"""`chatcart nlu export`, and what Rasa itself makes of the files it writes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.catalog.store import ensure_shop
from bot.db.models import ReviewItem
from bot.db.session import session_scope
from bot.merchants.users import create_user
from bot.review import fixes
from bot.review.service import record
from bot.settings import PROJECT_ROOT
from cli import app
from cli.engine import RASA, engine_env
from tests.assistant.test_rasa import TOLERATED_WARNINGS, rasa_warnings

NLU = PROJECT_ROOT / "data" / "nlu"
LABELS = [
    ("Mera saaman kab aayega?", "order_status", "hinglish"),
    ("मेरा ऑर्डर कहाँ पहुँचा", "order_status", "hi"),
    ("bhaiya [thoda] jaldi karo", "help", "hinglish"),
    ("do you sell mobile recharge", "out_of_scope", "en"),
    ("bitcoin kya hai", "out_of_scope", "hinglish"),
]  # data/nlu has this one


@pytest.fixture
def labelled(database_url: str) -> None:
    with session_scope() as s:
        shop = ensure_shop(s, "default", "ChatCart Kirana")
        user = create_user(s, shop.id, "asha", "a long passphrase")
        for text, intent, language in LABELS:
            item = record(
                s, shop.id, kind="fallback", text=text, language=language, conversation_id="1"
            )
            if intent == "out_of_scope":
                fixes.mark_out_of_scope(s, shop.id, item.normalized, user.id)
            else:
                fixes.label(s, shop.id, item.normalized, intent, user.id)


def test_export_prints_what_it_wrote_and_writes_it_once(labelled: None, tmp_path: Path) -> None:
    out = tmp_path / "reviewed"
    runner = CliRunner()
    done = runner.invoke(app, ["nlu", "export", "--out", str(out), "--nlu", str(NLU)])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert f"wrote {out / 'help.yml'}: 1 example" in lines
    assert f"wrote {out / 'order_status.yml'}: 2 examples" in lines
    assert f"wrote {out / 'out_of_scope.yml'}: 1 example" in lines
    assert "skipped 'bitcoin kya hai' (out_of_scope): already in data/nlu/out_of_scope.yml" in lines
    again = runner.invoke(app, ["nlu", "export", "--out", str(out), "--nlu", str(NLU)])
    assert f"unchanged {out / 'order_status.yml'}: 2 examples" in again.output.splitlines()
    assert (
        runner.invoke(app, ["nlu", "export", "--out", str(out), "--shop", "nowhere"]).exit_code != 0
    )
    assert runner.invoke(app, ["nlu", "export", "--nlu", str(tmp_path / "missing")]).exit_code != 0


def test_an_empty_queue_exports_nothing(database_url: str, tmp_path: Path) -> None:
    done = CliRunner().invoke(
        app, ["nlu", "export", "--out", str(tmp_path / "r"), "--nlu", str(NLU)]
    )
    assert done.exit_code == 0 and "no labelled examples to export" in done.output
    with session_scope() as s:
        assert s.scalar(select(ReviewItem)) is None


@pytest.mark.processes
@pytest.mark.skipif(not RASA.exists(), reason="the Rasa environment (.venv-rasa) is missing")
def test_rasa_reads_the_export_and_data_validate_is_clean(labelled: None, tmp_path: Path) -> None:
    """The assistant's training data with the export in data/nlu/reviewed/, as the next training
    sees it: the suite's one `rasa data validate` (a start of Rasa costs half a minute)."""
    data = tmp_path / "data"
    shutil.copytree(NLU, data / "nlu", ignore=shutil.ignore_patterns("reviewed"))
    for name in ("rules.yml", "stories.yml"):
        shutil.copy(PROJECT_ROOT / "data" / name, data / name)
    out = data / "nlu" / "reviewed"
    assert (
        CliRunner().invoke(app, ["nlu", "export", "--out", str(out), "--nlu", str(NLU)]).exit_code
        == 0
    )

    python = RASA.parent / "python"
    read = subprocess.run(
        [
            str(python),
            "-c",
            (
                "import json, sys\n"
                "from rasa.shared.nlu.training_data.loading import load_data\n"
                "td = load_data(sys.argv[1])\n"
                "print(json.dumps(sorted([m.get('text'), m.get('intent'), m.get('metadata')] for m in td.intent_examples)))"
            ),
            str(out),
        ],
        env=engine_env(),
        check=False,  # the return code is asserted with the output
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert read.returncode == 0, read.stderr[-3000:]
    assert json.loads(read.stdout.strip().splitlines()[-1]) == sorted(
        [
            ["Mera saaman kab aayega?", "order_status", {"example": {"language": "hinglish"}}],
            ["मेरा ऑर्डर कहाँ पहुँचा", "order_status", {"example": {"language": "hi"}}],
            ["bhaiya (thoda) jaldi karo", "help", {"example": {"language": "hinglish"}}],
            ["do you sell mobile recharge", "out_of_scope", {"example": {"language": "en"}}],
        ]
    )

    done = subprocess.run(
        [
            str(RASA),
            "data",
            "validate",
            "--data",
            str(data),
            "--domain",
            str(PROJECT_ROOT / "domain.yml"),
        ],
        cwd=PROJECT_ROOT,
        env=engine_env(),
        check=False,  # the return code is asserted with the output
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert rasa_warnings(output) == TOLERATED_WARNINGS, output[-4000:]
