"""Orders (`/merchant/orders`): the list with filters and pages, one order in full, and its
status changes. Changes go through `bot.orders.service.transition` as `merchant:<username>`,
so the state machine, restocking, refunds through the provider and the shopper's outbox
message are the same as everywhere else; a refused change is shown on the page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, TypedDict
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.console.deps import CsrfMerchant, CurrentMerchant, MerchantPrincipal, render, see_other
from api.console.routes.privacy import shopper_privacy
from api.errors import status_for
from bot.catalog.model import format_pack, format_rupees
from bot.db.session import session_scope
from bot.errors import ShopError
from bot.orders import service, states
from bot.orders.errors import InvalidTransition, OrderNotFound
from bot.orders.messages import order_messages
from bot.orders.search import OrderFilter, customer_name, search_orders
from bot.orders.slots import SLOT_ID_FORMAT
from bot.settings import get_settings
from bot.vocabulary import is_order_status

router = APIRouter()

PER_PAGE = 25
MAX_REASON = 500
OrderId = Annotated[int, Path(ge=1, le=2**31 - 1)]
STATUS_LABELS = {
    "pending_payment": "Awaiting payment",
    "paid": "Paid",
    "packed": "Packed",
    "out_for_delivery": "Out for delivery",
    "delivered": "Delivered",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
}
STATUS_BADGES = {
    "pending_payment": "warn",
    "paid": "ok",
    "delivered": "ok",
    "cancelled": "bad",
    "refunded": "bad",
}
ACTION_LABELS = {
    "packed": "Mark packed",
    "out_for_delivery": "Send out for delivery",
    "delivered": "Mark delivered",
    "cancelled": "Cancel order",
    "refunded": "Refund",
}
# `paid` is the payment provider's word, never a person's (as in the merchant API).
MERCHANT_TARGETS = tuple(ACTION_LABELS)
# The shopper is told about these, and the shop will want to know why later.
NEEDS_REASON = frozenset({"cancelled", "refunded"})
PAYMENT_LABELS = {"upi": "UPI", "cod": "Cash on delivery"}


def _local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(get_settings().shop_timezone)).strftime("%d %b %Y, %H:%M")


def slot_label(slot_id: str) -> str:
    """ "2026-11-25T18:00" → "Wed 25 Nov, 18:00–20:00" (slots are ids in the shop's time)."""
    try:
        start = datetime.strptime(slot_id, SLOT_ID_FORMAT)
    except ValueError:
        return slot_id
    end = start + timedelta(hours=get_settings().slot_hours)
    return f"{start:%a %d %b}, {start:%H:%M}–{end:%H:%M}"


def status_label(status: str, payment_method: str) -> str:
    """A cash order waiting to be packed is new, not waiting for money: it is paid at the door."""
    if status == "pending_payment" and payment_method == "cod":
        return "New, cash on delivery"
    return STATUS_LABELS.get(status, status)


class TemplateHelpers(TypedDict):
    rupees: Callable[[int], str]
    local: Callable[[datetime], str]
    slot_label: Callable[[str], str]
    status_label: Callable[[str, str], str]
    status_labels: dict[str, str]
    badges: dict[str, str]
    payment_labels: dict[str, str]
    pack: Callable[[int, str], str]


def _helpers() -> TemplateHelpers:
    return {
        "rupees": format_rupees,
        "local": _local,
        "slot_label": slot_label,
        "status_label": status_label,
        "status_labels": STATUS_LABELS,
        "badges": STATUS_BADGES,
        "payment_labels": PAYMENT_LABELS,
        "pack": format_pack,
    }


def _date(value: str, label: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{label} {value[:30]!r} is not a date (YYYY-MM-DD): not applied")
        return None


@router.get("/orders", response_class=HTMLResponse)
def orders_page(
    request: Request,
    merchant: CurrentMerchant,
    status: Annotated[str, Query(max_length=40)] = "",
    method: Annotated[str, Query(max_length=10)] = "",
    placed_from: Annotated[str, Query(alias="from", max_length=30)] = "",
    placed_to: Annotated[str, Query(alias="to", max_length=30)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[str, Query(max_length=10)] = "1",
) -> HTMLResponse:
    problems: list[str] = []
    if status and status not in STATUS_LABELS:
        problems.append(f"there is no status {status!r}: not applied")
    if method and method not in PAYMENT_LABELS:
        problems.append(f"there is no payment method {method!r}: not applied")
    first, last = _date(placed_from, "from", problems), _date(placed_to, "to", problems)
    if first and last and first > last:
        problems.append("the date range ends before it starts: no order can match")
    wanted = OrderFilter(
        status=status if status in STATUS_LABELS else None,
        payment_method=method if method in PAYMENT_LABELS else None,
        placed_from=first,
        placed_to=last,
        query=q,
    )
    with session_scope() as session:
        found = search_orders(
            session,
            merchant.shop_id,
            wanted,
            get_settings().shop_timezone,
            page=int(page) if page.isdigit() else 1,
            per_page=PER_PAGE,
        )
    shown = {"status": status, "method": method, "from": placed_from, "to": placed_to, "q": q}

    def page_url(number: int) -> str:
        return "/merchant/orders?" + urlencode(
            {**{k: v for k, v in shown.items() if v}, "page": number}
        )

    return render(
        request,
        "console/orders.html",
        merchant,
        found=found,
        shown=shown,
        page_url=page_url,
        filtered=any(shown.values()),
        error=_sentence(problems),
        **_helpers(),
    )


def _sentence(problems: list[str]) -> str | None:
    if not problems:
        return None
    text = "; ".join(problems)
    return text[0].upper() + text[1:] + "."


def _detail(
    request: Request,
    merchant: MerchantPrincipal,
    order_id: int,
    *,
    error: str | None = None,
    status_code: int = 200,
    reason: str = "",
) -> HTMLResponse:
    with session_scope() as session:
        try:
            order = service.get_order(session, merchant.shop_id, order_id)
        except OrderNotFound:
            return render(
                request, "console/orders_missing.html", merchant, status_code=404, order_id=order_id
            )
        messages = order_messages(session, merchant.shop_id, order_id)
        name = customer_name(session, merchant.shop_id, order.wa_id)
        privacy = shopper_privacy(session, merchant.shop_id, order.wa_id)
    actions = [
        (to, ACTION_LABELS[to], to in NEEDS_REASON, states.releases_stock(order.status, to))
        for to in order.next_statuses
        if to in MERCHANT_TARGETS
    ]
    return render(
        request,
        "console/orders_detail.html",
        merchant,
        status_code=status_code,
        order=order,
        messages=messages,
        customer_name=name,
        privacy=privacy,
        actions=actions,
        packs=sum(line.count for line in order.lines),
        reason=reason,
        error=error,
        max_reason=MAX_REASON,
        **_helpers(),
    )


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def order_page(request: Request, order_id: OrderId, merchant: CurrentMerchant) -> HTMLResponse:
    return _detail(request, merchant, order_id)


@router.post("/orders/{order_id}/status")
def change_status(
    request: Request,
    order_id: OrderId,
    merchant: CsrfMerchant,
    to_status: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    reason = " ".join(reason.split())
    refused = _refusal(to_status, reason)
    if refused or not is_order_status(to_status):
        return _detail(request, merchant, order_id, error=refused, status_code=422, reason=reason)
    try:
        with session_scope(write=True) as session:
            before = service.get_order(session, merchant.shop_id, order_id)
            order = service.transition(
                session,
                order_id,
                to_status,
                actor(merchant),
                reason or None,
                shop_id=merchant.shop_id,
            )
    except OrderNotFound:
        return _detail(request, merchant, order_id)
    except InvalidTransition as e:
        return _detail(
            request,
            merchant,
            order_id,
            error=_not_allowed(order_id, to_status, e),
            status_code=status_for(e),
            reason=reason,
        )
    except ShopError as e:
        return _detail(
            request,
            merchant,
            order_id,
            error=f"{e.title}: {e.detail}",
            status_code=status_for(e),
            reason=reason,
        )
    label = STATUS_LABELS[order.status]
    if before.status == order.status:
        notice = f"Order #{order.id} was already {label.lower()}: nothing changed."
    else:
        notice = (
            f"Order #{order.id} is now {label.lower()}; the shopper will get a WhatsApp message."
        )
        if states.releases_stock(before.status, order.status):
            notice += f" {sum(line.count for line in order.lines)} packs are back on the shelf."
        if order.status == "refunded" and order.payment is not None:
            notice += (
                f" {format_rupees(order.payment.amount_paise)} refunded through "
                f"{order.payment.provider}."
            )
    return see_other(f"/merchant/orders/{order.id}", notice=notice)


def actor(merchant: MerchantPrincipal) -> str:
    return f"merchant:{merchant.username}"


def _not_allowed(order_id: int, to_status: str, e: InvalidTransition) -> str:
    current = str(e.extra.get("current_status", ""))
    allowed = [
        STATUS_LABELS[s].lower() for s in e.extra.get("allowed", []) if s in MERCHANT_TARGETS
    ]
    now = STATUS_LABELS.get(current, current).lower()
    return (
        f"Order #{order_id} cannot be {STATUS_LABELS[to_status].lower()}: it is {now}, and from there "
        + (f"it can only be {' or '.join(allowed)}." if allowed else "you cannot move it on.")
        + (
            " It becomes paid when the shopper's UPI payment arrives."
            if current == "pending_payment" and "paid" in e.extra.get("allowed", [])
            else ""
        )
    )


def _refusal(to_status: str, reason: str) -> str | None:
    if to_status == "paid":
        return (
            "Only the payment provider marks an order paid: a UPI order becomes paid when its "
            "payment arrives."
        )
    if to_status not in MERCHANT_TARGETS:
        return f"{to_status[:40]!r} is not a status an order can be moved to from the console."
    if len(reason) > MAX_REASON or not reason.isprintable():
        return f"The reason must be at most {MAX_REASON} characters of plain text."
    if to_status in NEEDS_REASON and not reason:
        verb = "cancel" if to_status == "cancelled" else "refund"
        return f"Say why before you {verb} this order: it goes in the order's history" + (
            " and to the shopper." if to_status == "cancelled" else "."
        )
    return None
