"""A shopper's privacy commands in what they type: STOP (no more messages), START (messages
again) and "delete my data", in English, Hinglish and Hindi.

These are exact commands, as WhatsApp businesses treat STOP: the whole message must be the
command, give or take politeness ("please", "ji", "कृपया") and punctuation, so that "stop the
milk" or "atta band ho gaya?" stay shopping talk for the engine. The gateway reads them before
the engine does (api/whatsapp/planners), so a model can never miss them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from bot.text.language import detect_language
from bot.text.normalize import normalize

Command = Literal["opt_out", "opt_in", "erase"]
Language = Literal["en", "hi", "hinglish"]


@dataclass(frozen=True, slots=True)
class PrivacyCommand:
    command: Command
    language: Language | None  # None: a word of every language (STOP, START)


_POLITE = frozenset(
    [
        "please",
        "pls",
        "plz",
        "plss",
        "kindly",
        "kripya",
        "kripaya",
        "ji",
        "bhai",
        "bhaiya",
        "sir",
        "madam",
        "now",
        "abhi",
        "turant",
        "कृपया",
        "जी",
        "भाई",
        "भैया",
        "अभी",
        "तुरंत",
        "प्लीज",
    ]
)


def _alternatives(*words: str) -> str:
    return "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


# Messages, as shoppers name them.
_MSG = _alternatives(
    "message",
    "messages",
    "msg",
    "msgs",
    "sms",
    "texts",
    "notifications",
    "promotions",
    "offers",
    "reminders",
)  # fmt: skip  ("Stop promotions" is the quick reply Meta offers on marketing templates)
_MSG_HI = _alternatives("मैसेज", "मेसेज", "संदेश", "एसएमएस", "नोटिफिकेशन")
_ME = _alternatives("mujhe", "muje", "hume", "humein", "hamein")
_ME_HI = _alternatives("मुझे", "हमें", "हमे")
# Hinglish "do it" endings: karo, kar do, kardo, kijiye, karein, kar dijiye.
_DO = r"(?:kar ?do|kar ?dijiye|kar ?dijie|karo|kijiye|kijie|karein|karen|krdo|kro)"
_DO_HI = r"(?:कर दो|कर दीजिए|कर दीजिये|करो|कीजिए|कीजिये|करें|करिए)"
_GIVE = r"(?:do|dijiye|dijie|dein|den)"
_GIVE_HI = r"(?:दो|दीजिए|दीजिये|दें)"

_OPT_OUT = [
    re.compile(p)
    for p in (
        # English
        rf"stop(?: all)?(?: {_MSG}| messaging| texting| sending(?: {_MSG})?)?( to me)?",
        r"unsubscribe(?: me)?",
        r"opt ?out",
        rf"no more {_MSG}",
        rf"(?:don't|dont|do not) (?:send(?: me)?(?: any)? {_MSG}|message me|text me)",
        # Hinglish
        # "mat bhejo" alone answers "shall I send the order?" (deny): a STOP names messages
        rf"(?:{_ME} )?{_MSG} (?:mat|mt|na) (?:bhejo|bhejiye|bhejna|bhejie|bhejen|bhejein|karo)",
        rf"{_ME} (?:mat|mt|na) (?:bhejo|bhejiye|bhejna|bhejie|bhejen|bhejein)",
        rf"(?:{_ME} )?(?:{_MSG} )?(?:bhejna )?band {_DO}",
        rf"{_MSG} band",
        # Hindi
        rf"(?:{_ME_HI} )?{_MSG_HI} (?:मत|ना|न) (?:भेजो|भेजिए|भेजिये|भेजना|भेजें)",
        rf"{_ME_HI} (?:मत|ना|न) (?:भेजो|भेजिए|भेजिये|भेजना|भेजें)",
        rf"(?:{_ME_HI} )?(?:{_MSG_HI} )?(?:भेजना )?बंद {_DO_HI}",
        rf"{_MSG_HI} बंद",
    )
]
_OPT_IN = [
    re.compile(p)
    for p in (
        rf"start(?: {_MSG}| again)?",
        r"subscribe(?: me)?(?: again)?",
        r"opt ?in",
        r"resume",
        rf"(?:{_MSG} )?(?:phir se |fir se |dobara )?(?:shuru|chalu|start) {_DO}",
        rf"(?:{_MSG_HI} )?(?:फिर से |दोबारा )?(?:शुरू|चालू) {_DO_HI}",
    )
]
_DATA = _alternatives(
    "data", "details", "detail", "information", "info", "account", "history", "chats", "number"
)
_DATA_HINGLISH = _alternatives(
    "data", "details", "jaankari", "jankari", "information", "info", "account", "history"
)
_DATA_HI = _alternatives("डेटा", "डाटा", "जानकारी", "अकाउंट", "खाता", "डिटेल्स", "हिस्ट्री")
_ALL = r"(?:all(?: of)? |every )?"
_ALL_HINGLISH = r"(?:sara |saara |sari |saari |pura |poora |puri |poori )?"
_ALL_HI = r"(?:सारा |सारी |पूरा |पूरी )?"
_ERASE = [
    re.compile(p)
    for p in (
        # English
        rf"(?:delete|erase|remove|wipe|clear) {_ALL}(?:my |of my )?(?:personal )?{_DATA}"
        r"(?: and [a-z]+)?",
        r"forget me",
        r"delete everything about me",  # "delete everything" alone empties the cart
        # Hinglish
        rf"(?:mera |meri |mere )?{_ALL_HINGLISH}(?:personal )?{_DATA_HINGLISH} "
        rf"(?:(?:delete|erase|remove|clear|hata|mita) (?:{_DO}|{_GIVE})|hatao|mitao|hata {_GIVE}"
        rf"|mita {_GIVE})",
        # Hindi
        rf"(?:मेरा |मेरी |मेरे )?{_ALL_HI}{_DATA_HI} "
        rf"(?:(?:मिटा|हटा) {_GIVE_HI}|मिटाओ|हटाओ|(?:डिलीट|साफ़|साफ) {_DO_HI})",
    )
]


def _bare(text: str) -> str:
    """The message as words only: normalised, punctuation and politeness dropped."""
    spaced = "".join(
        " " if unicodedata.category(c)[0] in "PS" and c != "'" else c
        for c in normalize(text).replace("’", "'")
    )
    words = spaced.split()
    return " ".join(w for w in words if w not in _POLITE)


def _language(bare: str) -> Language:
    detected = detect_language(bare)
    if detected == "mixed":
        return "hi"  # Devanagari words in it: the reply in Hindi reads to them
    return detected


_KEYWORDS = frozenset({"stop", "start", "unsubscribe", "subscribe", "resume"})
_COMMANDS: tuple[tuple[Command, list[re.Pattern[str]]], ...] = (
    ("opt_out", _OPT_OUT),
    ("opt_in", _OPT_IN),
    ("erase", _ERASE),
)


def read_privacy_command(text: str) -> PrivacyCommand | None:
    """The privacy command the whole message is, if it is one. A bare keyword (STOP) says
    nothing of the shopper's language; the words around one do."""
    bare = _bare(text)
    if not bare or len(bare) > 80:
        return None
    for command, patterns in _COMMANDS:
        if any(p.fullmatch(bare) for p in patterns):
            return PrivacyCommand(command, None if bare in _KEYWORDS else _language(bare))
    return None
