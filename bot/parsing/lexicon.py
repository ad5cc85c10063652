"""The words of quantities, units and chat filler in English, Hinglish and Hindi.

Entries are written as people type them and passed through `normalize`, so Devanagari spellings
with a nukta (डेढ़) match the normalised message (डेढ).
"""

from __future__ import annotations

from typing import Literal, TypeVar

from bot.text.normalize import normalize

Unit = Literal["g", "ml", "pc", "pack"]

Value = TypeVar("Value")


def _table(spec: dict[str, Value]) -> dict[str, Value]:
    out: dict[str, Value] = {}
    for words, value in spec.items():
        for word in words.split():
            out[normalize(word)] = value
    return out


NUMBER_WORDS: dict[str, float] = _table(
    {
        "one ek एक": 1,
        "two दो": 2,
        "three teen तीन": 3,
        "four char chaar चार": 4,
        "five paanch panch paach पाँच पांच": 5,
        "six chhe che chhah chah chhey छह छः छे": 6,
        "seven saat सात": 7,
        "eight aath आठ": 8,
        "nine nau नौ": 9,
        "ten das दस": 10,
        "eleven gyarah gyara ग्यारह": 11,
        "twelve barah bara बारह": 12,
        "thirteen terah तेरह": 13,
        "fourteen chaudah चौदह": 14,
        "fifteen pandrah pandra पंद्रह पन्द्रह": 15,
        "sixteen solah सोलह": 16,
        "seventeen satrah सत्रह": 17,
        "eighteen atharah अठारह": 18,
        "nineteen unnis उन्नीस": 19,
        "twenty bees bis बीस": 20,
        "twentyfive pachees पच्चीस": 25,
        "thirty tees तीस": 30,
        "forty chalis चालीस": 40,
        "fifty pachas पचास": 50,
        "hundred sau सौ": 100,
        "couple": 2,
    }
)
# "do" is Hindi "two" but also the verb in "bhej do"; it counts only before a unit or an item.
AMBIGUOUS_NUMBERS = frozenset({"do", normalize("दो")})
NUMBER_WORDS["do"] = 2

FRACTION_WORDS: dict[str, float] = _table(
    {
        "half aadha adha aadhi adhi aadhe adhe आधा आधी आधे": 0.5,
        "quarter": 0.25,
        "dedh derh dedha डेढ़ डेढ": 1.5,
        "dhai dhaai adhai adhaai ढाई": 2.5,
    }
)
# sawa X = X + 1/4, saade X = X + 1/2, paune X = X - 1/4; alone they modify one.
MODIFIERS: dict[str, float] = _table(
    {
        "sawa sava सवा": 0.25,
        "saade sade saadhe sadhe साढ़े साढे": 0.5,
        "paune pone पौने": -0.25,
    }
)
ARTICLES = frozenset({"a", "an"})
DOZEN_WORDS = frozenset(
    normalize(w) for w in ["dozen", "dozens", "darjan", "darzan", "dozan", "दर्जन"]
)
# paav is a quarter kilo; "pav" alone is also a bread roll, so it is a unit only before a word.
PAAV_WORDS = frozenset(normalize(w) for w in ["paav", "pav", "pao", "paw", "पाव"])
BHAR_WORDS = frozenset(normalize(w) for w in ["bhar", "bhr", "भर"])
MULTIPLY_WORDS = frozenset({"x", "×", "into", "*"})

UNITS: dict[str, tuple[Unit, int]] = _table(
    {
        "g gm gms gram grams gramme grammes gr grm grms ग्राम ग्राम्स": ("g", 1),
        "kg kgs kilo kilos kilogram kilograms kgm kilu kelo किलो किग्रा केजी": ("g", 1000),
        "ml mls millilitre millilitres milliliter milliliters मिली मिलीलीटर एमएल": ("ml", 1),
        "l lt ltr ltrs litre litres liter liters lit leter लीटर लिटर ली": ("ml", 1000),
        "pc pcs piece pieces peice peices nos nag pis पीस नग bunch bunches gaddi गड्डी": ("pc", 1),
        "packet packets pkt pkts pack packs pouch pouches bottle bottles botal box boxes jar jars "
        "dabba dabbe dibba dibbe tin tins can cans bag bags sachet sachets pkg bar bars tube tubes "
        "loaf loaves thaili पैकेट पैकेट्स पैक डिब्बा डिब्बे बोतल थैली": ("pack", 1),
    }
)

