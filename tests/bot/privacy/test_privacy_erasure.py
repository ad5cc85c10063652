"""Erasure: personal data goes everywhere it is kept; orders stay, under a keyed hash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.cart import service as cart
from bot.db.models import Cart, Customer, Order, OrderEvent, OutboxMessage, ReviewItem
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox, WhatsAppOutgoing
from bot.notifications import outbox
from bot.orders import service
from bot.privacy.erasure import OrderInProgress, erase_shopper
from bot.privacy.pseudonym import pseudonym
from bot.settings import get_settings
from tests.bot.privacy.support import chat, events_of, finished_order, say, tracker_events
from tests.shop import ADDRESS, PINCODE, WA_ID, checkout

OTHER = "919800000002"


@pytest.fixture
def tracked(database_url: str, shop_id: int) -> int:
    tracker_events(database_url)
    return shop_id


def hashed(wa_id: str = WA_ID) -> str:
    return pseudonym(wa_id, get_settings().privacy_hash_secret.get_secret_value())


def test_erasure_keeps_the_order_under_a_keyed_hash(tracked: int, database_url: str) -> None:
    order_id = finished_order(tracked, WA_ID)
    chat(tracked, WA_ID, "2 kg atta, Flat 4B MG Road")
    chat(tracked, OTHER, "1 l milk", name="Ravi")
    with session_scope(write=True) as s:
        cart.add_packs(s, tracked, WA_ID, [("STP-0013", 1)])
    now = datetime.now(UTC)
    say(database_url, WA_ID, "user", "2 kg atta", now)
    say(database_url, f"{WA_ID}@other-shop", "user", "doodh", now)
    say(database_url, OTHER, "user", "1 l milk", now)

    done = erase_shopper(WA_ID)

    assert (done.customers, done.orders, done.carts, done.review_items) == (1, 1, 1, 1)
    assert done.messages == 2 and done.tracker_events == 2
    with session_scope() as s:
        customer = s.scalar(select(Customer).where(Customer.shop_id == tracked))
        assert customer is not None and customer.wa_id == hashed() and customer.name == ""
        assert customer.erased_at is not None
        assert s.scalar(select(Customer).where(Customer.wa_id == WA_ID)) is None
        order = s.get_one(Order, order_id)
        assert order.customer_id == customer.id and order.address == ""
        assert order.pincode == PINCODE and order.total_paise > 0 and order.lines
        assert WA_ID not in order.idempotency_key
        assert s.scalars(select(Cart)).all() == []
        assert all(m.wa_id == hashed() for m in s.scalars(select(OutboxMessage)))
        mine = s.scalars(select(WhatsAppInbox).where(WhatsAppInbox.wa_id == hashed())).one()
        assert mine.payload == {"erased": True}
        sent = s.scalars(select(WhatsAppOutgoing).where(WhatsAppOutgoing.wa_id == hashed())).one()
        assert sent.body == {"erased": True} and sent.options == {}
        other = s.scalars(select(WhatsAppInbox).where(WhatsAppInbox.wa_id == OTHER)).one()
        assert other.payload["message"]["text"]["body"] == "1 l milk"
        texts = {r.conversation_id: r.text for r in s.scalars(select(ReviewItem))}
        assert texts == {hashed(): "", OTHER: "1 l milk"}
        everything = " ".join(
            repr(r.__dict__)
            for t in (Customer, Order, OrderEvent, OutboxMessage, WhatsAppInbox, WhatsAppOutgoing)
            for r in s.scalars(select(t))
        )
        for found in ("Asha", ADDRESS, WA_ID):
            assert found not in everything, everything[everything.index(found) - 300 :][:400]
    assert events_of(database_url, WA_ID) == 0 and events_of(database_url, OTHER) == 1
    assert not erase_shopper(WA_ID).anything  # asked twice: nothing more


def test_an_order_in_progress_waits(tracked: int) -> None:
    with session_scope(write=True) as s:
        cart.add_packs(s, tracked, WA_ID, [("STP-0013", 2)])
        order = service.place_order(s, tracked, WA_ID, **checkout())
    chat(tracked, WA_ID, "where is my order")
    with pytest.raises(OrderInProgress) as refused:
        erase_shopper(WA_ID)
    assert refused.value.order_id == order.id
    with session_scope() as s:  # nothing changed
        assert s.scalar(select(Customer.wa_id)) == WA_ID
        assert s.scalar(select(Order.address)) == ADDRESS


def test_a_shopper_erased_twice_stays_one_customer(tracked: int) -> None:
    first = finished_order(tracked, WA_ID, "key-1")
    erase_shopper(WA_ID)
    second = finished_order(tracked, WA_ID, "key-2")  # came back, ordered again
    erase_shopper(WA_ID)
    with session_scope() as s:
        [customer] = s.scalars(select(Customer)).all()
        assert customer.wa_id == hashed()
        owners = set(s.scalars(select(Order.customer_id).where(Order.id.in_((first, second)))))
        assert owners == {customer.id}


def test_no_promotion_reaches_an_erased_shopper(tracked: int) -> None:
    finished_order(tracked, WA_ID)
    with session_scope(write=True) as s:
        row = cart.customer_row(s, tracked, WA_ID)
        assert outbox.enqueue(s, row, "cart_reminder", {"items": 2}, dedupe_key="r1")
    erase_shopper(WA_ID)
    later = datetime.now(UTC) + timedelta(days=1)
    with session_scope() as s:
        assert outbox.pending(s, now=later) == []
        reminder = s.scalar(select(OutboxMessage).where(OutboxMessage.template == "cart_reminder"))
    assert reminder is not None and reminder.status == "sent"
    assert reminder.provider_message_id is None and "erased" in (reminder.last_error or "")


def test_whatsapps_message_ids_which_carry_the_number_are_hashed(tracked: int) -> None:
    """A wamid is base64 with the number inside; an inbox row keeps its id while Meta may
    still retry the delivery (the id makes a retry add nothing), then the purge hashes it."""
    from bot.db.whatsapp_models import WhatsAppStatus
    from bot.privacy.pseudonym import is_pseudonym
    from bot.privacy.retention import purge_old

    chat(tracked, WA_ID, "old one", days_ago=10)
    chat(tracked, WA_ID, "recent one", days_ago=1)
    with session_scope(write=True) as s:
        out = s.scalars(select(WhatsAppOutgoing).order_by(WhatsAppOutgoing.id)).first()
        assert out is not None and out.wamid
        s.add(
            WhatsAppStatus(wamid=out.wamid, status="read", recipient_id=WA_ID, outgoing_id=out.id)
        )
    erase_shopper(WA_ID)
    with session_scope() as s:
        keys = [r.key for r in s.scalars(select(WhatsAppInbox).order_by(WhatsAppInbox.id))]
        assert is_pseudonym(keys[0]) and keys[1] == "wamid.test.1"
        assert all(is_pseudonym(o.wamid or "") for o in s.scalars(select(WhatsAppOutgoing)))
        status = s.scalars(select(WhatsAppStatus)).one()
        assert is_pseudonym(status.wamid) and is_pseudonym(status.recipient_id)
    with session_scope(write=True) as s:  # a status Meta sends after the erasure
        out = s.scalars(select(WhatsAppOutgoing).order_by(WhatsAppOutgoing.id)).first()
        assert out is not None
        for late in ("delivered", "read"):  # "read" again: once is kept
            s.add(
                WhatsAppStatus(
                    wamid="wamid.late", status=late, recipient_id=WA_ID, outgoing_id=out.id
                )
            )
    purge_old(now=datetime.now(UTC) + timedelta(days=7))
    with session_scope() as s:
        assert all(is_pseudonym(r.key) for r in s.scalars(select(WhatsAppInbox)))
        statuses = s.scalars(select(WhatsAppStatus)).all()
        assert sorted(r.status for r in statuses) == ["delivered", "read"]
        assert all(is_pseudonym(r.recipient_id) and is_pseudonym(r.wamid) for r in statuses)
