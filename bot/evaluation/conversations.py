"""Whole shopper conversations as a benchmark: the scripts in `data/eval/conversations/`, what
a shopper does in each turn, and the judge that checks the bot's replies, the cart and the
orders after it. Playing a script needs a channel (the CLI drives the simulator's webhook path);
judging needs only what the channel saw and the database."""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cart import service as carts
from bot.db import models as db
from bot.i18n.messages import MESSAGES

Language = Literal["en", "hi", "hinglish"]
LANGUAGES: tuple[Language, ...] = ("en", "hinglish", "hi")
AMOUNT_TOLERANCE = 0.15
_AMOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(kg|g|gm|l|ltr|litre|ml|pc|pcs|dozen)\s*$", re.I)
_FACTORS = {
    "kg": (1000, "g"),
    "g": (1, "g"),
    "gm": (1, "g"),
    "l": (1000, "ml"),
    "ltr": (1000, "ml"),
    "litre": (1000, "ml"),
    "ml": (1, "ml"),
    "pc": (1, "pc"),
    "pcs": (1, "pc"),
    "dozen": (12, "pc"),
}


@dataclass(frozen=True, slots=True)
class LineSpec:
    """A cart or order line the script expects: a product kind or SKU, and how much."""

    kind: str | None = None
    sku: str | None = None
    amount: tuple[float, str] | None = None  # in the catalog's units (g, ml, pc)
    packs: int | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> LineSpec:
        amount = None
        if "amount" in data:
            found = _AMOUNT.match(str(data["amount"]))
            if not found:
                raise ValueError(f"unreadable amount {data['amount']!r}")
            factor, unit = _FACTORS[found.group(2).lower()]
            amount = (float(found.group(1)) * factor, unit)
        return cls(
            kind=data.get("kind"),
            sku=data.get("sku"),
            amount=amount,
            packs=int(data["packs"]) if "packs" in data else None,
        )

    def describe(self) -> str:
        what = self.sku or self.kind or "?"
        if self.amount:
            what += f" {self.amount[0]:g} {self.amount[1]}"
        if self.packs is not None:
            what += f" ×{self.packs}"
        return what


@dataclass(frozen=True, slots=True)
class Expect:
    cart: tuple[LineSpec, ...] | None = None
    cart_exactly: tuple[LineSpec, ...] | None = None
    not_in_cart: tuple[str, ...] = ()
    reply: str | None = None
    no_reply: str | None = None
    asks: bool | None = None
    order: Literal["placed", "cancelled", "none"] | None = None
    order_lines: tuple[LineSpec, ...] | None = None
    language: tuple[Language, ...] | None = None  # overrides the conversation's for this turn

    @classmethod
    def of(cls, data: Mapping[str, Any] | None) -> Expect:
        data = data or {}

        def lines(key: str) -> tuple[LineSpec, ...] | None:
            return tuple(LineSpec.of(x) for x in data[key]) if key in data else None

        language = data.get("language")
        return cls(
            cart=lines("cart"),
            cart_exactly=lines("cart_exactly"),
            not_in_cart=tuple(data.get("not_in_cart", ())),
            reply=data.get("reply"),
            no_reply=data.get("no_reply"),
            asks=data.get("asks"),
            order=data.get("order"),
            order_lines=lines("order_lines"),
            language=(
                None
                if language is None
                else tuple(language)
                if isinstance(language, list)
                else (language,)
            ),
        )


@dataclass(frozen=True, slots=True)
class Turn:
    """One thing the shopper does: `say` text, `tap` an option, or go through `checkout`."""

    say: str | None = None
    tap: str | int | None = None
    checkout: Mapping[str, str] | None = None
    expect: Expect = field(default_factory=Expect)


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    language: Language
    classes: tuple[str, ...]
    turns: tuple[Turn, ...]
    note: str = ""
    earlier_orders: tuple[tuple[tuple[str, int], ...], ...] = ()
    source: str = ""

    @property
    def group(self) -> str:
        """The language it is reported under: the file's, so mixed script is its own group."""
        return self.source or self.language