SPLIT_WORDS = frozenset(
    normalize(w) for w in ["and", "aur", "और", "n", "&", ",", "+", ";", ".", "।", "plus", "also"]
)

FILLER_WORDS = frozenset(
    normalize(w)
    for w in [
        # "butter is baar nahi chahiye", "no biscuits this time"
        "baar",
        "dafa",
        "iss",
        "इस",
        "बार",
        "दफ़ा",
        "time",
        # "paneer kaun kaun se hai dikhao", "doodh ke options", "what do you sell"
        "dikhao",
        "dikha",
        "dikhana",
        "dikhaiye",
        "दिखाओ",
        "दिखा",
        "दिखाइए",
        "kaun",
        "kon",
        "कौन",
        "se",
        "si",
        "sa",
        "से",
        "सी",
        "सा",
        "options",
        "option",
        "show",
        "sell",
        "list",
        "types",
        "varieties",
        "brands",
        # "cheeni ka bhav kya chal raha aaj", "do u have beer", "मछली मिलेगी क्या ताज़ी"
        "aaj",
        "आज",
        "aajkal",
        "आजकल",
        "chal",
        "raha",
        "rahi",
        "चल",
        "रहा",
        "रही",
        "have",
        "ok",
        "okay",
        "milega",
        "milegi",
        "मिलेगा",
        "मिलेगी",
        "ताज़ी",
        "ताजी",
        "thandi",
        "thanda",
        "ठंडी",
        "ठंडा",
        "chilled",
        "please",
        "pls",
        "plz",
        "plzz",
        "plss",
        "plse",
        "pleasee",
        "kindly",
        "bhej",
        "bhejo",
        "bhejna",
        "bhejdo",
        "bhejiye",
        "bhijwa",
        "bhijwado",
        "bhijwa",
        "send",
        "deliver",
        "dena",
        "dedo",
        "de",
        "dijiye",
        "dijie",
        "dila",
        "dilado",
        "chahiye",
        "chahie",
        "chaiye",
        "chaahiye",
        "chahiya",
        "chaahie",
        "want",
        "wanted",
        "need",
        "needed",
        "i",
        "me",
        "my",
        "mujhe",
        "muje",
        "mereko",
        "mujhko",
        "hume",
        "humko",
        "hamein",
        "humein",
        "get",
        "add",
        "order",
        "buy",
        "also",
        "bhi",
        "the",
        "of",
        "ka",
        "ke",
        "ki",
        "ko",
        "wala",
        "wali",
        "wale",
        "waala",
        "waali",
        "waale",
        "some",
        "thoda",
        "thodi",
        "more",
        "na",
        "ji",
        "bhaiya",
        "bhaiyya",
        "bhai",
        "sir",
        "madam",
        "hai",
        "hain",
        "h",
        "hoga",
        "karo",
        "kar",
        "kardo",
        "krdo",
        "la",
        "lao",
        "lana",
        "ladena",
        "lado",
        "can",
        "could",
        "you",
        "u",
        "pl",
        "for",
        "to",
        "with",
        "just",
        "only",
        "sirf",
        "hi",
        "hello",
        "bro",
        "a",
        "an",
        "sa",
        "si",
        "bhar",
        "morning",
        "evening",
        "afternoon",
        "namaste",
        "namaskar",
        "namaskaar",
        "price",
        "prices",
        "rate",
        "rates",
        "daam",
        "dam",
        "cost",
        "costs",
        "kitne",
        "kitna",
        "kitni",
        "kya",
        "what",
        "whats",
        "what's",
        "wats",
        "how",
        "much",
        "is",
        "are",
        "remove",
        "delete",
        "drop",
        "hata",
        "hatao",
        "hatado",
        "hatana",
        "nikal",
        "nikalo",
        "nikaal",
        "nikaalo",
        "make",
        "change",
        "badal",
        "badlo",
        "instead",
        "it",
        "हटा",
        "हटाओ",
        "हटा",
        "निकाल",
        "निकालो",
        "बदल",
        "बदलो",
        "कितने",
        "कितना",
        "कितनी",
        "क्या",
        "रेट",
        "दाम",
        "कीमत",
        "bada",
        "badi",
        "bade",
        "chota",
        "choti",
        "chote",
        "chhota",
        "chhoti",
        "chhote",
        "mini",
        "bara",
        "bari",
        "छोटे",
        "बड़े",
        "big",
        "small",
        "large",
        "medium",
        "size",
        "wala",
        "नमस्ते",
        "नमस्कार",
        "भर",
        "बड़ा",
        "बड़ी",
        "छोटा",
        "छोटी",
        "सा",
        "सी",
        "कृपया",
        "प्लीज",
        "भेज",
        "भेजो",
        "भेजना",
        "भेजिए",
        "भेजें",
        "दे",
        "दीजिए",
        "दीजिये",
        "चाहिए",
        "चाहिये",
        "मुझे",
        "हमें",
        "का",
        "के",
        "की",
        "को",
        "वाला",
        "वाली",
        "वाले",
        "भी",
        "ला",
        "लाना",
        "लाओ",
        "ना",
        "जी",
        "भैया",
        "कर",
        "करो",
        # asking a price: "chawal ka bhav", "चावल का भाव आजकल", "sab company ka rate"
        "bhav",
        "bhaav",
        "bhaw",
        "kimat",
        "keemat",
        "भाव",
        "कीमत",
        "aajkal",
        "आजकल",
        "kis",
        "किस",
        "rahe",
        "रहे",
        "है",
        "हो",
        "company",
        "कंपनी",
        "batao",
        "bataiye",
        "bataao",
        "बताओ",
        "बताइए",
        "बताना",
        "sab",
        "सब",
        "per",
        "that",
        "this",
        "these",
        "those",
        # when, not what: "2 ltr dudh bhejna jaldi", "abhi bhejo", "urgent"
        "jaldi",
        "jaldise",
        "जल्दी",
        "urgent",
        "urgently",
        "asap",
        "turant",
        "तुरंत",
        "quickly",
        "abhi",
        "अभी",
        "subah",
        "सुबह",
        "shaam",
        "sham",
        "शाम",
        "kal",
        "कल",
        "tmrw",
        "tomorrow",
        "today",
        # a reply's opening, not an item: "theek h 1 dozen ande", "अच्छा फिर 1 लीटर Amul Gold"
        "theek",
        "thik",
        "fine",
        "ठीक",
        "accha",
        "acha",
        "achha",
        "achcha",
        "अच्छा",
        "fir",
        "phir",
        "फिर",
        "then",
        "haan",
        "हाँ",
        "हां",
        # what was bought before: "the toor dal i took last time", "पिछली बार वाला आटा",
        # "wahi jo pichli baar li thi"; the choice comes from the shopper's orders
        "wahi",
        "vahi",
        "wohi",
        "वही",
        "same",
        "last",
        "previous",
        "pichli",
        "pichle",
        "pichhli",
        "pichhle",
        "पिछली",
        "पिछले",
        "jo",
        "जो",
        "li",
        "ली",
        "thi",
        "थी",
        "tha",
        "था",
        "liya",
        "लिया",
        "took",
        "bought",
        "ordered",
        "as",
        "jaisa",
        "jaise",
        "जैसा",
        "जैसे",
        "mahine",
        "महीने",
        "week",
        "hafte",
        # greetings and asides: "hlo bhaiya 5 kg atta", "rozana wala chalega"
        "hlo",
        "helo",
        "hii",
        "hiii",
        "hey",
        "hellooo",
        "chalega",
        "chalegi",
        "चलेगा",
        "चलेगी",
        "चाहीए",
        "चाहिये",
        # what it comes to: "कुल कितने रुपये हुए?", "bill kitna hua", "total?"
        "total",
        "kul",
        "कुल",
        "hua",
        "hue",
        "hui",
        "हुआ",
        "हुए",
        "हुई",
        "bill",
        "बिल",
        "milake",
        "मिलाके",
        "always",
        "usual",
        "extra",
        "mera",
        "meri",
        "mere",
        "मेरा",
        "मेरी",
        "hamesha",
        "हमेशा",
        "ho",
        "देना",
        "दीजिए",
    ]
)
# "chhoti wali maggi", "1 bada surf", "1 big coke": the smallest or the largest pack.
SMALL_WORDS = frozenset(
    normalize(w)
    for w in ["chota", "choti", "chote", "chhota", "chhoti", "chhote", "small", "mini", "छोटा",
              "छोटी", "छोटे"]
)  # fmt: skip
BIG_WORDS = frozenset(
    normalize(w)
    for w in ["bada", "badi", "bade", "big", "large", "bara", "bari", "बड़ा", "बड़ी", "बड़े"]
)
# "5 rupees wala": a price tells which pack, it is not a quantity.
PRICE_WORDS = frozenset(
    normalize(w)
    for w in [
        "rs",
        "rs.",
        "rupees",
        "rupee",
        "rupay",
        "rupaye",
        "rupye",
        "₹",
        "inr",
        "रुपये",
        "रुपए",
        "रुपया",
    ]
)
# "juice ke liye", "के लिए": the word before is a purpose, not an item.
PURPOSE_WORDS = frozenset(normalize(w) for w in ["liye", "liya", "lie", "लिए", "लिये"])

