"""`/simulator`: a WhatsApp-like chat page for any phone number (development and test only).

The page never talks to the gateway's internals. It asks this module to post a Cloud-API-shaped,
correctly signed webhook over HTTP to `/webhooks/whatsapp` — the path Meta's deliveries take —
and shows what the gateway sent to the Graph API, which in development is the capture endpoint
below (`/simulator/graph/{version}/{phone-number-id}/messages`), reached by the same Graph API
client over HTTP. In production every route here answers 404.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Form, Header, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from api.deps import SettingsDep
from api.errors import ProblemError
from api.simulator import webhooks
from api.whatsapp import templates
from api.whatsapp.render import check
from bot.db.session import session_scope
from bot.settings import PROJECT_ROOT, Settings
from bot.shops.directory import all_shops, sending_number

router = APIRouter(prefix="/simulator", include_in_schema=False)
pages = Jinja2Templates(directory=str(PROJECT_ROOT / "api" / "templates"))
STATIC = PROJECT_ROOT / "api" / "static"
WA_ID = r"^[0-9]{6,15}$"


Chat = tuple[str, str]  # (the business number's phone_number_id, the shopper's wa_id)


class Capture:
    """What the gateway sent to the Graph API, per chat — one shopper with one shop's number —
    in order (this process only)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._events: dict[Chat, list[dict[str, Any]]] = defaultdict(list)
        self._owner: dict[str, Chat] = {}  # wamid of an inbound message → its chat

    def inbound(self, number: str, wa_id: str, wamid: str) -> None:
        with self._lock:
            self._owner[wamid] = (number, wa_id)

    def add(self, number: str, body: dict[str, Any], preview: str | None = None) -> str | None:
        with self._lock:
            if body.get("status") == "read":
                chat = self._owner.get(body.get("message_id", ""))
                if chat is None:
                    return None
                self._events[chat].append(
                    {
                        "seq": next(self._seq),
                        "kind": "read",
                        "message_id": body["message_id"],
                        "typing": bool(body.get("typing_indicator")),
                    }
                )
                return None
            wamid = "wamid.GW" + secrets.token_hex(12).upper()
            self._events[(number, str(body.get("to")))].append(
                {
                    "seq": next(self._seq),
                    "kind": "message",
                    "wamid": wamid,
                    "body": body,
                    "at": time.time(),
                    "preview": preview,
                }
            )
            return wamid

    def since(self, number: str, wa_id: str, after: int) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self._events.get((number, wa_id), []) if e["seq"] > after]


CAPTURE = Capture()


class MediaStore:
    """Photos the page sent, served as the Graph API serves a shopper's media (this process
    only, the newest `KEEP`): the worker fetches them over HTTP like real ones."""

    KEEP = 50
    MAX_BYTES = 16 * 2**20  # the page may send more than the gateway accepts: it refuses

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, tuple[bytes, str]] = {}

    def add(self, data: bytes, mime: str) -> str:
        media_id = str(10**14 + secrets.randbelow(9 * 10**14))
        with self._lock:
            self._items[media_id] = (data, mime)
            while len(self._items) > self.KEEP:
                del self._items[next(iter(self._items))]
        return media_id

    def get(self, media_id: str) -> tuple[bytes, str] | None:
        with self._lock:
            return self._items.get(media_id)


MEDIA = MediaStore()


def _dev(settings: Settings) -> None:
    if settings.is_production:
        raise ProblemError(404, "not-found", "Not Found")


@dataclass(frozen=True, slots=True)
class Number:
    """A business number the page can chat with: the shop behind it and what its Meta app
    signs and sends with."""

    phone_number_id: str
    shop: str
    app_secret: str
    access_token: str


def numbers(settings: Settings) -> list[Number]:
    """Every shop's number, the default shop's first (the platform's when it has none)."""
    platform_secret = settings.whatsapp_app_secret.get_secret_value()
    platform_token = settings.whatsapp_access_token.get_secret_value()
    with session_scope() as session:
        shops = sorted(all_shops(session), key=lambda x: x.slug != settings.default_shop_slug)
        found = [
            Number(
                sending_number(shop, settings),
                shop.name,
                shop.app_secret or platform_secret,
                shop.access_token or platform_token,
            )
            for shop in shops
            if shop.phone_number_id or shop.slug == settings.default_shop_slug
        ]
    if not any(n.phone_number_id == settings.whatsapp_phone_number_id for n in found):
        found.insert(
            0,
            Number(
                settings.whatsapp_phone_number_id,
                settings.default_shop_name,
                platform_secret,
                platform_token,
            ),
        )
    return found


def _number(settings: Settings, phone_number_id: str) -> Number | None:
    wanted = phone_number_id or settings.whatsapp_phone_number_id
    return next((n for n in numbers(settings) if n.phone_number_id == wanted), None)


