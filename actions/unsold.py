"""Saying "we don't sell that" whatever the model made of the message."""

from __future__ import annotations

from collections.abc import Sequence

from actions.runtime import Turn
from bot.engine import ParsedLine


def say_unsold(turn: Turn, lines: Sequence[ParsedLine] | None = None) -> bool:
    """ "do u have beer", "मछली मिलेगी क्या", "crocin bhi nahi milegi?" — however the model read
    them (goodbye, help, a question for the shop): the things the shop does not sell, said so
    in the shopper's language. False when the message names none."""
    if lines is None:
        engine, _ = turn.engine()
        lines = engine.parse(turn.text).lines
    unsold = [ln.line.item or ln.line.text for ln in lines if ln.unsold]
    for item in unsold:
        turn.say("unmatched", item=item)
    return bool(unsold)
