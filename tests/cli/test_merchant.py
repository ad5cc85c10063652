"""`chatcart merchant`: keys are printed once and stored hashed."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from bot.db.models import ApiKey
from bot.db.session import session_scope
from bot.merchants.keys import authenticate, hash_key
from cli import app


def test_create_and_revoke_a_key(database_url: str) -> None:
    runner = CliRunner()
    made = runner.invoke(app, ["merchant", "create-key", "owner"])
    assert made.exit_code == 0, made.output
    key = made.output.strip().splitlines()[-1]
    with session_scope() as s:
        row = s.scalar(select(ApiKey))
        assert row.key_hash == hash_key(key) and key not in (row.key_hash, row.prefix, row.name)
        assert authenticate(s, key).scope == "merchant"
    assert runner.invoke(app, ["merchant", "revoke-key", str(row.id)]).exit_code == 0
    with session_scope() as s:
        assert authenticate(s, key) is None
    assert runner.invoke(app, ["merchant", "create-key", "x", "--scope", "admin"]).exit_code != 0
    assert "0 unpaid orders" in runner.invoke(app, ["merchant", "expire-unpaid"]).output


def test_create_a_console_user_and_change_the_password(database_url: str) -> None:
    from datetime import timedelta

    from bot.db.models import MerchantUser
    from bot.merchants.users import log_in

    runner = CliRunner()
    made = runner.invoke(
        app,
        ["merchant", "create", "Asha", "--name", "Asha Rao"],
        input="a long passphrase\na long passphrase\n",
    )
    assert made.exit_code == 0, made.output
    assert "merchant user 'asha'" in made.output and "/merchant" in made.output
    assert (
        runner.invoke(
            app, ["merchant", "create", "asha", "--password", "another long one"]
        ).exit_code
        != 0
    )
    assert (
        "at least 10"
        in runner.invoke(app, ["merchant", "create", "ravi", "--password", "short"]).output
    )
    rules = {"max_failures": 5, "lockout": timedelta(minutes=1), "lifetime": timedelta(hours=1)}
    with session_scope() as s:
        assert s.scalar(select(MerchantUser.display_name)) == "Asha Rao"
        assert log_in(s, "asha", "a long passphrase", **rules).token
    changed = runner.invoke(app, ["merchant", "password", "asha", "--password", "a new passphrase"])
    assert changed.exit_code == 0, changed.output
    with session_scope() as s:
        assert log_in(s, "asha", "a long passphrase", **rules).token is None
        assert log_in(s, "asha", "a new passphrase", **rules).token


def test_make_run_gives_a_laptop_one_console_login(database_url: str, monkeypatch) -> None:
    from datetime import timedelta

    from bot.merchants.users import log_in
    from bot.settings import get_settings
    from cli.stack import first_console_user

    shown = first_console_user()
    password = shown.split("owner / ", 1)[1].split(" ", 1)[0]
    with session_scope() as s:
        assert log_in(
            s,
            "owner",
            password,
            max_failures=5,
            lockout=timedelta(minutes=1),
            lifetime=timedelta(hours=1),
        ).token
    assert password not in first_console_user()  # only the first run makes (and shows) one
    monkeypatch.setenv("ENVIRONMENT", "production")
    get_settings.cache_clear()
    assert "chatcart merchant create" in first_console_user()


def test_an_operator_and_a_merchant_of_two_shops(database_url: str) -> None:
    from bot.db.models import MerchantUser
    from bot.merchants.users import shops_of

    runner = CliRunner()
    assert runner.invoke(app, ["shop", "create", "bee", "--name", "Bee"]).exit_code == 0
    for args in (["asha"], ["ops", "--operator"]):
        made = runner.invoke(app, ["merchant", "create", *args, "--password", "a long passphrase"])
        assert made.exit_code == 0, made.output
    granted = runner.invoke(app, ["merchant", "grant", "Asha", "bee"])
    assert granted.exit_code == 0 and "bee" in granted.output, granted.output
    assert runner.invoke(app, ["merchant", "grant", "asha", "nowhere"]).exit_code != 0
    assert runner.invoke(app, ["merchant", "grant", "nobody", "bee"]).exit_code != 0
    with session_scope() as s:
        asha = s.scalar(select(MerchantUser).where(MerchantUser.username == "asha"))
        ops = s.scalar(select(MerchantUser).where(MerchantUser.username == "ops"))
        assert asha is not None and ops is not None and ops.is_operator and not asha.is_operator
        assert len(shops_of(s, asha)) == 2 and len(shops_of(s, ops)) == 2