async def _chosen(settings: Settings, phone_number_id: str) -> Number:
    """The number the shopper writes to (the platform's when none is chosen)."""
    number = await run_in_threadpool(_number, settings, phone_number_id)
    if number is None:
        raise ProblemError(404, "not-found", "Not Found", f"no shop has number {phone_number_id}")
    return number


@router.get("", response_class=HTMLResponse)
def page(request: Request, settings: SettingsDep) -> HTMLResponse:
    _dev(settings)
    return pages.TemplateResponse(
        request,
        "simulator.html",
        {
            "capture": settings.whatsapp_capture,
            "graph": settings.whatsapp_graph_base,
            "shop": settings.default_shop_name,
            "numbers": numbers(settings),
        },
    )


@router.get("/static/{name}")
def static(name: str, settings: SettingsDep) -> FileResponse:
    _dev(settings)
    if name not in ("simulator.js", "simulator.css"):
        raise ProblemError(404, "not-found", "Not Found")
    return FileResponse(STATIC / name)


# The Graph API stand-in ---------------------------------------------------------------------
def _authorised(
    settings: Settings, authorization: str, number: Number | None = None
) -> JSONResponse | None:
    """Meta's answer to a wrong token: the number's own for a send, any shop's for media."""
    tokens = (
        {number.access_token}
        if number
        else {settings.whatsapp_access_token.get_secret_value()}
        | {n.access_token for n in numbers(settings)}
    )
    if authorization in {f"Bearer {token}" for token in tokens}:
        return None
    return JSONResponse(
        {
            "error": {
                "message": "Invalid OAuth access token.",
                "type": "OAuthException",
                "code": 190,
            }
        },
        status_code=401,
    )


@router.post("/graph/{version}/{phone_number_id}/messages")
async def graph_messages(
    version: str,
    phone_number_id: str,
    request: Request,
    settings: SettingsDep,
    authorization: Annotated[str, Header()] = "",
) -> JSONResponse:
    """Answers like the Graph API: Meta's error for what Meta would refuse, else the message id."""
    _dev(settings)
    number = await run_in_threadpool(_number, settings, phone_number_id)
    if number is None:
        return JSONResponse(
            {"error": {"message": "Unsupported post request.", "code": 100}}, status_code=400
        )
    refused = _authorised(settings, authorization, number)
    if refused is not None:
        return refused
    body = await request.json()
    if problems := check(body):
        return JSONResponse(
            {
                "error": {
                    "message": "(#100) Invalid parameter",
                    "type": "OAuthException",
                    "code": 100,
                    "error_data": {"details": "; ".join(problems)},
                }
            },
            status_code=400,
        )
    preview = (
        templates.preview(body["template"], settings) if body.get("type") == "template" else None
    )
    wamid = CAPTURE.add(phone_number_id, body, preview)
    if wamid is None:
        return JSONResponse({"success": True})
    return JSONResponse(
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": body["to"], "wa_id": body["to"]}],
            "messages": [{"id": wamid}],
        }
    )


@router.get("/graph/media/{media_id}")
def graph_media_download(
    media_id: str, settings: SettingsDep, authorization: Annotated[str, Header()] = ""
) -> Response:
    """The media's bytes, at the URL `graph_media` gave (with the token, as at Meta)."""
    _dev(settings)
    refused = _authorised(settings, authorization)
    if refused is not None:
        return refused
    item = MEDIA.get(media_id)
    if item is None:
        return JSONResponse({"error": {"message": "Not found", "code": 100}}, status_code=404)
    return Response(item[0], media_type=item[1])


@router.get("/graph/{version}/{media_id}")
def graph_media(
    version: str,
    media_id: str,
    request: Request,
    settings: SettingsDep,
    authorization: Annotated[str, Header()] = "",
) -> JSONResponse:
    """`GET /{version}/{media-id}` as Meta answers it: a URL to download from, and the size,
    type and SHA-256 of what is there."""
    _dev(settings)
    refused = _authorised(settings, authorization)
    if refused is not None:
        return refused
    item = MEDIA.get(media_id)
    if item is None:
        return JSONResponse(
            {"error": {"message": "Unsupported get request.", "code": 100}}, status_code=400
        )
    data, mime = item
    return JSONResponse(
        {
            "messaging_product": "whatsapp",
            "url": str(request.url_for("graph_media_download", media_id=media_id)),
            "mime_type": mime,
            "sha256": hashlib.sha256(data).hexdigest(),
            "file_size": len(data),
            "id": media_id,
        }
    )


# The page's own API ---------------------------------------------------------------------------
class Outgoing(BaseModel):
    wa_id: str = Field(pattern=WA_ID)
    # The shop's number the shopper writes to; empty: the platform's (the default shop).
    phone_number_id: str = Field(default="", pattern=r"^[0-9]{0,64}$")
    name: str = Field(default="Shopper", max_length=100)
    type: str = Field(
        pattern=r"^(text|button_reply|list_reply|location|reaction|image|audio|sticker|status)$"
    )
    text: str = Field(default="", max_length=4096)
    id: str = Field(default="", max_length=256)
    title: str = Field(default="", max_length=100)
    context_id: str | None = Field(default=None, max_length=200)
    latitude: float = 0.0
    longitude: float = 0.0
    address: str = Field(default="", max_length=300)
    place: str = Field(default="", max_length=100)
    status: str = Field(default="", pattern=r"^(|sent|delivered|read)$")


