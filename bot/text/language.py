"""Which language a message is in: script first, then a lexicon of romanised Hindi words."""
from __future__ import annotations

import re
from typing import Literal

Language = Literal["en", "hi", "hinglish", "mixed"]

_DEVANAGARI_WORD = re.compile(r"[\u0900-\u097f]+")
_LATIN_WORD = re.compile(r"[a-z]{2,}")
# Abbreviations are script-neutral ("2 kg आटा" is Hindi); spelled-out words are not.
_UNITS = frozenset("kg kgs g gm gms gr ml l lt ltr ltrs pc pcs pkt".split())
# Words a shopper writing English would not use ("me", "do", "la" are English too, so absent); product names shared by both (atta, paneer,
# ghee, dal) are deliberately absent.
HINGLISH_WORDS = frozenset("""
aur ka ke ki ko se mein mai hai hain hoga chahiye chahie chaiye chahiya chaahiye bhej bhejo
bhejna bhejdo bhijwa dena dedo dijiye dijie karo kar kardo krdo lana lao wala wali wale
waala waali ek teen char chaar paanch panch chhe che saat aath nau das gyarah barah darjan
dedh derh dhai dhaai adhai sawa saade sade paune aadha adha aadhi adhi paav pav pao kilo kilu
doodh dudh dood cheeni chini shakkar pyaz pyaaz pyaj tamatar tamater aloo alu ande anda anday
dahi chawal chaval namak tel sarson sarso haldi jeera zeera adrak lehsun lahsun kela kele nimbu
makhan makkhan sabzi sabji mirch mirchi dhaniya dhania gobhi bhindi lauki baingan matar
bhai bhaiya bhaiyya ji haan han nahi nahin nhi namaste namaskar shukriya dhanyavad theek thik accha acha mujhe muje humko hume mera meri mere kya kitna
kitne kab kaise abhi jaldi bhi sirf wapas hatao hata nikalo badlo karna krna dijiye thoda
tum tu aap kaun kahan kaha kyun kyon kyu raha rahi rahe gaya gayi hua hui tha thi liye bahut
aaj kal parso subah shaam sham raat dopahar baje bje kr kro krdo bata batao dikha dikhao sab saara
saari saman samaan kuch koi wahi phir fir dobara pichla pichli pichle mangwa mangwao hogi aayega
aayegi aaya rehne paise lena aake
""".split())
# Yes/no words and fillers that shoppers writing English use as readily as those writing
# Hinglish: a message of nothing else says nothing about the language of the conversation.
NEUTRAL_WORDS = frozenset("""
haan han haa ha hn haanji ji nahi nahin nhi theek thik accha acha achha hai bhai bhaiya yaar
""".split())


def detect_language(text: str) -> Language:
    """`mixed` means both scripts; Latin text is `hinglish` when it uses romanised Hindi words."""
    lowered = text.casefold()
    deva = _DEVANAGARI_WORD.findall(lowered)
    latin = [w for w in _LATIN_WORD.findall(lowered) if w not in _UNITS]
    if deva and latin:
        return "mixed"
    if deva:
        return "hi"
    if any(w in HINGLISH_WORDS for w in latin):
        return "hinglish"
    return "en"


def conversation_language(text: str, current: Language) -> Language:
    """The language to go on in after `text`: the message's own, unless the message cannot tell —
    a short English one ("ok", "2", "milk") or one whose only Hinglish words are neutral ("haan",
    "theek hai", "haan please") — which keeps `current`. Devanagari always tells."""
    detected = detect_language(text)
    if detected == "en" and len(text.split()) <= 2:
        return current
    if detected == "hinglish":
        latin = _LATIN_WORD.findall(text.casefold())
        if all(w in NEUTRAL_WORDS for w in latin if w in HINGLISH_WORDS):
            return current
    return detected