def load(folder: Path) -> list[Conversation]:
    found: list[Conversation] = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        for c in data.get("conversations", []):
            turns = tuple(
                Turn(
                    say=t.get("say"),
                    tap=t.get("tap"),
                    checkout=t.get("checkout"),
                    expect=Expect.of(t.get("expect")),
                )
                for t in c["turns"]
            )
            orders = tuple(
                tuple((line["sku"], int(line.get("packs", 1))) for line in order)
                for order in (c.get("given") or {}).get("orders", [])
            )
            found.append(
                Conversation(
                    id=c["id"],
                    language=c["language"],
                    classes=tuple(c.get("classes", ())),
                    turns=turns,
                    note=c.get("note", ""),
                    earlier_orders=orders,
                    source=path.stem,
                )
            )
    ids = [c.id for c in found]
    if len(ids) != len(set(ids)):
        raise ValueError(
            f"duplicate conversation ids: {sorted({i for i in ids if ids.count(i) > 1})}"
        )
    return found


def shopper_messages(conversations: Iterable[Conversation]) -> list[str]:
    return [t.say for c in conversations for t in c.turns if t.say]


# ---- what the bot sent ---------------------------------------------------------------------


def texts(message: Mapping[str, Any]) -> list[str]:
    """Every piece of text a shopper sees in one Graph API message body."""
    kind = message.get("type")
    if kind == "text":
        return [message["text"]["body"]]
    if kind == "template":
        return [
            str(p.get("text", ""))
            for c in message["template"].get("components", [])
            for p in c.get("parameters", [])
        ]
    if kind != "interactive":
        return []
    i = message["interactive"]
    found = [
        i.get("header", {}).get("text", ""),
        i.get("body", {}).get("text", ""),
        i.get("footer", {}).get("text", ""),
    ]
    action = i.get("action", {})
    found += [b["reply"]["title"] for b in action.get("buttons", [])]
    for section in action.get("sections", []):
        found.append(section.get("title", ""))
        for row in section.get("rows", []):
            found += [row.get("title", ""), row.get("description", "")]
    return [t for t in found if t]


def prose(message: Mapping[str, Any]) -> str:
    """The sentences of a message (text or interactive body), where its language shows."""
    if message.get("type") == "text":
        return str(message["text"]["body"])
    if message.get("type") == "interactive":
        return str(message["interactive"].get("body", {}).get("text", ""))
    return ""