def _payload(o: Outgoing, number: str) -> dict[str, Any]:
    if o.type == "text":
        return webhooks.text(number, o.wa_id, o.text, o.name)
    if o.type in ("button_reply", "list_reply"):
        return webhooks.reply(number, o.wa_id, o.type, o.id, o.title, o.context_id, o.name)
    if o.type == "location":
        return webhooks.inbound(
            number,
            o.wa_id,
            o.name,
            "location",
            {
                "latitude": o.latitude,
                "longitude": o.longitude,
                **({"name": o.place} if o.place else {}),
                **({"address": o.address} if o.address else {}),
            },
        )
    if o.type == "reaction":
        return webhooks.inbound(
            number,
            o.wa_id,
            o.name,
            "reaction",
            {"message_id": o.context_id or "", "emoji": o.text or "👍"},
        )
    if o.type == "status":
        return webhooks.status(number, o.context_id or "", o.wa_id, o.status or "read")
    media = {
        "image": ("image/jpeg", {}),
        "audio": ("audio/ogg; codecs=opus", {"voice": True}),
        "sticker": ("image/webp", {"animated": False}),
    }[o.type]
    return webhooks.inbound(
        number,
        o.wa_id,
        o.name,
        o.type,
        {
            "mime_type": media[0],
            "sha256": "c2ltdWxhdG9y",
            "id": str(secrets.randbelow(10**15)),
            **media[1],
        },
    )


@router.post("/api/send")
async def send(o: Outgoing, request: Request, settings: SettingsDep) -> dict[str, Any]:
    """Post the shopper's action to the gateway as Meta would: signed, over HTTP."""
    _dev(settings)
    number = await _chosen(settings, o.phone_number_id)
    payload = _payload(o, number.phone_number_id)
    value = payload["entry"][0]["changes"][0]["value"]
    wamid = value["messages"][0]["id"] if "messages" in value else None
    if wamid:
        CAPTURE.inbound(number.phone_number_id, o.wa_id, wamid)
    body, headers = webhooks.signed(payload, number.app_secret)
    url = str(request.base_url).rstrip("/") + "/webhooks/whatsapp"
    async with httpx.AsyncClient(timeout=10) as client:
        r = await client.post(url, content=body, headers=headers)
    return {"status": r.status_code, "message_id": wamid, "webhook": payload}


@router.post("/api/photo")
async def send_photo(
    request: Request,
    settings: SettingsDep,
    photo: UploadFile,
    wa_id: Annotated[str, Form(pattern=WA_ID)],
    name: Annotated[str, Form(max_length=100)] = "Shopper",
    as_document: Annotated[bool, Form()] = False,
    phone_number_id: Annotated[str, Form(pattern=r"^[0-9]{0,64}$")] = "",
) -> dict[str, Any]:
    """📷: a photo from the computer, kept as media the Graph API stand-in serves, and an
    `image` (or `document`) webhook naming it posted to the gateway as Meta would."""
    _dev(settings)
    data = await photo.read(MediaStore.MAX_BYTES + 1)
    if len(data) > MediaStore.MAX_BYTES:
        raise ProblemError(413, "too-large", "Photo too large for the simulator")
    mime = photo.content_type or "application/octet-stream"
    media_id = MEDIA.add(data, mime)
    kind = "document" if as_document else "image"
    content: dict[str, Any] = {
        "mime_type": mime,
        "sha256": hashlib.sha256(data).hexdigest(),
        "id": media_id,
    }
    if as_document:
        content["filename"] = photo.filename or "list.jpg"
    number = await _chosen(settings, phone_number_id)
    payload = webhooks.inbound(number.phone_number_id, wa_id, name, kind, content)
    wamid = payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    CAPTURE.inbound(number.phone_number_id, wa_id, wamid)
    body, headers = webhooks.signed(payload, number.app_secret)
    url = str(request.base_url).rstrip("/") + "/webhooks/whatsapp"
    async with httpx.AsyncClient(timeout=10) as client:
        r = await client.post(url, content=body, headers=headers)
    return {"status": r.status_code, "message_id": wamid, "webhook": payload}


@router.get("/api/feed")
def feed(
    wa_id: str, settings: SettingsDep, after: int = 0, phone_number_id: str = ""
) -> dict[str, Any]:
    """What the chosen shop's number sent this shopper (the platform's number when none)."""
    _dev(settings)
    number = phone_number_id or settings.whatsapp_phone_number_id
    return {"events": CAPTURE.since(number, wa_id, after)}
