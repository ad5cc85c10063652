"""`chatcart shop`: shops made, changed and listed through the real command on a real database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bot.catalog.sources import CatalogFile
from bot.db.session import session_scope
from bot.settings import PROJECT_ROOT, get_settings
from bot.shops import terms_of
from bot.shops.directory import by_slug, shop_for_number
from cli import app

DAIRY = PROJECT_ROOT / "data" / "catalog" / "products" / "dairy-eggs.csv"


def _shops(runner: CliRunner) -> dict[str, dict]:
    listed = runner.invoke(app, ["shop", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    return {d["slug"]: d for d in json.loads(listed.output)}


def test_create_list_and_update_a_shop(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    pins = tmp_path / "pins.txt"
    pins.write_text("560001\n560002, 560003\n", "utf-8")
    made = runner.invoke(
        app,
        [
            "shop", "create", "dudh", "--name", "Dudh Dairy",
            "--phone-number-id", "200000000000002", "--display-phone-number", "+91 80 1234 5678",
            "--catalog", str(DAIRY), "--pincodes", str(pins),
            "--delivery-fee-paise", "4000", "--minimum-order-paise", "30000",
        ],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "shop dudh made" in made.output and "delivers to 3 PIN codes" in made.output
    with session_scope() as s:
        shop = shop_for_number(s, "200000000000002")
        assert shop is not None and shop.slug == "dudh"
        assert terms_of(shop).delivery_fee_paise == 4000
        assert terms_of(shop).free_delivery_from_paise == get_settings().free_delivery_from_paise

    listed = _shops(runner)["dudh"]
    assert listed["products"] > 0 and listed["pincodes"] == ["560001", "560002", "560003"]
    assert (listed["delivery_fee_paise"], listed["minimum_order_paise"]) == (4000, 30000)
    assert set(listed["platform_terms"]) == {
        "free_delivery_from_paise",
        "opens_at_hour",
        "closes_at_hour",
    }
    assert listed["own_credentials"] is False

    changed = runner.invoke(
        app,
        [
            "shop", "update", "dudh", "--name", "Dudh & Co", "--pincodes", "560009 Indiranagar; 560010",
            "--opens-at-hour", "6", "--closes-at-hour", "12", "--platform", "delivery_fee_paise",
            "--app-secret", "its-own-secret",
        ],
    )  # fmt: skip
    assert changed.exit_code == 0, changed.output
    listed = _shops(runner)["dudh"]
    assert listed["name"] == "Dudh & Co" and listed["pincodes"] == ["560009", "560010"]
    assert listed["places"] == ["Indiranagar"]
    assert (listed["opens_at_hour"], listed["closes_at_hour"]) == (6, 12)
    assert listed["delivery_fee_paise"] == get_settings().delivery_fee_paise
    assert listed["own_credentials"] is True and "its-own-secret" not in json.dumps(listed)

    table = runner.invoke(app, ["shop", "list"])
    assert table.exit_code == 0, table.output
    header, row = table.output.splitlines()
    assert header.split()[:3] == ["SLUG", "NAME", "NUMBER"]
    assert row.startswith("dudh") and "200000000000002" in row and "06-12" in row and "₹25" in row


def test_the_default_shop_is_listed_with_the_platforms_number(
    database_url: str, seed_catalog: CatalogFile
) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["faq", "area", "400069"]).exit_code == 0  # makes the default shop
    default = _shops(runner)[get_settings().default_shop_slug]
    assert default["phone_number_id"] == get_settings().whatsapp_phone_number_id
    assert default["delivery_fee_paise"] == 2500 and default["minimum_order_paise"] == 10000
    assert default["pincodes"] == ["400069"]


def test_a_taken_number_a_bad_slug_and_an_unknown_shop_are_refused(database_url: str) -> None:
    runner = CliRunner()
    first = ["shop", "create", "a", "--name", "A", "--phone-number-id", "200000000000002"]
    assert runner.invoke(app, first).exit_code == 0
    again = runner.invoke(
        app, ["shop", "create", "b", "--name", "B", "--phone-number-id", "200000000000002"]
    )
    assert again.exit_code == 2 and "belongs to a" in again.output
    assert runner.invoke(app, ["shop", "create", "B B", "--name", "B"]).exit_code == 2
    unknown = runner.invoke(app, ["shop", "update", "nope", "--name", "N"])
    assert unknown.exit_code == 2 and "no shop nope" in unknown.output
    bad = runner.invoke(app, ["shop", "update", "a", "--platform", "name"])
    assert bad.exit_code == 2
    with session_scope() as s:
        assert by_slug(s, "b") is None