def options(message: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(reply kind, id, title) of what a shopper can tap in the message."""
    if message.get("type") != "interactive":
        return []
    i = message["interactive"]
    if i["type"] == "button":
        return [
            ("button_reply", b["reply"]["id"], b["reply"]["title"]) for b in i["action"]["buttons"]
        ]
    if i["type"] == "list":
        return [
            ("list_reply", r["id"], r["title"]) for s in i["action"]["sections"] for r in s["rows"]
        ]
    return []


def _fragments(template: str) -> list[str]:
    pieces = (f.strip(" .,:;!?\"'“”()-—\n*") for f in re.split(r"\{[^}]*\}", template))
    return [f for f in pieces if len(f) >= 8]


_TEMPLATE_FRAGMENTS: dict[str, list[str]] = {
    lang: [f for texts_ in MESSAGES.values() if lang in texts_ for f in _fragments(texts_[lang])]
    for lang in LANGUAGES
}
_QUESTIONS = ("which_one", "did_you_mean", "which_to_change", "which_price", "did_you_mean_intent")
_QUESTION_FRAGMENTS = [
    f for key in _QUESTIONS for text in MESSAGES[key].values() for f in _fragments(text)
]
_HINGLISH_WORDS = {
    "hai",
    "hain",
    "ho",
    "hoga",
    "hogi",
    "kar",
    "karo",
    "karein",
    "kijiye",
    "ke",
    "ka",
    "ki",
    "ko",
    "mein",
    "me",
    "nahi",
    "nahin",
    "aap",
    "aapka",
    "aapke",
    "aapki",
    "diya",
    "diye",
    "batao",
    "bataiye",
    "kya",
    "kaunsa",
    "kaunsi",
    "chahiye",
    "liye",
    "se",
    "ya",
    "par",
    "abhi",
    "likho",
    "likh",
    "bhej",
    "bhejo",
    "bhejenge",
    "raha",
    "rahe",
    "rahi",
    "tak",
    "aur",
    "wala",
    "wali",
    "koi",
    "kuch",
    "thoda",
    "sab",
    "hum",
    "hamare",
    "hamara",
}
_ENGLISH_WORDS = {
    "the",
    "your",
    "you",
    "is",
    "are",
    "to",
    "of",
    "we",
    "please",
    "and",
    "for",
    "has",
    "have",
    "will",
    "would",
    "what",
    "which",
    "when",
    "this",
    "that",
    "with",
    "our",
    "it",
    "be",
    "can",
    "here",
    "there",
    "was",
    "been",
    "order",
    "ordered",
    "tell",
    "reply",
}


def reply_language(text: str) -> Language | None:
    """The language a reply is written in, or None when it shows none (a price, a name)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    devanagari = sum(1 for c in letters if "\u0900" <= c <= "\u097f")
    if devanagari / len(letters) >= 0.3:
        return "hi"
    latin_scores = {
        lang: sum(len(f) for f in _TEMPLATE_FRAGMENTS[lang] if f and f in text)
        for lang in ("en", "hinglish")
    }
    if max(latin_scores.values()) > 0 and latin_scores["en"] != latin_scores["hinglish"]:
        return "en" if latin_scores["en"] > latin_scores["hinglish"] else "hinglish"
    words = re.findall(r"[a-z]+", text.lower())
    hinglish = sum(1 for w in words if w in _HINGLISH_WORDS)
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    if hinglish == english:
        return None
    return "hinglish" if hinglish > english else "en"


def asks_question(replies: Sequence[Mapping[str, Any]]) -> bool:
    """The bot wants an answer before it can go on: which product, which line, did you mean."""
    for message in replies:
        body = " ".join(texts(message))
        if any(f and f in body for f in _QUESTION_FRAGMENTS):
            return True
    return False


# ---- what the database holds ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HeldLine:
    sku: str
    kind: str
    pack_size: int
    pack_unit: str
    count: int

    def describe(self) -> str:
        return f"{self.sku}({self.kind}) {self.pack_size}{self.pack_unit}×{self.count}"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The shopper's cart and latest order after a turn."""

    cart: tuple[HeldLine, ...]
    order_id: int | None
    order_status: str | None
    order_lines: tuple[HeldLine, ...]


def snapshot(session: Session, shop_id: int, wa_id: str) -> Snapshot:
    kinds = dict(
        session.execute(
            select(db.Product.sku, db.Product.kind).where(db.Product.shop_id == shop_id)
        )
        .tuples()
        .all()
    )
    cart = carts.view(session, shop_id, wa_id)
    held = tuple(
        HeldLine(line.sku, kinds.get(line.sku, ""), line.pack_size, line.pack_unit, line.count)
        for line in cart.lines
    )
    order = session.scalar(
        select(db.Order)
        .join(db.Customer, db.Order.customer_id == db.Customer.id)
        .where(db.Order.shop_id == shop_id, db.Customer.wa_id == wa_id)
        .order_by(db.Order.id.desc())
        .limit(1)
    )
    if order is None:
        return Snapshot(held, None, None, ())
    lines = tuple(
        HeldLine(ln.sku, kinds.get(ln.sku, ""), ln.pack_size, ln.pack_unit, ln.count)
        for ln in order.lines
    )
    return Snapshot(held, order.id, order.status, lines)


# ---- the judge -----------------------------------------------------------------------------


def _matching(spec: LineSpec, lines: Sequence[HeldLine]) -> list[HeldLine]:
    return [
        line
        for line in lines
        if (spec.sku is None or line.sku == spec.sku)
        and (spec.kind is None or line.kind.lower() == spec.kind.lower())
    ]


def _holds(spec: LineSpec, lines: Sequence[HeldLine]) -> bool:
    found = _matching(spec, lines)
    if not found:
        return False
    if spec.packs is not None and sum(line.count for line in found) != spec.packs:
        return False
    if spec.amount is not None:
        wanted, unit = spec.amount
        total = sum(line.pack_size * line.count for line in found if line.pack_unit == unit)
        if abs(total - wanted) > AMOUNT_TOLERANCE * wanted:
            return False
    return True


def cart_holds(specs: Sequence[LineSpec], lines: Sequence[HeldLine]) -> bool:
    return all(_holds(spec, lines) for spec in specs)


_PLACED = {"pending_payment", "paid", "packed", "out_for_delivery", "delivered"}


def judge_turn(
    expect: Expect,
    language: tuple[Language, ...],
    replies: Sequence[Mapping[str, Any]],
    after: Snapshot,
) -> list[str]:
    """What went wrong in one turn, in words; empty when the turn did what the script says."""
    problems: list[str] = []
    bodies = [" ".join(texts(m)) for m in replies]
    if not replies:
        problems.append("no reply")
    for message in replies:
        said = reply_language(prose(message))
        if said is not None and said not in language:
            problems.append(f"reply in {said}, not {'/'.join(language)}: {prose(message)[:80]!r}")
    cart = [line.describe() for line in after.cart]
    if expect.cart is not None and not cart_holds(expect.cart, after.cart):
        problems.append(f"cart {cart} lacks {[s.describe() for s in expect.cart]}")
    if expect.cart_exactly is not None:
        exact = expect.cart_exactly
        extra = [line for line in after.cart if not any(_matching(s, [line]) for s in exact)]
        if not cart_holds(exact, after.cart) or extra:
            problems.append(f"cart {cart} is not exactly {[s.describe() for s in exact]}")
    for kind in expect.not_in_cart:
        if any(line.kind.lower() == kind.lower() for line in after.cart):
            problems.append(f"cart {cart} holds {kind}")
    if expect.reply and not any(re.search(expect.reply, b) for b in bodies):
        problems.append(f"no reply matches {expect.reply!r}: {[b[:100] for b in bodies]}")
    if expect.no_reply and any(re.search(expect.no_reply, b) for b in bodies):
        problems.append(f"a reply matches {expect.no_reply!r}: {[b[:100] for b in bodies]}")
    if expect.asks is not None and asks_question(replies) != expect.asks:
        problems.append(
            ("did not ask" if expect.asks else "asked") + f": {[b[:80] for b in bodies]}"
        )
    if expect.order is not None:
        status = after.order_status
        state = "none" if status is None else "placed" if status in _PLACED else "cancelled"
        if state != expect.order:
            problems.append(f"order is {status or 'none'}, not {expect.order}")
    if expect.order_lines is not None and not cart_holds(expect.order_lines, after.order_lines):
        problems.append(
            f"order {[line.describe() for line in after.order_lines]} lacks "
            f"{[s.describe() for s in expect.order_lines]}"
        )
    return problems


# ---- playing a script ----------------------------------------------------------------------


class Channel(Protocol):
    """One shopper's side of the chat: each call returns the bot's replies to that action."""

    def say(self, text: str) -> list[dict[str, Any]]: ...

    def tap(self, kind: str, reply_id: str, title: str) -> list[dict[str, Any]]: ...

    def snapshot(self) -> Snapshot: ...


@dataclass(frozen=True, slots=True)
class TurnResult:
    shopper: str
    replies: tuple[str, ...]
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Result:
    conversation: Conversation
    turns: tuple[TurnResult, ...]
    turns_to_cart: int | None  # None: no first-turn cart, or the cart never held it

    @property
    def passed(self) -> bool:
        return len(self.turns) == len(self.conversation.turns) and not any(
            t.problems for t in self.turns
        )


def _tap(
    channel: Channel, last: Sequence[Mapping[str, Any]], wanted: str | int
) -> list[dict[str, Any]]:
    offered = [o for m in last for o in options(m)]
    if isinstance(wanted, int):
        chosen = offered[wanted - 1] if 0 < wanted <= len(offered) else None
    else:
        chosen = next((o for o in offered if re.search(wanted, o[2])), None)
    if chosen is None:
        raise LookupError(f"nothing to tap matches {wanted!r} in {[o[2] for o in offered]}")
    return channel.tap(*chosen)


_YES = r"(?i)^(yes|haan|हाँ|हां|confirm|place order|order)"
_ADDRESS_ASKED = re.compile(r"(?i)address|pata|पता|PIN|pincode|पिन")


def _checkout(channel: Channel, plan: Mapping[str, str]) -> list[dict[str, Any]]:
    """Answer the checkout questions as a shopper would, until an order is placed."""
    slot = plan.get("slot", ".")
    payment = {"cod": r"(?i)cash|cod|नकद", "upi": r"(?i)upi"}.get(plan.get("payment", "cod"), ".")
    before = channel.snapshot().order_id
    seen: list[dict[str, Any]] = []
    replies = channel.say("checkout")
    for _ in range(8):
        seen += replies
        if channel.snapshot().order_id != before:
            return seen
        if not replies or (
            len(seen) > len(replies) and seen[-2 * len(replies) : -len(replies)] == replies
        ):
            break  # nothing, or the same answer again: the shopper gives up
        offered = [o for m in replies for o in options(m)]
        text = " ".join(" ".join(texts(m)) for m in replies)
        if offered:
            for pattern in (payment, slot, _YES):
                chosen = next((o for o in offered if re.search(pattern, o[2])), None)
                if chosen:
                    break
            else:
                chosen = offered[0]
            replies = channel.tap(*chosen)
        elif _ADDRESS_ASKED.search(text):
            replies = channel.say(plan.get("address", ""))
        else:
            replies = channel.say("haan" if "hinglish" in plan.get("language", "") else "yes")
    return seen


def play(conversation: Conversation, channel: Channel) -> Result:
    results: list[TurnResult] = []
    last: list[dict[str, Any]] = []
    first_cart = conversation.turns[0].expect.cart if conversation.turns else None
    turns_to_cart: int | None = None
    for number, turn in enumerate(conversation.turns, start=1):
        try:
            if turn.say is not None:
                shopper, replies = turn.say, channel.say(turn.say)
            elif turn.tap is not None:
                shopper, replies = f"[tap {turn.tap}]", _tap(channel, last, turn.tap)
            elif turn.checkout is not None:
                plan = {**turn.checkout, "language": conversation.language}
                shopper, replies = "[checkout]", _checkout(channel, plan)
            else:
                raise ValueError("a turn says, taps or checks out")
        except LookupError as missing:
            results.append(TurnResult(f"[tap {turn.tap}]", (), (str(missing),)))
            break
        after = channel.snapshot()
        language = turn.expect.language or (conversation.language,)
        problems = judge_turn(turn.expect, language, replies, after)
        if first_cart and turns_to_cart is None and cart_holds(first_cart, after.cart):
            turns_to_cart = number
        results.append(
            TurnResult(shopper, tuple(" | ".join(texts(m))[:300] for m in replies), tuple(problems))
        )
        last = replies or last
    return Result(conversation, tuple(results), turns_to_cart)


# ---- the report ----------------------------------------------------------------------------


def summary(results: Sequence[Result]) -> dict[str, Any]:
    """Task success and turns-to-cart per group (en, hinglish, hi, mixed) and per class."""

    def figures(group: Sequence[Result]) -> dict[str, Any]:
        turns = [r.turns_to_cart for r in group if r.conversation.turns[0].expect.cart]
        two_item = [
            r.turns_to_cart
            for r in group
            if r.conversation.turns[0].expect.cart and len(r.conversation.turns[0].expect.cart) >= 2
        ]
        reached = [t for t in two_item if t is not None]
        return {
            "conversations": len(group),
            "passed": sum(r.passed for r in group),
            "task_success": round(sum(r.passed for r in group) / len(group), 4) if group else None,
            "turns_to_cart_median_two_items": statistics.median(reached) if reached else None,
            "never_reached_cart_two_items": len(two_item) - len(reached),
            "first_turn_carts": len(turns),
        }

    groups = sorted({r.conversation.group for r in results})
    classes = sorted({c for r in results for c in r.conversation.classes})
    return {
        "overall": figures(results),
        "by_language": {
            g: figures([r for r in results if r.conversation.group == g]) for g in groups
        },
        "by_class": {
            c: figures([r for r in results if c in r.conversation.classes]) for c in classes
        },
        "failures": [
            {
                "id": r.conversation.id,
                "turns": [
                    {"shopper": t.shopper, "replies": list(t.replies), "problems": list(t.problems)}
                    for t in r.turns
                ],
            }
            for r in results
            if not r.passed
        ],
    }


def markdown(report: Mapping[str, Any]) -> str:
    lines = [
        "| language | conversations | passed | task success | median turns-to-cart (2+ items) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, f in [*report["by_language"].items(), ("all", report["overall"])]:
        success = f"{f['task_success']:.1%}" if f["task_success"] is not None else "–"
        median = f["turns_to_cart_median_two_items"]
        never = f["never_reached_cart_two_items"]
        lines.append(
            f"| {name} | {f['conversations']} | {f['passed']} | {success} | "
            f"{'–' if median is None else median}{f' ({never} never)' if never else ''} |"
        )
    return "\n".join(lines)
