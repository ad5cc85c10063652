"""The planner of a photo of a shopping list (an image, or a document that is one)."""

from __future__ import annotations

import asyncio
import logging

from api.whatsapp.graph import GraphError, MediaTooLarge
from api.whatsapp.inbox import InboxRow
from api.whatsapp.payloads import Media, Message
from api.whatsapp.plan import Context, Plan
from api.whatsapp.render import interactive, text_messages
from api.whatsapp.retry import Retry
from bot.db import models as db
from bot.db.session import session_scope
from bot.i18n import t
from bot.ocr import reading, reply, shop
from bot.ocr.image import UnreadableImage
from bot.ocr.recognise import OcrTimeout, OcrUnavailable

log = logging.getLogger("chatcart.whatsapp")


def photo_of(m: Message) -> Media | None:
    """The picture in an image message, or in a document that is an image."""
    if m.type == "image" and m.image is not None and m.image.id:
        return m.image
    document = m.document if m.type == "document" else None
    if document is not None and document.id and (document.mime_type or "").startswith("image/"):
        return document
    return None


def _read(shop_id: int, data: bytes) -> reading.ReadList:
    with session_scope() as s:
        engine = shop.engine_for(s, s.get_one(db.Shop, shop_id))
    return reading.read_list(data, engine, timeout=reading.TIME_LIMIT)


async def plan_photo(ctx: Context, row: InboxRow, media: Media, language: str) -> Plan:
    """Downloaded from the Graph API (at most `reading.MAX_BYTES`) and read in a thread of
    this worker, off the webhook's path, within `reading.TIME_LIMIT` seconds. The lines read
    surely go to the engine as the shopper's text, one per line — the same turn a typed list
    gets, so the confident ones go into the cart, the ambiguous ones are asked about with the
    usual buttons, unknown ones are said to be unknown and the misunderstood are recorded for
    review, by the same actions — preceded by what was read and what could not be. A line
    Tesseract was unsure of, or that was mended, is offered as a list row to tap instead: a
    misreading never reaches the cart unasked."""
    polite = None
    try:
        data, _ = await ctx.graph.media(media.id or "", reading.MAX_BYTES)
        read = await asyncio.wait_for(
            asyncio.to_thread(_read, ctx.shop_id(), data), reading.TIME_LIMIT + 5
        )
    except MediaTooLarge:
        polite = t("photo_too_large", language, megabytes=reading.MAX_BYTES // 2**20)
    except GraphError as e:
        if e.retryable:
            raise Retry(str(e)) from e
        log.warning("photo %s of %s not downloaded: %s", media.id, row.key, e)
        polite = t("photo_failed", language)
    except UnreadableImage as e:
        log.info("photo %s of %s is no picture: %s", media.id, row.key, e)
        polite = t("photo_failed", language)
    except (OcrTimeout, TimeoutError):
        polite = t("photo_slow", language)
    except OcrUnavailable as e:
        log.warning("photo %s: %s", media.id, e)
        polite = t("wa_unsupported_image", language)
    if polite is not None:
        return Plan("photo_refused", tuple(text_messages(polite)))
    said = tuple(x for text in reply.summary(read, language) for x in text_messages(text))
    log.info(
        "photo %s of %s: %d items, %d unreadable in %.2f s",
        media.id,
        row.key,
        len(read.items),
        len(read.unreadable),
        read.seconds,
    )
    if not read.items:
        return Plan("photo_no_list", said)
    question = reply.unsure_question(read, language)
    if question is not None:
        said += tuple(interactive(*question, language))
    sure = "\n".join(line.text for line in read.sure)
    return Plan(
        f"photo:{len(read.items)}_items",
        said,
        forward=sure or None,
        customer=True,
    )
