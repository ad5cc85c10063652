"""rasa_engine runs in the engine's environment (.venv-rasa), so it is tested there, in a
subprocess: the compiled validator must judge action-server responses exactly as Rasa does."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from bot.settings import PROJECT_ROOT
from cli.engine import RASA_RUN, RASA_VENV, engine_env

PYTHON = RASA_VENV / "bin" / "python"
pytestmark = pytest.mark.skipif(
    not PYTHON.exists(), reason=".venv-rasa is not installed (make install)"
)


def in_engine(code: str) -> str:
    proc = subprocess.run(
        [str(PYTHON), "-c", textwrap.dedent(code)],
        cwd=PROJECT_ROOT,
        env=engine_env(),
        check=False,  # the return code is asserted with the output
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_responses_are_judged_as_rasa_judges_them() -> None:
    out = in_engine("""
        from jsonschema import ValidationError
        from rasa.core.actions.action import RemoteAction
        from rasa_engine.validation import apply

        action = RemoteAction("action_add_items", None)
        good = {"events": [{"event": "slot", "name": "language", "value": "hi"}],
                "responses": [{"text": "2 kg atta added", "buttons": [{"title": "Checkout", "payload": "/checkout"}]}]}
        bad = [{"events": "nope"}, {"responses": ["not an object"]}, {"events": [{"name": "no event key"}]}]

        def verdicts():
            found = [action._validate_action_result(good)]
            for response in bad:
                try:
                    action._validate_action_result(response)
                    found.append("accepted")
                except ValidationError as e:
                    found.append(e.message)
            return found

        before = verdicts()
        apply()
        assert RemoteAction._validate_action_result.__module__ == "rasa_engine.validation"
        after = verdicts()
        assert before == after, (before, after)
        assert after[0] is True and all("Failed to validate Action server response" in m for m in after[1:]), after
        print("ok")
    """)
    assert out.strip().endswith("ok")


def test_the_launcher_is_the_rasa_cli() -> None:
    proc = subprocess.run(
        [*RASA_RUN[:3], "--version"],
        cwd=PROJECT_ROOT,
        env=engine_env(),
        check=False,  # the return code is asserted with the output
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Rasa Version      :         3.6.21" in proc.stdout
