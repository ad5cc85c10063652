"""What an inbound message comes to — a plan — and how a plan is committed.

A planner (`api.whatsapp.planners`) reads the message and whatever it needs (the engine's
slots, the options a button offered, the catalog, a photo) and writes nothing; `commit` then
stores the plan in one transaction with the row's move out of `pending`, so that a crash
leaves either no trace of the plan or all of it:

- `forward` set: the engine hears it as the shopper's text (the row moves to `forwarding`);
  `replies` are said before the engine's replies (what a photo was read as);
- `forward` None: `replies` are the whole answer (the row moves to `replied`);
- `packs`: a WhatsApp catalog order's lines, put into the cart first — if the cart refuses
  them the shopper hears why and the engine hears nothing;
- `effect`: a write of the plan's own in the same transaction (a STOP recorded, a shopper's
  data erased: api/whatsapp/privacy), which may turn the plan into another (an erasure that
  must wait for an order says so instead).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TypeVar

from sqlalchemy.orm import Session

from api.whatsapp import inbox
from api.whatsapp.graph import GraphClient
from api.whatsapp.inbox import InboxRow
from api.whatsapp.render import Rendered, text_messages
from bot.cart import service as carts
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox
from bot.errors import ShopError
from bot.i18n import t
from bot.i18n.render import LANGUAGES
from bot.rasa_api import EngineClient, EngineError

Params = ParamSpec("Params")
Returned = TypeVar("Returned")


@dataclass(frozen=True)
class Plan:
    outcome: str
    replies: tuple[Rendered, ...] = ()
    forward: str | None = None
    packs: tuple[tuple[str, int], ...] = ()
    customer: bool = False  # the shopper's customer row is made (or named) with the plan
    language: str = "en"  # of the shopper, for what `commit` itself may have to say
    effect: Effect | None = None  # run by `commit` in its transaction; may return another plan


# A plan's own write: (session, the row, the shop's id) → None, or the plan it becomes.
Effect = Callable[[Session, InboxRow, int], "Plan | None"]


class Database(Protocol):
    """Runs a synchronous database function off the event loop (the gateway's `db`)."""

    async def __call__(
        self, fn: Callable[Params, Returned], /, *args: Params.args, **kwargs: Params.kwargs
    ) -> Returned: ...


def _same(wa_id: str) -> str:
    return wa_id


@dataclass(frozen=True)
class Context:
    """What planners may consult, for the shop the message is for (the gateway makes one per
    message: `shop_id` is that shop's, `sender` names the shopper's conversation with it)."""

    rasa: EngineClient
    graph: GraphClient
    db: Database
    shop_id: Callable[[], int]
    ocr_problem: Callable[[], str | None]  # why photos cannot be read here, None if they can
    sender: Callable[[str], str] = _same  # the engine's conversation id for a WhatsApp id

    async def slots(self, wa_id: str) -> dict[str, Any]:
        try:
            return await self.rasa.slots(self.sender(wa_id))
        except EngineError:
            return {}

    async def language(self, wa_id: str) -> str:
        """The conversation's language, else the one stored for the customer, else English."""
        slots = await self.slots(wa_id)
        if slots.get("language"):
            return language_of(slots["language"])
        return await self.db(stored_language, self.shop_id(), wa_id)


def language_of(value: Any) -> str:
    return value if value in LANGUAGES else "en"


def stored_language(shop_id: int, wa_id: str) -> str:
    with session_scope() as s:
        row = carts.customer_row(s, shop_id, wa_id, create=False)
        return language_of(row.language if row else "en")


def polite(outcome: str, key: str, language: str) -> Plan:
    return Plan(outcome, tuple(text_messages(t(key, language))))


def commit(row: InboxRow, plan: Plan, shop_id: int) -> None:
    """Store `plan` with the row's move, in one transaction."""
    with session_scope(write=True) as s:
        r = s.get_one(WhatsAppInbox, row.id)
        if plan.forward is not None or plan.customer:
            carts.customer_row(s, shop_id, row.wa_id, name=row.payload.get("name") or None)
        if plan.packs:
            try:
                with s.begin_nested():
                    carts.add_packs(s, shop_id, row.wa_id, list(plan.packs))
            except ShopError as e:
                reason = e.detail or e.title
                refused = text_messages(t("wa_order_failed", plan.language, reason=reason))
                inbox.add_replies(s, row, [*plan.replies, *refused])
                r.outcome = "order_rejected"
                return
        if plan.effect is not None:
            plan = plan.effect(s, row, shop_id) or plan
        if plan.forward is None:
            inbox.add_replies(s, row, list(plan.replies))
            r.outcome = plan.outcome
            return
        r.payload = {**r.payload, "forward": plan.forward}
        r.state, r.outcome = "forwarding", plan.outcome
        inbox.add_first(s, row, list(plan.replies))
