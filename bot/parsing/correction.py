"""What a correction says instead: "12 nahi 6 ande" is "6 ande", "i said 5 not 50" is "i said
5", "no, I meant toned milk" is "toned milk". Hindi puts the negation after the wrong word,
English before it; the opening apology and "I meant" say nothing about the items."""

from __future__ import annotations

import re

from bot.parsing.quantity import number_value
from bot.text.normalize import normalize

_HINDI_NOT = frozenset(normalize(w) for w in ("nahi", "nahin", "nhi", "nai", "नहीं", "नही"))
_ENGLISH_NOT = frozenset({"not", "instead of", "no"})
_OPENING = re.compile(
    "^(?:(?:no+|nope|sorry|oops|arre|are|actually|wait|galat|galti|wrong|that's wrong|thats wrong"
    "|nahi|nahin|nhi|नहीं|गलत|माफ़ कीजिए|माफ कीजिए|sorry bhai|bhai|bhaiya|hai|है|se|likh diya"
    "|i meant|i mean|meant|i said|mera matlab|matlab|मेरा मतलब|मतलब|tha|था)[\\s,.!]+)+"
)

_CLOSING = re.compile(
    "(?:[\\s,.!]+(?:tha|thi|था|थी|bola|boli|bola tha|kaha|कहा|बोला|likha|लिखा|chahiye tha|चाहिए था))+$"
)


def _is_number(word: str) -> bool:
    return number_value(word) is not None


def corrected(text: str) -> str:
    """The message without the words it takes back."""
    words = normalize(text).replace(",", " ").split()
    kept: list[str] = []
    skip = 0
    for i, word in enumerate(words):
        if skip:
            skip -= 1
            continue
        after = words[i + 1] if i + 1 < len(words) else ""
        if word in _HINDI_NOT and kept and _is_number(kept[-1]) and after:
            kept.pop()  # "12 nahi 6": the 12 is taken back
            continue
        if word in _ENGLISH_NOT and after and kept:
            skip = 1  # "5 not 50", "the amul one not the mother dairy": the next word goes
            continue
        kept.append(word)
    rest = " ".join(kept)
    return _CLOSING.sub("", _OPENING.sub("", rest + " ").strip())
