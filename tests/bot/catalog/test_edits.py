"""Price and stock edits: rupees to paise exactly, MRP respected, stale forms refused, search told."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.catalog.edits import edit_product, parse_stock, rupees_to_paise
from bot.db.models import Product, Shop
from bot.db.session import session_scope
from bot.errors import Conflict, InvalidRequest, NotFound

SKU = "STP-0001"  # Aashirvaad Shudh Chakki Atta 1 kg: MRP ₹74, price ₹70


@pytest.mark.parametrize(
    ("typed", "paise"),
    [
        ("70", 7000),
        ("49.5", 4950),
        ("49.50", 4950),
        ("0.29", 29),
        ("0.07", 7),
        ("₹ 1,299", 129900),
        ("Rs. 70", 7000),
        ("1,29,900.05", 12990005),
        (" 74.00 ", 7400),
        ("19.99", 1999),
    ],
)
def test_rupees_become_paise_digit_by_digit(typed: str, paise: int) -> None:
    assert rupees_to_paise(typed) == paise


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("49.555", "more than 2 decimals"),
        ("-5", "negative"),
        ("12,99", "not an amount"),
        ("1e3", "not an amount"),
        ("", "not an amount"),
        ("seventy", "not an amount"),
        ("99999999999", "not an amount"),
        ("100000000", "more than the largest price"),
    ],
)
def test_amounts_that_are_not_prices_are_refused(typed: str, says: str) -> None:
    with pytest.raises(InvalidRequest, match=says):
        rupees_to_paise(typed)


def test_stock_is_a_whole_number_of_packs() -> None:
    assert parse_stock(" 1,200 ") == 1200 and parse_stock("0") == 0
    for typed in ("-1", "2.5", "many", "", "10000000"):
        with pytest.raises(InvalidRequest):
            parse_stock(typed)


def product(sku: str = SKU) -> tuple[int, int, int]:
    with session_scope() as s:
        p = s.scalar(select(Product).where(Product.sku == sku))
        return p.price_paise, p.stock, s.scalar(select(Shop.catalog_version))


def edit(
    shop_id: int, price: int, stock: int, seen: tuple[int, int] = (7000, 20), sku: str = SKU
) -> object:
    with session_scope(write=True) as s:
        return edit_product(
            s,
            shop_id,
            sku,
            price_paise=price,
            stock=stock,
            seen_price=seen[0],
            seen_stock=seen[1],
            actor="test",
        )


def test_a_new_price_is_saved_and_moves_the_catalog_version(shop_id: int) -> None:
    _, _, version = product()
    done = edit(shop_id, 6950, 20)
    assert done.changed == {"price_paise": (7000, 6950)} and done.reindexed
    assert product() == (6950, 20, version + 1)


def test_stock_moves_the_version_only_into_or_out_of_stock(shop_id: int) -> None:
    _, _, version = product()
    assert not edit(shop_id, 7000, 35).reindexed
    assert product() == (7000, 35, version)
    assert edit(shop_id, 7000, 0, seen=(7000, 35)).reindexed
    assert edit(shop_id, 7000, 4, seen=(7000, 0)).reindexed
    assert product() == (7000, 4, version + 2)


def test_prices_above_the_mrp_or_free_are_refused(shop_id: int) -> None:
    for price, says in ((7401, "above the MRP ₹74"), (0, "more than ₹0")):
        with pytest.raises(InvalidRequest, match=says):
            edit(shop_id, price, 20)
    assert product()[:2] == (7000, 20)
    edit(shop_id, 7400, 20)  # at the MRP is fine
    assert product()[0] == 7400


def test_a_stale_form_never_overwrites_what_changed_meanwhile(shop_id: int) -> None:
    with session_scope() as s:  # an order takes 2 packs while the merchant edits the price
        s.execute(update(Product).where(Product.sku == SKU).values(stock=18))
    edit(shop_id, 6900, 20)  # the form still shows 20 packs: only the price was changed
    assert product()[:2] == (6900, 18)
    with pytest.raises(Conflict, match="stock changed to 18"):
        edit(shop_id, 6900, 25, seen=(6900, 20))
    with pytest.raises(Conflict, match="price changed to ₹69"):
        edit(shop_id, 6800, 18, seen=(7000, 18))
    assert product()[:2] == (6900, 18)


def test_another_shops_product_is_not_found(shop_id: int) -> None:
    with session_scope() as s:
        other = Shop(slug="other", name="Other")
        s.add(other)
        s.flush()
        other_id = other.id
    with pytest.raises(NotFound):
        edit(other_id, 6900, 20)
    assert product()[:2] == (7000, 20)
