"""What a correction says instead: "12 nahi 6 ande" is "6 ande", "i said 5 not 50" is "i said
5", "no, I meant toned milk" is "toned milk". Hindi puts the negation after the wrong word,
English before it; the opening apology and "I meant" say nothing about the items, nor do the
closing "bhaiya" or "only". A clause that owns up to the mistake ("kilo galti se likh diya",
"typed 10 by mistake") takes itself back when another clause says what was meant.

What is taken back matters too: "toor nahi moong chahiye thi" changes the *toor* line, whatever
was added last, so `taken_back` says which words the shopper withdrew.
"""

from __future__ import annotations

import re

from bot.parsing.lexicon import HINDI_NOT as _HINDI_NOT
from bot.parsing.lexicon import WANT_WORDS as _WANT_WORDS
from bot.text.normalize import normalize

_ENGLISH_NOT = frozenset({"not", "instead"})
# Words that close what is wanted: "masoor chahiye thi | moong nahi", "toned wala | full cream
# nahi". What comes after them and before a Hindi "not" is what is taken back, however long.
_WANTED_ENDS = _WANT_WORDS | frozenset(
    normalize(w)
    for w in ("tha", "thi", "the", "था", "थी", "थे", "wala", "wali", "wale", "वाला", "वाली", "वाले")
)


def _alternatives(*phrases: str) -> str:
    """Longest first, so that "sorry bhai" wins over "sorry" in one alternation."""
    return "|".join(sorted({re.escape(normalize(p)) for p in phrases}, key=len, reverse=True))


_MISTAKE = _alternatives(
    "galti se", "galati se", "galti ho gayi", "galti hui", "गलती से", "गलती हो गई", "by mistake",
    "typo", "my mistake", "my bad", "mistake ho gaya", "gadbad ho gayi", "गड़बड़ हो गई",
    "galat ho gaya", "galat ho gya", "गलत हो गया", "गलत हो गयी", "गलती हो गयी",
)  # fmt: skip
_FILLER = _alternatives(
    "no", "noo", "nope", "sorry", "oops", "oh", "ohh", "ah", "hmm", "arre", "are", "actually",
    "wait", "hold on", "err", "galat", "galti", "wrong", "that's wrong", "thats wrong", "nahi",
    "nahin", "nhi", "नहीं", "yaar", "yar", "अरे", "गलत", "माफ़ कीजिए", "माफ कीजिए", "माफ़ करना",
    "sorry bhai", "bhai", "bhaiya", "भैया", "bhaiyaa", "ji", "please", "pls", "plz", "hai", "है",
    "se", "likh diya", "i meant", "i mean", "meant", "i said", "mera matlab", "matlab",
    "मेरा मतलब", "मतलब", "tha", "था", "only", "sirf", "bas", "सिर्फ़", "सिर्फ", "बस", "hi", "ही",
    "correction", "autocorrect", "i typed wrong", "galat likha", "गलत लिख दिया", "सॉरी", "सारी",
    "sry", "sorryy", "soory", "not that one", "not this one", "that one", "this one", "woh nahi",
    "wo nahi", "ye nahi", "वो नहीं", "ये नहीं", "yeh nahi", "इस बार", "is baar", "this time",
)  # fmt: skip
_OPENING = re.compile(f"^(?:(?:{_MISTAKE}|{_FILLER})(?:[\\s,.!:]+|$))+")
_CLOSING = re.compile(
    f"(?:[\\s,.!]+(?:{_MISTAKE}|{_FILLER}|bola|boli|bola tha|kaha|कहा|बोला|likha|लिखा"
    "|chahiye tha|chahiye thi|चाहिए था|चाहिए थी|tha|thi|था|थी|likh diya|लिख दिया|ho gaya|हो गया"
    "|kaafi hai|kafi hai|kaafi|kafi|काफी है|काफ़ी है|काफी|काफ़ी|is enough|enough|chalega|चलेगा"
    "|please|pls|plz))+$"
)
_OWNS_UP = re.compile(f"(?:^|\\s)(?:{_MISTAKE})(?:\\s|$)")


def _split(words: list[str], *, more: bool) -> tuple[str, list[str]]:
    """One clause as (what it still says, the phrases it takes back); `more`: other clauses
    follow or precede it."""
    wanted_before = any(w in _WANTED_ENDS for w in words[:-1])
    if more and words[-1] in _HINDI_NOT and not wanted_before:
        # "..., full cream nahi": the whole clause is what is not wanted
        return "", [" ".join(words[:-1])]
    kept: list[str] = []
    back: list[str] = []
    for i, word in enumerate(words):
        after = i + 1 < len(words)
        if word in _HINDI_NOT and kept:
            ends = [j for j, w in enumerate(kept) if w in _WANTED_ENDS]
            if not after and ends and ends[-1] < len(kept) - 1:
                # "masoor chahiye thi moong dal nahi": all after what is wanted goes back
                back.append(" ".join(kept[ends[-1] + 1 :]))
                del kept[ends[-1] + 1 :]
                continue
            # "12 nahi 6", "toned nahi full cream", "देसी टमाटर चाहिए हाइब्रिड नहीं": the word
            # before is taken back
            back.append(kept.pop())
            continue
        if word in _ENGLISH_NOT and ((kept and after) or (not kept and more)):
            back.append(" ".join(words[i + 1 :]))
            break  # "5 not 50"; "toned milk, not full cream": the rest of the clause
        kept.append(word)
    return " ".join(kept), back


def _bare(clause: str) -> str:
    return _CLOSING.sub("", _OPENING.sub("", clause + " ").strip()).strip()


def _clauses(text: str) -> list[list[str]]:
    clauses = [c.split() for c in normalize(text).split(",")]
    clauses = [c for c in clauses if c]
    if len(clauses) > 1:  # "100 gram, kilo galti se likh diya": the owning-up clause goes
        meant = [c for c in clauses if not _OWNS_UP.search(" " + " ".join(c) + " ")]
        clauses = meant or clauses
    return clauses


def corrected(text: str) -> str:
    """The message without the words it takes back."""
    clauses = _clauses(text)
    more = len(clauses) > 1
    kept = [_bare(_split(c, more=more)[0]) for c in clauses]
    return " ".join(k for k in kept if k)


def taken_back(text: str) -> list[str]:
    """The phrases the message withdraws, as said: "toor" of "toor nahi moong dal chahiye
    thi", "full cream" of "toned wala, full cream nahi", "50" of "i said 5 not 50"."""
    clauses = _clauses(text)
    more = len(clauses) > 1
    phrases = [_bare(p) for c in clauses for p in _split(c, more=more)[1]]
    return [p for p in phrases if p]
