"""`chatcart shopper`: erase, opt out and in, purge — the real command on a real database."""

from __future__ import annotations

import json

from sqlalchemy import select
from typer.testing import CliRunner

from bot.cart import service as cart
from bot.db.models import Customer, Order
from bot.db.session import session_scope
from bot.orders import service
from bot.privacy.pseudonym import is_pseudonym
from cli import app
from tests.bot.privacy.support import chat, finished_order
from tests.shop import WA_ID, checkout


def test_erase_keeps_the_order_and_refuses_while_one_is_on_its_way(shop_id: int) -> None:
    runner = CliRunner()
    finished_order(shop_id, WA_ID, "key-1")
    chat(shop_id, WA_ID, "2 kg atta")
    with session_scope(write=True) as s:
        cart.add_packs(s, shop_id, WA_ID, [("STP-0013", 2)])
        service.place_order(s, shop_id, WA_ID, **checkout(idempotency_key="key-2"))
    refused = runner.invoke(app, ["shopper", "erase", WA_ID])
    assert refused.exit_code == 1 and "is in progress" in refused.output
    with session_scope(write=True) as s:
        second = s.scalars(select(Order).order_by(Order.id.desc())).first()
        assert second is not None
        service.cancel_order(s, shop_id, second.id, "test")
    done = runner.invoke(app, ["shopper", "erase", WA_ID, "--json"])
    assert done.exit_code == 0, done.output
    counts = json.loads(done.output)
    assert counts["customers"] == 1 and counts["orders"] == 2 and counts["messages"] == 2
    with session_scope() as s:
        assert is_pseudonym(s.scalar(select(Customer.wa_id)) or "")
    again = runner.invoke(app, ["shopper", "erase", WA_ID])
    assert again.exit_code == 0 and "nothing to erase" in again.output


def test_opt_out_and_in_and_purge(shop_id: int) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["shopper", "opt-out", WA_ID]).output.strip() == "opted out"
    assert runner.invoke(app, ["shopper", "opt-out", WA_ID]).output.strip() == "already opted out"
    shown = json.loads(runner.invoke(app, ["shopper", "show", WA_ID]).output)
    assert shown["customer"] and shown["opted_out_at"]
    assert runner.invoke(app, ["shopper", "opt-in", WA_ID]).output.strip() == "opted in"
    unknown = runner.invoke(app, ["shopper", "opt-out", WA_ID, "--shop", "nowhere"])
    assert unknown.exit_code == 2
    chat(shop_id, WA_ID, "old text", days_ago=200)
    purged = runner.invoke(app, ["shopper", "purge-old", "--json"])
    assert purged.exit_code == 0, purged.output
    assert json.loads(purged.output)["messages"] == 2
