"""The handoff inbox (`/merchant/handoff`): conversations where a shopper asked for a person,
what they said (from the engine's tracker), replies as the shop, and the hand-back to the bot.

A reply goes out the way the gateway sends everything: a `whatsapp_outgoing` row rendered
first, then the Graph API client (its retries and rate limit), then the row marked with its
wamid — so the delivery ticks Meta reports later land on it. The merchant sees at once whether
WhatsApp took it. The gateway's client is used when it runs in this process, else one of our own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from api.console.deps import CsrfMerchant, CurrentMerchant, MerchantPrincipal, render, see_other
from api.errors import status_for
from api.whatsapp import inbox as wa_inbox
from api.whatsapp.graph import GraphClient, GraphError
from api.whatsapp.render import text_messages
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppOutgoing
from bot.errors import ShopError
from bot.handoff import inbox
from bot.rasa_api import EngineClient, EngineError
from bot.settings import get_settings

router = APIRouter()
ConversationId = Annotated[str, Path(min_length=1, max_length=100)]
LANGUAGE_LABELS = {"en": "English", "hi": "Hindi", "hinglish": "Hinglish"}


def _local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(get_settings().shop_timezone)).strftime("%d %b, %H:%M")


def _url(conversation_id: str) -> str:
    return f"/merchant/handoff/{quote(conversation_id, safe='')}"


def who(conversation_id: str) -> str:
    """A WhatsApp id is a phone number: shown as one."""
    return f"+{conversation_id}" if conversation_id.isdigit() else conversation_id


def _tracker() -> EngineClient:
    return EngineClient.from_settings(get_settings(), timeout=10.0)


@router.get("/handoff", response_class=HTMLResponse)
def handoff_page(request: Request, merchant: CurrentMerchant) -> HTMLResponse:
    with session_scope() as session:
        waiting = inbox.flagged(session, merchant.shop_id)
    return render(
        request,
        "console/handoff.html",
        merchant,
        waiting=waiting,
        local=_local,
        language_labels=LANGUAGE_LABELS,
        url=_url,
        who=who,
    )


@router.get("/handoff/{conversation_id}", response_class=HTMLResponse)
def conversation_page(
    request: Request, conversation_id: ConversationId, merchant: CurrentMerchant
) -> HTMLResponse:
    return _conversation(request, merchant, conversation_id)


def _conversation(
    request: Request,
    merchant: MerchantPrincipal,
    conversation_id: str,
    *,
    error: str | None = None,
    status_code: int = 200,
    draft: str = "",
) -> HTMLResponse:
    with session_scope() as session:
        try:
            view = inbox.conversation(session, merchant.shop_id, conversation_id, _tracker())
        except ShopError:
            return render(
                request,
                "console/handoff_missing.html",
                merchant,
                status_code=404,
                conversation_id=conversation_id,
                who=who,
            )
    return render(
        request,
        "console/handoff_conversation.html",
        merchant,
        status_code=status_code,
        view=view,
        error=error,
        draft=draft,
        local=_local,
        url=_url,
        who=who,
        max_reply=inbox.MAX_REPLY,
    )


@router.post("/handoff/{conversation_id}/reply")
async def reply(
    request: Request,
    conversation_id: ConversationId,
    merchant: CsrfMerchant,
    text: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    settings = get_settings()
    number = settings.whatsapp_phone_number_id
    try:
        outgoing_id, body = await run_in_threadpool(
            _record, merchant, conversation_id, text, number
        )
    except ShopError as e:
        refused, status = f"Not sent: {e.detail}.", status_for(e)
        return await run_in_threadpool(
            lambda: _conversation(
                request, merchant, conversation_id, error=refused, status_code=status, draft=text
            )
        )
    gateway = getattr(request.app.state, "whatsapp", None)
    graph = gateway.graph if gateway is not None else GraphClient(settings)
    try:
        wamid = await graph.send(body, number)
    except GraphError as e:
        await run_in_threadpool(wa_inbox.send_failed, outgoing_id, str(e))
        failed = f"WhatsApp did not take the reply ({e}). Nothing was delivered; try again."
        return await run_in_threadpool(
            lambda: _conversation(
                request, merchant, conversation_id, status_code=502, draft=text, error=failed
            )
        )
    finally:
        if gateway is None:
            await graph.aclose()
    await run_in_threadpool(wa_inbox.sent, outgoing_id, wamid)
    return see_other(_url(conversation_id), notice="Sent on WhatsApp as the shop.")


def _record(
    merchant: MerchantPrincipal, conversation_id: str, text: str, number: str
) -> tuple[int, dict[str, Any]]:
    """The reply, attributed, and its WhatsApp message rendered, in one transaction."""
    with session_scope(write=True) as session:
        event = inbox.record_reply(
            session,
            merchant.shop_id,
            conversation_id,
            text,
            merchant.user_id,
            last_inbound=wa_inbox.last_inbound(session, conversation_id, number),
        )
        [message] = text_messages(event.text or "")
        out = WhatsAppOutgoing(
            wa_id=conversation_id,
            phone_number_id=number,
            type=message.type,
            body=message.request(conversation_id),
            options={},
        )
        session.add(out)
        session.flush()
        event.outgoing_id = out.id
        return out.id, dict(out.body)


@router.post("/handoff/{conversation_id}/release")
def release(request: Request, conversation_id: ConversationId, merchant: CsrfMerchant) -> Response:
    try:
        with session_scope() as session:
            inbox.release(session, merchant.shop_id, conversation_id, merchant.user_id, _tracker())
    except ShopError as e:
        return _conversation(
            request,
            merchant,
            conversation_id,
            error=f"Not handed back: {e.detail}.",
            status_code=503 if isinstance(e, EngineError) else status_for(e),
        )
    return see_other(
        "/merchant/handoff",
        notice=f"{who(conversation_id)} is back with the bot: it answers their next message.",
    )
