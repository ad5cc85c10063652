"""What the shop says about a photo before the items reach the cart: what it read, and what
it could not, in the shopper's language.

The cart itself is answered by the assistant, exactly as for a typed list (see the gateway:
the lines read surely go to the engine as the shopper's text); the unsure ones are offered to
tap, so that a misreading never reaches the cart unasked.
"""

from __future__ import annotations

from bot.i18n import t
from bot.ocr.reading import ReadList

MAX_LISTED = 30  # WhatsApp's 4,096 characters hold this many lines and more; a list is shorter


def summary(read: ReadList, language: str) -> list[str]:
    """'I read N items: …' (one line each, as read), then the lines to type; or the polite
    answer for a photo with no list on it."""
    items = read.items
    if not items:
        return [_unreadable(read, language) if read.unreadable else t("photo_no_list", language)]
    lines = "\n".join(f"{i}. {line.text}" for i, line in enumerate(items[:MAX_LISTED], start=1))
    out = [t("photo_read", language, count=len(items), items=lines)]
    if read.unreadable:
        out.append(_unreadable(read, language))
    return out


def unsure_question(read: ReadList, language: str) -> tuple[str, list[dict[str, str]]] | None:
    """The lines to ask about before they reach the cart (`ReadList.unsure`): the question
    and one choice per line, whose payload is the line as read — tapped, it goes to the
    assistant exactly as if the shopper had typed it."""
    if not read.unsure:
        return None
    choices = [{"title": line.text, "payload": line.text} for line in read.unsure[:MAX_LISTED]]
    return t("photo_unsure_lines", language), choices


def _unreadable(read: ReadList, language: str) -> str:
    lines = "\n".join(f"• {line.ocr.text}" for line in read.unreadable[:MAX_LISTED])
    return t("photo_unreadable_lines", language, lines=lines)
