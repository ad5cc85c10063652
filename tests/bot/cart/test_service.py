"""Cart services against a real database."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, update

from bot.cart import service
from bot.cart.errors import InvalidCount, UnknownProduct
from bot.db.models import Customer, Product
from bot.db.session import session_scope
from bot.settings import get_settings
from tests.shop import WA_ID, price_of, set_stock

ATTA, MILK = "STP-0013", "DRY-0001"


def test_adding_merges_lines_and_prices_come_from_the_catalog(shop_id: int) -> None:
    with session_scope() as s:
        service.add_packs(s, shop_id, WA_ID, [(ATTA, 1), (MILK, 2)])
        cart = service.add_packs(s, shop_id, WA_ID, [(ATTA, 2)])
    assert [(ln.sku, ln.count) for ln in cart.lines] == [(ATTA, 3), (MILK, 2)]
    assert cart.subtotal_paise == 3 * price_of(ATTA) + 2 * price_of(MILK)
    with session_scope() as s:
        s.execute(
            update(Product).where(Product.sku == ATTA).values(price_paise=1000, mrp_paise=1000)
        )
    with session_scope() as s:
        cart = service.view(s, shop_id, WA_ID)
    assert cart.lines[0].unit_price_paise == 1000 and cart.lines[0].line_total_paise == 3000


def test_set_count_remove_and_clear(shop_id: int) -> None:
    with session_scope() as s:
        service.add_packs(s, shop_id, WA_ID, [(ATTA, 1), (MILK, 1)])
        assert service.set_count(s, shop_id, WA_ID, ATTA, 4).lines[0].count == 4
        assert [ln.sku for ln in service.set_count(s, shop_id, WA_ID, ATTA, 0).lines] == [MILK]
        assert service.remove(s, shop_id, WA_ID, MILK).is_empty
        assert service.remove(s, shop_id, WA_ID, MILK).is_empty  # removing twice is fine
        service.add_packs(s, shop_id, WA_ID, [(ATTA, 1)])
        assert service.clear(s, shop_id, WA_ID).is_empty


def test_bad_input_changes_nothing(shop_id: int) -> None:
    with session_scope() as s:
        service.add_packs(s, shop_id, WA_ID, [(ATTA, 1)])
    with pytest.raises(UnknownProduct) as err, session_scope() as s:
        service.add_packs(s, shop_id, WA_ID, [(MILK, 1), ("NOPE-1", 1)])
    assert err.value.extra["skus"] == ["NOPE-1"]
    limit = get_settings().max_count_per_line
    for bad in (0, -1, limit + 1):
        with pytest.raises(InvalidCount), session_scope() as s:
            service.add_packs(s, shop_id, WA_ID, [(ATTA, bad)])
    with pytest.raises(InvalidCount), session_scope() as s:
        service.add_packs(s, shop_id, WA_ID, [(ATTA, limit)])  # 1 + limit is too many
    with session_scope() as s:
        assert [(ln.sku, ln.count) for ln in service.view(s, shop_id, WA_ID).lines] == [(ATTA, 1)]


def test_out_of_stock_lines_are_marked(shop_id: int) -> None:
    set_stock(ATTA, 2)
    with session_scope() as s:
        cart = service.add_packs(s, shop_id, WA_ID, [(ATTA, 3)])
    assert not cart.lines[0].in_stock


def test_fee_free_delivery_and_minimum_come_from_settings(
    shop_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DELIVERY_FEE_PAISE", "3000")
    monkeypatch.setenv("MIN_ORDER_PAISE", str(price_of(ATTA) * 2))
    monkeypatch.setenv("FREE_DELIVERY_FROM_PAISE", str(price_of(ATTA) * 3))
    get_settings.cache_clear()
    with session_scope() as s:
        one = service.add_packs(s, shop_id, WA_ID, [(ATTA, 1)])
        two = service.add_packs(s, shop_id, WA_ID, [(ATTA, 1)])
        three = service.add_packs(s, shop_id, WA_ID, [(ATTA, 1)])
    assert one.below_minimum and one.delivery_fee_paise == 3000
    assert not two.below_minimum and two.total_paise == two.subtotal_paise + 3000
    assert three.delivery_fee_paise == 0 and three.total_paise == three.subtotal_paise
    with session_scope() as s:
        empty = service.view(s, shop_id, "910000000000")
    assert empty.is_empty and empty.total_paise == 0 and empty.delivery_fee_paise == 0


def test_looking_at_a_cart_creates_nothing(shop_id: int) -> None:
    with session_scope() as s:
        assert service.view(s, shop_id, WA_ID).is_empty
        assert s.scalar(select(func.count()).select_from(Customer)) == 0


def all_done(work: Callable[[], None], threads: int) -> None:
    """Runs `work` on that many threads at once; the first failure is raised here."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(work) for _ in range(threads)]
    for future in futures:
        future.result()


def test_one_customer_however_many_first_messages_arrive_at_once(shop_id: int) -> None:
    def first_message() -> None:
        with session_scope() as s:
            service.get_or_create_customer(s, shop_id, WA_ID, language="hi")
            service.add_packs(s, shop_id, WA_ID, [(ATTA, 1)])

    all_done(first_message, 8)
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 1
        assert service.view(s, shop_id, WA_ID).lines[0].count == 8
        assert service.get_or_create_customer(s, shop_id, WA_ID).language == "hi"


def test_a_session_that_reads_before_it_writes_still_queues_on_sqlite(shop_id: int) -> None:
    """The assistant's actions look at the cart, then change it, in one session."""

    def look_then_add() -> None:
        for _ in range(5):
            with session_scope() as s:
                service.view(s, shop_id, WA_ID)
                service.add_packs(s, shop_id, WA_ID, [(ATTA, 1)])

    all_done(look_then_add, 6)
    with session_scope() as s:
        assert service.view(s, shop_id, WA_ID).lines[0].count == 30
