"""Which language a message is in: script first, then a lexicon of romanised Hindi words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Language = Literal["en", "hi", "hinglish", "mixed"]

_DEVANAGARI_WORD = re.compile(r"[\u0900-\u097f]+")
_LATIN_WORD = re.compile(r"[a-z]{2,}")
# Abbreviations are script-neutral ("2 kg आटा" is Hindi); spelled-out words are not.
_UNITS = frozenset(
    ["kg", "kgs", "g", "gm", "gms", "gr", "ml", "l", "lt", "ltr", "ltrs", "pc", "pcs", "pkt"]
)
# Words a shopper writing English would not use ("me", "do", "la" are English too, so absent); product names shared by both (atta, paneer,
# ghee, dal) are deliberately absent.
HINGLISH_WORDS = frozenset(
    [
        "aur",
        "ka",
        "ke",
        "ki",
        "ko",
        "se",
        "mein",
        "mai",
        "hai",
        "hain",
        "hoga",
        "chahiye",
        "chahie",
        "chaiye",
        "chahiya",
        "chaahiye",
        "bhej",
        "bhejo",
        "bhejna",
        "bhejdo",
        "bhijwa",
        "dena",
        "dedo",
        "dijiye",
        "dijie",
        "karo",
        "kar",
        "kardo",
        "krdo",
        "lana",
        "lao",
        "wala",
        "wali",
        "wale",
        "waala",
        "waali",
        "ek",
        "teen",
        "char",
        "chaar",
        "paanch",
        "panch",
        "chhe",
        "che",
        "saat",
        "aath",
        "nau",
        "das",
        "gyarah",
        "barah",
        "darjan",
        "dedh",
        "derh",
        "dhai",
        "dhaai",
        "adhai",
        "sawa",
        "saade",
        "sade",
        "paune",
        "aadha",
        "adha",
        "aadhi",
        "adhi",
        "paav",
        "pav",
        "pao",
        "kilo",
        "kilu",
        "doodh",
        "dudh",
        "dood",
        "cheeni",
        "chini",
        "shakkar",
        "pyaz",
        "pyaaz",
        "pyaj",
        "tamatar",
        "tamater",
        "aloo",
        "alu",
        "ande",
        "anda",
        "anday",
        "dahi",
        "chawal",
        "chaval",
        "namak",
        "tel",
        "sarson",
        "sarso",
        "haldi",
        "jeera",
        "zeera",
        "adrak",
        "lehsun",
        "lahsun",
        "kela",
        "kele",
        "nimbu",
        "makhan",
        "makkhan",
        "sabzi",
        "sabji",
        "mirch",
        "mirchi",
        "dhaniya",
        "dhania",
        "gobhi",
        "bhindi",
        "lauki",
        "baingan",
        "matar",
        "bhai",
        "bhaiya",
        "bhaiyya",
        "ji",
        "haan",
        "han",
        "nahi",
        "nahin",
        "nhi",
        "namaste",
        "namaskar",
        "shukriya",
        "dhanyavad",
        "theek",
        "thik",
        "accha",
        "acha",
        "mujhe",
        "muje",
        "humko",
        "hume",
        "mera",
        "meri",
        "mere",
        "kya",
        "kitna",
        "kitne",
        "kab",
        "kaise",
        "abhi",
        "jaldi",
        "bhi",
        "sirf",
        "wapas",
        "hatao",
        "hata",
        "nikalo",
        "badlo",
        "karna",
        "krna",
        "dijiye",
        "thoda",
        "tum",
        "tu",
        "aap",
        "kaun",
        "kahan",
        "kaha",
        "kyun",
        "kyon",
        "kyu",
        "raha",
        "rahi",
        "rahe",
        "gaya",
        "gayi",
        "hua",
        "hui",
        "tha",
        "thi",
        "liye",
        "bahut",
        "aaj",
        "kal",
        "parso",
        "subah",
        "shaam",
        "sham",
        "raat",
        "dopahar",
        "baje",
        "bje",
        "kr",
        "kro",
        "krdo",
        "bata",
        "batao",
        "dikha",
        "dikhao",
        "sab",
        "saara",
        "saari",
        "saman",
        "samaan",
        "kuch",
        "koi",
        "wahi",
        "phir",
        "fir",
        "dobara",
        "pichla",
        "pichli",
        "pichle",
        "mangwa",
        "mangwao",
        "hogi",
        "aayega",
        "aayegi",
        "aaya",
        "rehne",
        "paise",
        "lena",
        "aake",
    ]
)
# Yes/no words and fillers that shoppers writing English use as readily as those writing
# Hinglish: a message of nothing else says nothing about the language of the conversation.
NEUTRAL_WORDS = frozenset(
    [
        "haan",
        "han",
        "haa",
        "ha",
        "hn",
        "haanji",
        "ji",
        "nahi",
        "nahin",
        "nhi",
        "theek",
        "thik",
        "accha",
        "acha",
        "achha",
        "hai",
        "bhai",
        "bhaiya",
        "yaar",
    ]
)


# Hindi names of groceries that Indian English uses as they are ("1 kg pyaaz and tamatar"):
# they say what is wanted, not which language the shopper writes in.
ITEM_WORDS = frozenset(
    [
        "adrak",
        "aloo",
        "alu",
        "anda",
        "anday",
        "ande",
        "baingan",
        "bhindi",
        "chaval",
        "chawal",
        "cheeni",
        "chini",
        "dahi",
        "dhania",
        "dhaniya",
        "dood",
        "doodh",
        "dudh",
        "gobhi",
        "haldi",
        "jeera",
        "kela",
        "kele",
        "lahsun",
        "lauki",
        "lehsun",
        "makhan",
        "makkhan",
        "matar",
        "mirch",
        "mirchi",
        "namak",
        "nimbu",
        "paav",
        "pao",
        "pav",
        "pyaaz",
        "pyaj",
        "pyaz",
        "sabji",
        "sabzi",
        "sarso",
        "sarson",
        "shakkar",
        "tamatar",
        "tamater",
        "tel",
        "zeera",
        "kilo",
    ]
)


def detect_language(text: str) -> Language:
    """`mixed` means both scripts; Latin text is `hinglish` when it uses romanised Hindi words."""
    lowered = text.casefold()
    deva = _DEVANAGARI_WORD.findall(lowered)
    latin = [w for w in _LATIN_WORD.findall(lowered) if w not in _UNITS]
    if deva and latin:
        return "mixed"
    if deva:
        return "hi"
    if any(w in HINGLISH_WORDS and w not in ITEM_WORDS for w in latin):
        return "hinglish"
    return "en"


ReplyLanguage = Literal["en", "hi", "hinglish"]
# Full messages in another language, one after another, before the replies follow them.
SWITCH_AFTER = 2
_PINCODE = re.compile(r"\b[1-9]\d{5}\b|\b[1-9]\d{2}\s\d{3}\b")
_ADDRESS_WORDS = frozenset(
    [
        "flat",
        "house",
        "floor",
        "road",
        "rd",
        "street",
        "lane",
        "nagar",
        "apartment",
        "apartments",
        "apts",
        "society",
        "chs",
        "tower",
        "building",
        "bldg",
        "wing",
        "sector",
        "colony",
        "plot",
        "near",
        "opp",
        "opposite",
        "east",
        "west",
        "marg",
        "chowk",
    ]
)


@dataclass(frozen=True, slots=True)
class LanguageState:
    """The conversation's reply language, and how many full messages in a row were written in
    `pending` instead (None: no full message yet, so the first one decides at once)."""

    language: ReplyLanguage = "en"
    streak: int | None = None
    pending: ReplyLanguage | None = None


def tells_language(text: str, *, first: bool = False) -> bool:
    """Whether a message says anything about the shopper's language. A button tap, a number, an
    address or PIN code, a word or two ("ok", "atta", "Amul Gold") or only neutral words
    ("haan", "theek hai") do not. Before any full message (`first`), an address or PIN code in
    a sentence ("400093 mein delivery karte ho?") does."""
    lowered = text.casefold().strip()
    if not lowered or lowered.startswith("/"):
        return False
    words = lowered.split()
    if len(words) <= 2:
        return False
    if not first and _PINCODE.search(lowered):
        return False
    if not first and sum(w.strip(",.") in _ADDRESS_WORDS for w in words) >= 2:
        return False
    latin = _LATIN_WORD.findall(lowered)
    if not _DEVANAGARI_WORD.findall(lowered):
        hinglish = [w for w in latin if w in HINGLISH_WORDS]
        if hinglish and all(w in NEUTRAL_WORDS for w in hinglish):
            return False
    return True


def _hinglish_only(text: str) -> bool:
    """Romanised Hindi words that are not neutral ("namaste", not "haan" or "bhaiya")."""
    latin = _LATIN_WORD.findall(text.casefold())
    return any(
        w in HINGLISH_WORDS and w not in NEUTRAL_WORDS and w not in ITEM_WORDS for w in latin
    )


# English words that carry a sentence's grammar ("need", "send", "and", "also"): an English
# shopper's message keeps a few Hindi words ("pls send 2 packet of 500g besan, chhoti wali
# maggi 4"), a Hinglish one a few English ones ("cart mein add kar do"). Words both write
# ("do", "me", "to", "hi", "ok", "no") are left out.
ENGLISH_WORDS = frozenset(
    [
        "need",
        "needed",
        "want",
        "wanted",
        "send",
        "sent",
        "please",
        "pls",
        "plz",
        "plus",
        "extra",
        "also",
        "and",
        "or",
        "the",
        "of",
        "for",
        "with",
        "only",
        "just",
        "too",
        "some",
        "more",
        "any",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "can",
        "could",
        "will",
        "would",
        "should",
        "shall",
        "you",
        "your",
        "ur",
        "yours",
        "my",
        "mine",
        "we",
        "our",
        "they",
        "them",
        "he",
        "she",
        "what",
        "which",
        "how",
        "much",
        "many",
        "when",
        "where",
        "why",
        "have",
        "has",
        "had",
        "get",
        "give",
        "make",
        "made",
        "add",
        "put",
        "from",
        "than",
        "then",
        "but",
        "if",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "thanks",
        "thank",
        "thx",
        "sorry",
        "again",
        "same",
        "other",
        "another",
        "like",
        "not",
        "dont",
        "cant",
        "im",
    ]
)


def _english_outweighs(text: str) -> bool:
    """Latin text read as Hinglish by its Hindi words, whose English grammar words outnumber
    them: "bhai need 1 kg fish, jo bhi ho, 2 ltr bisleri and 1 pkt bhujia" is English."""
    latin = _LATIN_WORD.findall(text.casefold())
    english = sum(w in ENGLISH_WORDS for w in latin)
    hindi = sum(
        w in HINGLISH_WORDS and w not in NEUTRAL_WORDS and w not in ITEM_WORDS for w in latin
    )
    return english >= hindi


def _written_in(text: str) -> ReplyLanguage:
    detected = detect_language(text)
    if detected == "hinglish" and _english_outweighs(text):
        return "en"
    if detected != "mixed":
        return detected
    lowered = text.casefold()
    deva = len(_DEVANAGARI_WORD.findall(lowered))
    latin = [w for w in _LATIN_WORD.findall(lowered) if w not in _UNITS]
    return "hi" if deva >= len(latin) else "hinglish"


def next_language(text: str, state: LanguageState) -> LanguageState:
    """The language to reply in after `text`. The first full message decides; after that the
    language is sticky: it follows the shopper only after SWITCH_AFTER full messages in a row in
    another one (an explicit request is the other way, see `change_language`). Mixed script
    keeps a Hindi or Hinglish conversation where it is."""
    if state.streak is None and (_DEVANAGARI_WORD.search(text) or _hinglish_only(text)):
        return LanguageState(_written_in(text), 0)  # a first "नमस्ते", "namaste bhaiya"
    if not tells_language(text, first=state.streak is None):
        return state
    written = _written_in(text)
    if state.streak is None:
        return LanguageState(written, 0)
    mixed = detect_language(text) == "mixed" and state.language in ("hi", "hinglish")
    if written == state.language or mixed:
        return LanguageState(state.language, 0)
    streak = state.streak + 1 if state.pending == written else 1
    if streak >= SWITCH_AFTER:
        return LanguageState(written, 0)
    return LanguageState(state.language, streak, written)
