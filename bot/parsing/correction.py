"""What a correction says instead: "12 nahi 6 ande" is "6 ande", "i said 5 not 50" is "i said
5", "no, I meant toned milk" is "toned milk". Hindi puts the negation after the wrong word,
English before it; the opening apology and "I meant" say nothing about the items, nor do the
closing "bhaiya" or "only". A clause that owns up to the mistake ("kilo galti se likh diya",
"typed 10 by mistake") takes itself back when another clause says what was meant.
"""

from __future__ import annotations

import re

from bot.parsing.lexicon import HINDI_NOT as _HINDI_NOT
from bot.text.normalize import normalize

_ENGLISH_NOT = frozenset({"not", "instead"})


def _alternatives(*phrases: str) -> str:
    """Longest first, so that "sorry bhai" wins over "sorry" in one alternation."""
    return "|".join(sorted({re.escape(normalize(p)) for p in phrases}, key=len, reverse=True))


_MISTAKE = _alternatives(
    "galti se", "galati se", "galti ho gayi", "galti hui", "गलती से", "गलती हो गई", "by mistake",
    "typo", "my mistake", "my bad", "mistake ho gaya", "gadbad ho gayi", "गड़बड़ हो गई",
)  # fmt: skip
_FILLER = _alternatives(
    "no", "noo", "nope", "sorry", "oops", "oh", "ohh", "ah", "hmm", "arre", "are", "actually",
    "wait", "hold on", "err", "galat", "galti", "wrong", "that's wrong", "thats wrong", "nahi",
    "nahin", "nhi", "नहीं", "yaar", "yar", "अरे", "गलत", "माफ़ कीजिए", "माफ कीजिए", "माफ़ करना",
    "sorry bhai", "bhai", "bhaiya", "भैया", "bhaiyaa", "ji", "please", "pls", "plz", "hai", "है",
    "se", "likh diya", "i meant", "i mean", "meant", "i said", "mera matlab", "matlab",
    "मेरा मतलब", "मतलब", "tha", "था", "only", "sirf", "bas", "सिर्फ़", "सिर्फ", "बस", "hi", "ही",
    "correction", "autocorrect", "i typed wrong", "galat likha", "गलत लिख दिया",
)  # fmt: skip
_OPENING = re.compile(f"^(?:(?:{_MISTAKE}|{_FILLER})(?:[\\s,.!:]+|$))+")
_CLOSING = re.compile(
    f"(?:[\\s,.!]+(?:{_MISTAKE}|{_FILLER}|bola|boli|bola tha|kaha|कहा|बोला|likha|लिखा"
    "|chahiye tha|चाहिए था|likh diya|लिख दिया|ho gaya|हो गया))+$"
)
_OWNS_UP = re.compile(f"(?:^|\\s)(?:{_MISTAKE})(?:\\s|$)")


def _takes_back(words: list[str], *, more: bool) -> str:
    """One clause without what it negates; `more`: other clauses follow or precede it."""
    if more and words[-1] in _HINDI_NOT:
        return ""  # "..., full cream nahi": the whole clause is what is not wanted
    kept: list[str] = []
    for i, word in enumerate(words):
        after = i + 1 < len(words)
        if word in _HINDI_NOT and kept:
            # "12 nahi 6", "toned nahi full cream", "देसी टमाटर चाहिए हाइब्रिड नहीं": the word
            # before is taken back
            kept.pop()
            continue
        if word in _ENGLISH_NOT and ((kept and after) or (not kept and more)):
            break  # "5 not 50"; "toned milk, not full cream": the rest of the clause
        kept.append(word)
    return " ".join(kept)


def _bare(clause: str) -> str:
    return _CLOSING.sub("", _OPENING.sub("", clause + " ").strip()).strip()


def corrected(text: str) -> str:
    """The message without the words it takes back."""
    clauses = [c.split() for c in normalize(text).split(",")]
    clauses = [c for c in clauses if c]
    if len(clauses) > 1:  # "100 gram, kilo galti se likh diya": the owning-up clause goes
        meant = [c for c in clauses if not _OWNS_UP.search(" " + " ".join(c) + " ")]
        clauses = meant or clauses
    more = len(clauses) > 1
    kept = [_bare(_takes_back(c, more=more)) for c in clauses]
    return " ".join(k for k in kept if k)
