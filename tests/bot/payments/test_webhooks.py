"""Payment webhooks: signatures, idempotency, out-of-order events, mismatches, crashes."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bot.cart import service as cart
from bot.db.models import Order as OrderRow
from bot.db.models import OrderEvent, OutboxMessage, Payment, PaymentEvent
from bot.db.session import session_scope
from bot.orders import service
from bot.orders.model import Order
from bot.payments import sandbox, webhooks
from bot.payments.configured import configured_provider
from bot.payments.errors import InvalidSignature, MalformedEvent
from bot.payments.webhooks import WebhookResult, handle_webhook
from bot.settings import get_settings
from tests.shop import WA_ID, checkout

ATTA = "STP-0013"


def _order(shop_id: int, key: str = "key-1") -> Order:
    with session_scope() as s:
        cart.add_packs(s, shop_id, WA_ID, [(ATTA, 2)])
        return service.place_order(s, shop_id, WA_ID, **checkout(idempotency_key=key))


def _deliver(body: bytes, signature: str | None = None) -> WebhookResult:
    secret = get_settings().sandbox_webhook_secret.get_secret_value()
    headers = {
        sandbox.SIGNATURE_HEADER: signature if signature is not None else sandbox.sign(body, secret)
    }
    with session_scope() as s:
        return handle_webhook(s, configured_provider(), body, headers)


def _event(
    order: Order,
    outcome: sandbox.Outcome = "approve",
    amount: int | None = None,
    currency: str = "INR",
) -> bytes:
    assert order.payment is not None
    return sandbox.gateway_event(
        order.payment.id,
        amount if amount is not None else order.payment.amount_paise,
        currency,
        outcome,
    )


def _state(order_id: int) -> tuple[str, str, int, int]:
    with session_scope() as s:
        order = s.get(OrderRow, order_id)
        payment = s.scalar(select(Payment).where(Payment.order_id == order_id))
        events = s.scalar(select(func.count()).select_from(PaymentEvent)) or 0
        outbox = s.scalar(select(func.count()).select_from(OutboxMessage)) or 0
        return order.status, payment.status, events, outbox


def test_a_capture_pays_the_order_and_tells_the_shopper(shop_id: int) -> None:
    order = _order(shop_id)
    result = _deliver(_event(order))
    assert (result.outcome, result.duplicate, result.order_id) == ("paid", False, order.id)
    assert _state(order.id) == ("paid", "paid", 1, 2)
    with session_scope() as s:
        msg = s.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
        assert (msg.template, msg.params["total_paise"]) == ("order_paid", order.total_paise)


def test_a_replayed_webhook_changes_nothing(shop_id: int) -> None:
    order = _order(shop_id)
    body = _event(order)
    _deliver(body)
    for _ in range(3):
        again = _deliver(body)
        assert again.duplicate and again.outcome == "paid"
    assert _state(order.id) == ("paid", "paid", 1, 2)
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Payment)) == 1
        assert s.scalar(select(func.count()).where(OrderEvent.to_status == "paid")) == 1


@pytest.mark.parametrize("tamper", ["body", "signature", "missing", "other-secret"])
def test_a_tampered_webhook_is_rejected_and_changes_nothing(shop_id: int, tamper: str) -> None:
    order = _order(shop_id)
    body = _event(order)
    secret = get_settings().sandbox_webhook_secret.get_secret_value()
    if tamper == "body":
        args = (body.replace(b'"amount":', b'"amount":1'), sandbox.sign(body, secret))
    elif tamper == "signature":
        sig = sandbox.sign(body, secret)
        args = (body, sig[:-1] + ("0" if sig[-1] != "0" else "1"))
    elif tamper == "missing":
        args = (body, "")
    else:
        args = (body, sandbox.sign(body, "not-the-secret"))
    with pytest.raises(InvalidSignature):
        _deliver(*args)
    assert _state(order.id) == ("pending_payment", "created", 0, 1)


def test_a_signed_but_unreadable_body_is_refused(shop_id: int) -> None:
    with pytest.raises(MalformedEvent):
        _deliver(b'{"id": "evt_x"}')


@pytest.mark.parametrize(("amount", "currency"), [(1, "INR"), (None, "USD")])
def test_a_wrong_amount_or_currency_is_flagged_never_paid(
    shop_id: int, amount: int | None, currency: str
) -> None:
    order = _order(shop_id)
    result = _deliver(
        _event(order, amount=order.total_paise - 1 if amount else None, currency=currency)
    )
    assert result.outcome == "flagged"
    status, payment, _, _ = _state(order.id)
    assert (status, payment) == ("pending_payment", "flagged")
    with session_scope() as s:
        assert "asks" in s.scalar(select(Payment.flag_reason))
        templates = list(s.scalars(select(OutboxMessage.template)))
        assert "payment_flagged" in templates and "order_paid" not in templates


def test_a_failure_then_a_capture_pays(shop_id: int) -> None:
    order = _order(shop_id)
    assert _deliver(_event(order, "decline")).outcome == "failed"
    assert _state(order.id)[:2] == ("pending_payment", "failed")
    assert _deliver(_event(order, "approve")).outcome == "paid"
    assert _state(order.id)[:2] == ("paid", "paid")


def test_a_failure_arriving_after_the_capture_is_stale(shop_id: int) -> None:
    order = _order(shop_id)
    _deliver(_event(order, "approve"))
    assert _deliver(_event(order, "decline")).outcome == "stale"
    assert _state(order.id)[:2] == ("paid", "paid")


def test_money_for_a_cancelled_order_is_flagged_for_a_refund(shop_id: int) -> None:
    order = _order(shop_id)
    with session_scope() as s:
        service.cancel_order(s, shop_id, order.id, "system")
    assert _deliver(_event(order)).outcome == "flagged"
    assert _state(order.id)[:2] == ("cancelled", "flagged")
    with session_scope() as s:
        assert "refund" in s.scalar(select(Payment.flag_reason))


def test_a_crash_between_capture_and_order_update_is_completed_by_the_next_delivery(
    shop_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = _order(shop_id)
    body = _event(order)

    def crash(*args: object, **kwargs: object) -> None:
        raise SystemExit("the process died after marking the payment captured")

    with monkeypatch.context() as m:
        m.setattr(webhooks, "transition", crash)
        with pytest.raises(SystemExit):
            _deliver(body)
    # Nothing half-done was kept: the provider got no 2xx and will deliver again.
    assert _state(order.id) == ("pending_payment", "created", 0, 1)
    assert _deliver(body).outcome == "paid"
    assert _state(order.id) == ("paid", "paid", 1, 2)


def test_a_payment_left_captured_with_its_order_unpaid_is_completed_by_a_redelivery(
    shop_id: int,
) -> None:
    """The same crash, had the capture been committed on its own: the state is repaired by the
    next delivery, even of an event already recorded."""
    order = _order(shop_id)
    body = _event(order)
    _deliver(body)
    with session_scope() as s:  # undo the order's half by hand
        row = s.get(OrderRow, order.id)
        row.status = "pending_payment"
        for event in list(row.events)[1:]:
            s.delete(event)
        s.query(OutboxMessage).filter(OutboxMessage.template == "order_paid").delete()
    assert _state(order.id)[:2] == ("pending_payment", "paid")
    again = _deliver(body)
    assert again.duplicate
    assert _state(order.id) == ("paid", "paid", 1, 2)


def test_events_for_unknown_payments_are_recorded_not_applied(shop_id: int) -> None:
    body = json.dumps(
        {
            "id": "evt_other",
            "type": "payment.captured",
            "payment": {
                "id": "spay_1",
                "reference": "cpay_someone_elses",
                "amount": 100,
                "currency": "INR",
            },
        }
    ).encode()
    assert _deliver(body).outcome == "unknown_payment"
    assert _deliver(body).duplicate
