"""Romanisation and a Hinglish phonetic key, so that "आटा", "aata", "atta" and "ata" meet.

Devanagari goes through indic-transliteration's ITRANS scheme, then Hindi schwa deletion
(दूध is "doodh", not "doodha"). The key then folds the spelling freedom of romanised Hindi:
long vowels, aspirates, doubled letters, w/v, z/j.
"""

from __future__ import annotations

import re
from functools import lru_cache

from indic_transliteration import sanscript

_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_CONSONANT = "bcdfghjklmnpqrstvwxyzBCDFGHJKLMNPQRSTVWXYZ"
_VOWEL = "aeiouAEIOU"
_FINAL_SCHWA = re.compile(rf"(?<=[{_CONSONANT}])a$")
_KEY_RULES: tuple[tuple[str, str], ...] = (
    ("aa", "a"),
    ("ee", "i"),
    ("oo", "u"),
    ("ou", "u"),
    ("ck", "k"),
    ("ph", "f"),
    ("sh", "s"),
    ("kh", "k"),
    ("gh", "g"),
    ("ch", "c"),
    ("jh", "j"),
    ("th", "t"),
    ("dh", "d"),
    ("bh", "b"),
    ("rh", "r"),
    ("w", "v"),
    ("q", "k"),
    ("z", "j"),
    ("x", "ks"),
    ("mb", "nb"),
    ("mp", "np"),
)
_DOUBLE = re.compile(r"([a-z])\1+")
_Y_GLIDE = re.compile(r"(?<=[aeiou])y(?![aeiou])")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def _romanize_word(word: str) -> str:
    if not _DEVANAGARI.search(word):
        return word
    itrans = sanscript.transliterate(word, sanscript.DEVANAGARI, sanscript.ITRANS)
    # ITRANS marks: ".N"/"~N" chandrabindu, "M" anusvara, ".h" virama, "^" etc.
    itrans = itrans.replace(".N", "n").replace("~N", "n").replace("M", "n").replace(".h", "")
    itrans = re.sub(r"[^A-Za-z0-9]", "", itrans)
    if word[-1] not in "\u094d" and _ends_in_bare_consonant(word):
        itrans = _FINAL_SCHWA.sub("", itrans)
    return _drop_medial_schwas(itrans).lower()


def _drop_medial_schwas(s: str) -> str:
    """An inherent "a" in the context VC_CV is silent (नमकीन is "namkeen", अगरबत्ती is
    "agarbatti"); applied right to left, as Hindi schwa deletion is."""
    chars = list(s)
    i = len(chars) - 3
    while i >= 2:
        if (
            chars[i] == "a"
            and chars[i - 1] in _CONSONANT
            and chars[i - 2] in _VOWEL
            and chars[i + 1] in _CONSONANT
            and chars[i + 2] in _VOWEL
        ):
            del chars[i]
        i -= 1
    return "".join(chars)


def _ends_in_bare_consonant(word: str) -> bool:
    last = word.rstrip("\u0902\u0901\u0903")  # anusvara, chandrabindu, visarga
    return bool(last) and "\u0915" <= last[-1] <= "\u0939"


@lru_cache(maxsize=65536)
def romanize(text: str) -> str:
    """Devanagari words to lower-case Latin; Latin words untouched."""
    if not _DEVANAGARI.search(text):
        return text
    return " ".join(_romanize_word(w) for w in text.split())


@lru_cache(maxsize=131072)
def phonetic_key(word: str) -> str:
    """A spelling-insensitive key for one word (any script)."""
    key = _NOT_ALNUM.sub("", romanize(word.replace("\u093c", "")).lower())
    if key.isdigit():
        return key
    if len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        key = key[:-1]  # plurals: eggs, tomatoes, biscuits
    for old, new in _KEY_RULES:
        key = key.replace(old, new)
    key = _DOUBLE.sub(r"\1", key)
    if len(key) > 3 and key.endswith("h"):
        key = key[:-1]
    if len(key) > 3 and key[-2:] in ("ay", "ey"):
        key = key[:-2] + "e"  # anday, andey -> ande
    key = _Y_GLIDE.sub("i", key)  # chay, chaypatti -> chai, chaipatti
    return key
