"""STOP and START: order notices still go to an opted-out shopper, promotions never do."""

from __future__ import annotations

from sqlalchemy import select

from bot.cart import service as cart
from bot.db.models import OutboxMessage
from bot.db.session import session_scope
from bot.notifications import outbox
from bot.privacy import consent
from tests.shop import WA_ID

OTHER = "919800000002"


def _remind(shop_id: int, wa_id: str, key: str) -> bool:
    with session_scope(write=True) as s:
        row = cart.customer_row(s, shop_id, wa_id)
        return outbox.enqueue(s, row, "cart_reminder", {"items": 3}, dedupe_key=key)


def _notice(shop_id: int, wa_id: str, key: str) -> bool:
    with session_scope(write=True) as s:
        row = cart.customer_row(s, shop_id, wa_id)
        return outbox.enqueue(s, row, "order_packed", {"order_id": 7}, dedupe_key=key)


def _due(shop_id: int) -> set[tuple[str, str]]:
    with session_scope() as s:
        return {(i.wa_id, i.template) for i in outbox.pending(s) if i.shop_id == shop_id}


def test_stop_closes_waiting_promotions_and_refuses_new_ones(shop_id: int) -> None:
    assert _remind(shop_id, WA_ID, "before")
    assert _remind(shop_id, OTHER, "other")
    with session_scope(write=True) as s:
        assert consent.opt_out(s, shop_id, WA_ID)
        assert not consent.opt_out(s, shop_id, WA_ID)  # said twice: already out
    assert not _remind(shop_id, WA_ID, "after")
    assert _notice(shop_id, WA_ID, "packed")
    assert _due(shop_id) == {(WA_ID, "order_packed"), (OTHER, "cart_reminder")}
    with session_scope() as s:
        closed = s.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == "before"))
        assert closed is not None and closed.status == "sent" and closed.provider_message_id is None
        assert consent.opted_out(s, shop_id, WA_ID) and not consent.opted_out(s, shop_id, OTHER)
        assert consent.opted_out_ids(s, shop_id) == {WA_ID}


def test_a_promotion_written_before_the_stop_is_not_due_after_it(shop_id: int) -> None:
    """Even one the STOP's transaction did not see (written at the same moment)."""
    assert _remind(shop_id, WA_ID, "racing")
    with session_scope(write=True) as s:
        row = cart.customer_row(s, shop_id, WA_ID)
        assert row is not None
        row.opted_out_at = row.created_at  # as if opted out without closing the outbox
    assert _due(shop_id) == set()


def test_start_opts_back_in(shop_id: int) -> None:
    with session_scope(write=True) as s:
        assert not consent.opt_in(s, shop_id, WA_ID)  # never opted out: nothing to do
        consent.opt_out(s, shop_id, WA_ID)
    with session_scope(write=True) as s:
        assert consent.opt_in(s, shop_id, WA_ID)
    assert _remind(shop_id, WA_ID, "welcome-back")
    assert _due(shop_id) == {(WA_ID, "cart_reminder")}


def test_a_stop_to_one_shop_is_not_a_stop_to_another(shop_id: int) -> None:
    from bot.catalog.store import ensure_shop

    with session_scope(write=True) as s:
        other_shop = ensure_shop(s, "other-shop", "Other Shop").id
        consent.opt_out(s, shop_id, WA_ID)
    assert _remind(other_shop, WA_ID, "other-shop")
    assert _due(other_shop) == {(WA_ID, "cart_reminder")}
