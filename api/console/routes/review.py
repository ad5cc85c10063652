"""The review queue (`/merchant/review`): what the bot misunderstood, grouped by normalised text,
and the merchant's fixes — map a term to a product, label it with an intent, mark it out of
scope, dismiss — each undoable from the list of recent actions. The work is in `bot.review`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypedDict
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.console.deps import CsrfMerchant, CurrentMerchant, MerchantPrincipal, render, see_other
from api.errors import status_for
from bot.catalog.model import format_pack, format_rupees
from bot.db.review_models import ReviewAction
from bot.db.session import session_scope
from bot.errors import ShopError
from bot.review import fixes, products, queue
from bot.review.intents import domain_intents
from bot.settings import get_settings

router = APIRouter()

PER_PAGE = 20
MAX_TEXT = 2000
Text = Annotated[str, Form(max_length=MAX_TEXT)]
KIND_LABELS = {
    "fallback": "Not understood",
    "low_confidence": "Unsure",
    "unmatched": "Item not found",
    "ambiguous": "Which one?",
    "correction": "Shopper corrected",
    "out_of_scope": "Out of scope",
}
STATUS_LABELS = {
    "open": "To review",
    "closed": "Done (all)",
    "mapped": "Mapped",
    "labelled": "Labelled",
    "out_of_scope": "Out of scope",
    "dismissed": "Dismissed",
}
LANGUAGE_LABELS = {"en": "English", "hi": "Hindi", "hinglish": "Hinglish", "?": "unknown"}
ACTION_LABELS = {
    "map_product": "Mapped",
    "label_intent": "Labelled",
    "out_of_scope": "Out of scope",
    "dismiss": "Dismissed",
}


def _local(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(get_settings().shop_timezone)).strftime("%d %b, %H:%M")


class TemplateHelpers(TypedDict):
    local: Callable[[datetime], str]
    kind_labels: dict[str, str]
    language_labels: dict[str, str]
    status_labels: dict[str, str]
    action_labels: dict[str, str]
    rupees: Callable[[int], str]
    pack: Callable[[int, str], str]


def _helpers() -> TemplateHelpers:
    return {
        "local": _local,
        "kind_labels": KIND_LABELS,
        "language_labels": LANGUAGE_LABELS,
        "status_labels": STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "rupees": format_rupees,
        "pack": format_pack,
    }


def _back(value: str) -> str:
    """Where a form returns to: the queue page it was posted from, never anywhere else."""
    return (
        value
        if value.startswith("/merchant/review") and "//" not in value and "\\" not in value
        else "/merchant/review"
    )


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    merchant: CurrentMerchant,
    kind: Annotated[str, Query(max_length=40)] = "",
    language: Annotated[str, Query(max_length=20)] = "",
    status: Annotated[str, Query(max_length=20)] = "open",
    sort: Annotated[str, Query(max_length=20)] = "frequent",
    page: Annotated[str, Query(max_length=10)] = "1",
) -> HTMLResponse:
    problems = []
    if kind and kind not in queue.QUEUE_KINDS:
        problems.append(f"there is no kind {kind[:40]!r}: not applied")
        kind = ""
    if status not in STATUS_LABELS:
        problems.append(f"there is no status {status[:20]!r}: showing those to review")
        status = "open"
    order: queue.Sort = "recent" if sort == "recent" else "frequent"
    number = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    with session_scope() as session:
        found = queue.groups(
            session,
            merchant.shop_id,
            kinds=(kind,) if kind else None,
            language=language or None,
            status=status,
            sort=order,
            limit=PER_PAGE,
            offset=(number - 1) * PER_PAGE,
        )
        languages = queue.languages(session, merchant.shop_id)
        recent = fixes.recent(session, merchant.shop_id, limit=15)
    shown = {"kind": kind, "language": language, "status": status, "sort": order}
    query = {
        k: v
        for k, v in shown.items()
        if v and (k, v) not in (("status", "open"), ("sort", "frequent"))
    }
    pages = max(1, -(-found.total // PER_PAGE))

    def page_url(n: int) -> str:
        return "/merchant/review?" + urlencode({**query, "page": n})

    here = "/merchant/review" + (
        f"?{urlencode({**query, 'page': number})}" if query or number > 1 else ""
    )
    return render(
        request,
        "console/review.html",
        merchant,
        found=found,
        shown=shown,
        languages=languages,
        recent=recent,
        intents=domain_intents(),
        kinds=queue.QUEUE_KINDS,
        page=number,
        pages=pages,
        page_url=page_url,
        here=here,
        filtered=bool(query),
        error="; ".join(problems).capitalize() + "." if problems else None,
        **_helpers(),
    )


@router.get("/review/map", response_class=HTMLResponse)
def map_page(
    request: Request,
    merchant: CurrentMerchant,
    text: Annotated[str, Query(max_length=MAX_TEXT)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    term: Annotated[str, Query(max_length=200)] = "",
    back: Annotated[str, Query(max_length=500)] = "/merchant/review",
) -> HTMLResponse:
    return _map_page(request, merchant, text, q, term, _back(back))


def _map_page(
    request: Request,
    merchant: MerchantPrincipal,
    text: str,
    q: str,
    term: str,
    back: str,
    *,
    error: str | None = None,
    status_code: int = 200,
    sku: str = "",
) -> HTMLResponse:
    with session_scope() as session:
        group = queue.group(session, merchant.shop_id, text)
        if group is None:
            return render(
                request, "console/review_gone.html", merchant, status_code=404, text=text, back=back
            )
        term = term or group.term
        query = q if q.strip() else term
        suggested = products.by_skus(session, merchant.shop_id, group.candidates)
        results = products.search(session, merchant.shop_id, query)
    return render(
        request,
        "console/review_map.html",
        merchant,
        status_code=status_code,
        group=group,
        term=term,
        q=query,
        suggested=suggested,
        results=results,
        back=back,
        error=error,
        chosen=sku,
        **_helpers(),
    )


@router.post("/review/map")
def map_to_product(
    request: Request,
    merchant: CsrfMerchant,
    text: Text = "",
    sku: Annotated[str, Form(max_length=64)] = "",
    term: Annotated[str, Form(max_length=400)] = "",
    q: Annotated[str, Form(max_length=200)] = "",
    back: Annotated[str, Form(max_length=500)] = "/merchant/review",
) -> Response:
    back = _back(back)
    if not sku.strip():
        return _map_page(
            request,
            merchant,
            text,
            q,
            term,
            back,
            status_code=422,
            error="Choose the product this term means.",
        )
    try:
        with session_scope(write=True) as session:
            action = fixes.map_to_product(
                session, merchant.shop_id, text, sku, merchant.user_id, term=term or None
            )
            product = products.by_skus(session, merchant.shop_id, [sku.strip()])
    except ShopError as e:
        return _map_page(
            request,
            merchant,
            text,
            q,
            term,
            back,
            status_code=status_for(e),
            sku=sku,
            error=f"{e.detail[:1].upper()}{e.detail[1:]}.",
        )
    name = (
        f"{product[0].name} {format_pack(product[0].pack_size, product[0].pack_unit)}"
        if product
        else sku
    )
    return see_other(
        back,
        notice=f"“{action.term}” now means {name}: the bot understands it from the next "
        f"message, no retraining needed. Undo it below if that was a mistake.",
    )


@router.post("/review/label")
def label(
    merchant: CsrfMerchant,
    text: Text = "",
    intent: Annotated[str, Form(max_length=100)] = "",
    back: Annotated[str, Form(max_length=500)] = "/merchant/review",
) -> Response:
    return _act(
        merchant,
        back,
        lambda s: fixes.label(s, merchant.shop_id, text, intent, merchant.user_id),
        lambda a: (
            f"“{_short(a.normalized)}” is labelled {a.intent}: it goes into the next model's training "
            "data (chatcart nlu export)."
        ),
    )


@router.post("/review/out-of-scope")
def out_of_scope(
    merchant: CsrfMerchant,
    text: Text = "",
    back: Annotated[str, Form(max_length=500)] = "/merchant/review",
) -> Response:
    return _act(
        merchant,
        back,
        lambda s: fixes.mark_out_of_scope(s, merchant.shop_id, text, merchant.user_id),
        lambda a: (
            f"“{_short(a.normalized)}” is marked out of scope: the next model will say the shop "
            "does not do that."
        ),
    )


@router.post("/review/dismiss")
def dismiss(
    merchant: CsrfMerchant,
    text: Text = "",
    back: Annotated[str, Form(max_length=500)] = "/merchant/review",
) -> Response:
    return _act(
        merchant,
        back,
        lambda s: fixes.dismiss(s, merchant.shop_id, text, merchant.user_id),
        lambda a: f"“{_short(a.normalized)}” is dismissed.",
    )


@router.post("/review/actions/{action_id}/undo")
def undo(
    merchant: CsrfMerchant,
    action_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    back: Annotated[str, Form(max_length=500)] = "/merchant/review",
) -> Response:
    def done(a: ReviewAction) -> str:
        what = {
            "map_product": f"the alias “{a.term}” is removed (the bot stops using it now)",
            "label_intent": "its training example is removed",
            "out_of_scope": "its training example is removed",
            "dismiss": "nothing else had changed",
        }[a.kind]
        return f"Undone: “{_short(a.normalized)}” is back in the queue and {what}."

    return _act(
        merchant, back, lambda s: fixes.undo(s, merchant.shop_id, action_id, merchant.user_id), done
    )


def _act(
    merchant: MerchantPrincipal,
    back: str,
    do: Callable[[Session], ReviewAction],
    notice: Callable[[ReviewAction], str],
) -> Response:
    back = _back(back)
    try:
        with session_scope(write=True) as session:
            action = do(session)
            message = notice(action)
    except ShopError as e:
        return see_other(back, error=f"{e.detail[:1].upper()}{e.detail[1:]}.")
    return see_other(back, notice=message)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
