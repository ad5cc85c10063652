"""FAQs and the delivery area, as the merchant keeps them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import models as db
from bot.shops.area import area_of, set_area


@dataclass(frozen=True, slots=True)
class Faq:
    id: int
    question: str
    answer: str
    answer_hi: str = ""
    answer_hinglish: str = ""

    def answer_in(self, language: str) -> str:
        """The merchant's answer in the shopper's language, else the English one."""
        return {"hi": self.answer_hi, "hinglish": self.answer_hinglish}.get(
            language, ""
        ) or self.answer


def faqs(session: Session, shop_id: int) -> list[Faq]:
    rows = session.scalars(
        select(db.ShopFaq).where(db.ShopFaq.shop_id == shop_id).order_by(db.ShopFaq.id)
    )
    return [Faq(r.id, r.question, r.answer, r.answer_hi, r.answer_hinglish) for r in rows]


def add_faq(
    session: Session,
    shop_id: int,
    question: str,
    answer: str,
    *,
    answer_hi: str = "",
    answer_hinglish: str = "",
) -> Faq:
    question, answer = " ".join(question.split()), answer.strip()
    if not question or not answer:
        raise ValueError("an FAQ needs a question and an answer")
    row = db.ShopFaq(
        shop_id=shop_id,
        question=question,
        answer=answer,
        answer_hi=answer_hi.strip(),
        answer_hinglish=answer_hinglish.strip(),
    )
    session.add(row)
    session.flush()
    return Faq(row.id, row.question, row.answer, row.answer_hi, row.answer_hinglish)


def delete_faq(session: Session, shop_id: int, faq_id: int) -> bool:
    row = session.get(db.ShopFaq, faq_id)
    if row is None or row.shop_id != shop_id:
        return False
    session.delete(row)
    return True


def delivery_area(session: Session, shop_id: int) -> frozenset[str]:
    """The PIN codes the shop delivers to; empty when it has not said (then nothing is refused).
    The area itself, with its places' names, is `bot.shops.area`'s."""
    return area_of(session, shop_id).pincodes


def set_delivery_area(session: Session, shop_id: int, text: str) -> frozenset[str]:
    """Replace the area with the PIN codes (and places' names) in `text` (`bot.shops.area`)."""
    return set_area(session, shop_id, text).pincodes


def load_facts(session: Session, shop_id: int, facts: dict[str, Any]) -> tuple[int, int]:
    """A shop's facts file (FAQs and the delivery area, the shape of
    data/eval/conversations/shop.yml) replaces its FAQs and area: (FAQs, PIN codes)."""
    for faq in faqs(session, shop_id):
        delete_faq(session, shop_id, faq.id)
    for entry in facts.get("faqs", []):
        add_faq(
            session,
            shop_id,
            entry["question"],
            entry["answer"],
            answer_hi=entry.get("answer_hi", ""),
            answer_hinglish=entry.get("answer_hinglish", ""),
        )
    area = set_delivery_area(
        session, shop_id, " ".join(str(p) for p in facts.get("delivery", {}).get("pincodes", []))
    )
    return len(facts.get("faqs", [])), len(area)