# After one of these, "do"/"दो" is the verb "give", not the number two: "bhej do", "de do".
DO_VERBS = frozenset(
    normalize(w)
    for w in [
        "bhej",
        "de",
        "kar",
        "la",
        "dila",
        "bhijwa",
        "laga",
        "rakh",
        "रख",
        "डाल",
        "dal",
        "daal",
        "nikal",
        "hata",
        "bhej",
        "bhejh",
        "भेज",
        "दे",
        "कर",
        "ला",
        "दिला",
        "भिजवा",
    ]
)

# "daal do", "daal dena": the verb "put in", unless the word before is a kind of dal.
PUT_VERBS = frozenset(
    normalize(w)
    for w in ["daal", "dal", "dalo", "daalo", "डाल", "डालो", "डालना", "rakh", "rakho", "रख", "रखो"]
)
PUT_ENDINGS = frozenset(
    normalize(w)
    for w in ["do", "dena", "dijiye", "dijie", "de", "dijiyega", "dena", "दो", "देना", "दीजिए", "दे"]
)
DAL_KINDS = frozenset(
    normalize(w)
    for w in [
        "moong",
        "mung",
        "toor",
        "tur",
        "tuvar",
        "arhar",
        "chana",
        "masoor",
        "masur",
        "urad",
        "moth",
        "matki",
        "chane",
        "मूंग",
        "मूँग",
        "तूर",
        "तुअर",
        "अरहर",
        "चना",
        "मसूर",
        "उड़द",
    ]
)
# "ande nahi chahiye", "mat bhejna": the item is not wanted.
# Hindi puts "nahi" after what it negates ("12 nahi 6", "toned nahi"); the corrections read it too.
HINDI_NOT = frozenset(normalize(w) for w in ["nahi", "nahin", "nhi", "nai", "नहीं", "नही"])
NEGATIONS = HINDI_NOT | frozenset(normalize(w) for w in ["mat", "मत", "skip", "chhodo"])
WANT_WORDS = frozenset(
    normalize(w)
    for w in [
        "chahiye",
        "chaiye",
        "chahie",
        "chaahiye",
        "bhejna",
        "bhejo",
        "dena",
        "lena",
        "chaiyye",
        "चाहिए",
        "भेजना",
        "भेजो",
        "देना",
        "लेना",
        "needed",
        "required",
        "reqd",
        "want",
    ]
)
ENGLISH_NEGATIONS = frozenset({"no", "not", "dont", "don't", "without", "except", "skip"})
# "flat 402", "house no 12", "by 7 am": numbers that are addresses or times, not quantities.
ADDRESS_WORDS = frozenset(
    normalize(w)
    for w in [
        "flat",
        "house",
        "room",
        "plot",
        "wing",
        "floor",
        "block",
        "sector",
        "building",
        "bldg",
        "gali",
        "ghar",
        "फ्लैट",
        "मकान",
        "कमरा",
    ]
)
TIME_WORDS = frozenset(normalize(w) for w in ["am", "pm", "baje", "bje", "बजे", "oclock"])
# "5 wale parle g": a price ("the ₹5 one"), not five packs.
WALA_WORDS = frozenset(
    normalize(w) for w in ["wala", "wale", "wali", "vala", "vale", "वाला", "वाले", "वाली"]
)
