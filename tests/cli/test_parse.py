"""`chatcart parse` and `chatcart catalog` on a real database: the installed command once, as
users and evaluation call it, and in this process otherwise (each start of the command costs
seconds of imports)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from bot.settings import PROJECT_ROOT, get_settings
from cli import app

CHATCART = str(Path(sys.executable).parent / "chatcart")


def run(*args: str, stdin: str | None = None, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": db}
    return subprocess.run(
        [CHATCART, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
        check=False,
    )


def in_process(*args: str) -> Result:
    get_settings.cache_clear()
    result = CliRunner().invoke(app, list(args))
    get_settings.cache_clear()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_json_lines_from_stdin_in_input_order(database_url: str) -> None:
    messages = [
        "2 kg atta and milk",
        "aadha kilo paneer bhej do",
        "दो लीटर दूध और एक दर्जन अंडे",
        "",
        "iphone",
    ]
    proc = run("parse", "--json", stdin="\n".join(messages) + "\n", db=database_url)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["text"] for o in out] == messages
    assert out[1]["language"] == "hinglish" and out[1]["lines"][0]["quantity"] == 500
    assert out[3]["lines"] == []
    assert out[4]["lines"][0]["product"] is None


def test_arguments_and_table_output(database_url: str) -> None:
    proc = in_process("parse", "2 kg atta", "milk")
    assert proc.exit_code == 0, proc.stderr
    assert "atta" in proc.stdout.lower() and "₹" in proc.stdout


def test_catalog_file_instead_of_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = PROJECT_ROOT / "data" / "catalog" / "products" / "dairy-eggs.csv"
    db = tmp_path / "c.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    proc = in_process(
        "parse", "--json", "--catalog", str(csv), "--format", "shop", "amul taaza 1 l"
    )
    assert proc.exit_code == 0, proc.stderr
    assert json.loads(proc.stdout)["lines"][0]["product"]["sku"].startswith("DRY-")
    assert not db.exists()


def test_catalog_load_is_idempotent_and_import_reports_rejections(
    tmp_path: Path, database_url: str
) -> None:
    first = in_process("catalog", "load")
    second = in_process("catalog", "load")
    assert first.exit_code == second.exit_code == 0
    assert " 0 created" in second.stdout and " 0 updated" in second.stdout
    bad = tmp_path / "bb.csv"
    bad.write_text(
        "index,product,category,sub_category,brand,sale_price,market_price,type,rating\n"
        "1,Onion,Fruits & Vegetables,Veg,Fresho,30,40,Onion,4\n2,Garlic,Fruits & Vegetables,Veg,Fresho,abc,,x,\n"
    )
    proc = in_process("catalog", "import", str(bad), "--format", "bigbasket")
    assert proc.exit_code == 0
    assert "1 created" in proc.stdout and "1 rejected" in proc.stdout
    assert "bb.csv:3" in proc.stderr and "price" in proc.stderr
    exported = tmp_path / "out.csv"
    assert in_process("catalog", "export", str(exported)).exit_code == 0
    assert exported.read_text().count("\n") > 800
