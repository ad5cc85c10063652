"""Shops on one deployment: each one's terms price its carts and bound its slots, a business
number finds its shop, and one shopper's conversations with two shops are two senders."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.cart import service as carts
from bot.catalog.sources import CatalogFile
from bot.catalog.store import ensure_shop, load_catalog
from bot.db.models import Product
from bot.db.session import session_scope
from bot.orders.slots import next_slots
from bot.settings import get_settings
from bot.shops import platform_terms, terms_of
from bot.shops.directory import (
    InvalidShop,
    conversation_id,
    create_shop,
    shop_for_number,
    split_conversation,
    update_shop,
)

WA_ID = "919812345678"


def test_a_shop_without_terms_has_the_platforms(database_url: str) -> None:
    settings = get_settings()
    with session_scope(write=True) as s:
        shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        assert terms_of(shop) == platform_terms()
    assert platform_terms().delivery_fee_paise == settings.delivery_fee_paise == 2500
    assert platform_terms().minimum_order_paise == settings.min_order_paise == 10000


def test_each_shop_prices_its_cart_with_its_own_fee_and_minimum(
    database_url: str, seed_catalog: CatalogFile
) -> None:
    settings = get_settings()
    dairy = CatalogFile(
        products=[p for p in seed_catalog.products if p.category == "dairy-eggs"],
        categories=seed_catalog.categories,
    )
    with session_scope(write=True) as s:
        default = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        other = create_shop(
            s,
            "dudh",
            "Dudh Dairy",
            "200000000000002",
            delivery_fee_paise=4000,
            minimum_order_paise=30000,
            free_delivery_from_paise=0,
        )
        for shop in (default, other):
            load_catalog(s, shop, dairy)
        s.query(Product).update({Product.stock: 20})
        sku = dairy.products[0].sku
        a = carts.add_packs(s, default.id, WA_ID, [(sku, 1)])
        b = carts.add_packs(s, other.id, WA_ID, [(sku, 1)])
    assert a.subtotal_paise == b.subtotal_paise > 0
    assert (a.delivery_fee_paise, a.minimum_order_paise) == (2500, 10000)
    assert (b.delivery_fee_paise, b.minimum_order_paise) == (4000, 30000)
    assert b.below_minimum


def test_a_shops_hours_bound_its_slots(database_url: str) -> None:
    with session_scope(write=True) as s:
        shop = create_shop(s, "late", "Late Shop", None, opens_at_hour=16, closes_at_hour=24)
        terms = terms_of(shop)
    morning = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 06:30 in Kolkata
    assert {slot.start.hour for slot in next_slots(morning, count=8, terms=terms)} == {
        16,
        18,
        20,
        22,
    }
    assert next_slots(morning, count=1)[0].start.hour == 8


def test_a_number_finds_its_shop_and_an_unknown_one_finds_none(database_url: str) -> None:
    settings = get_settings()
    with session_scope(write=True) as s:
        default = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        other = create_shop(s, "dudh", "Dudh Dairy", "200000000000002")
        assert shop_for_number(s, "200000000000002") is other
        assert shop_for_number(s, settings.whatsapp_phone_number_id) is default
        assert shop_for_number(s, "999") is None
        update_shop(s, settings.default_shop_slug, phone_number_id="300000000000003")
        assert shop_for_number(s, "300000000000003") is default
        assert shop_for_number(s, settings.whatsapp_phone_number_id) is None


@pytest.mark.parametrize(
    ("slug", "name", "number", "fields", "why"),
    [
        ("Big Shop", "B", None, {}, "slug"),
        ("b", " ", None, {}, "name"),
        ("b", "B", "+91 98", {}, "digits"),
        ("b", "B", None, {"delivery_fee_paise": -1}, "negative"),
        ("b", "B", None, {"opens_at_hour": 20, "closes_at_hour": 9}, "close after"),
        ("b", "B", "200000000000002", {}, "belongs to dudh"),
        ("dudh", "B", None, {}, "exists already"),
    ],
)
def test_a_shop_that_breaks_a_rule_is_refused_by_name(
    database_url: str, slug: str, name: str, number: str | None, fields: dict, why: str
) -> None:
    with session_scope(write=True) as s:
        create_shop(s, "dudh", "Dudh Dairy", "200000000000002")
    with session_scope(write=True) as s, pytest.raises(InvalidShop, match=why):
        create_shop(s, slug, name, number, **fields)


def test_one_shopper_has_one_conversation_per_shop() -> None:
    default = get_settings().default_shop_slug
    assert conversation_id(WA_ID, default) == WA_ID
    assert conversation_id(WA_ID, "dudh") == f"{WA_ID}@dudh"
    assert split_conversation(f"{WA_ID}@dudh") == (WA_ID, "dudh")
    assert split_conversation(WA_ID) == (WA_ID, None)
