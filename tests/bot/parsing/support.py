"""What the parser made of a message, as the parser tests compare it: (item, amount, unit)."""

from __future__ import annotations

from bot.parsing.parser import MessageParser


def read(parser: MessageParser, text: str) -> list[tuple[str, float | None, str | None]]:
    return [
        (
            line.item,
            line.quantity.amount if line.quantity else None,
            line.quantity.unit if line.quantity else None,
        )
        for line in parser.parse(text)
    ]
