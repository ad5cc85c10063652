"""A shop's delivery area, in one place: the PIN codes it serves and the places in them by the
names shoppers use. Checkout (`bot.orders.service.place_order`, so the chat and the REST API
alike), the checkout form's address question and "do you deliver to …?" all ask this module.

The merchant writes the area as text, a group of places a line or separated by `;`:
"400069 Andheri East, Chakala; 400059 Marol" — every PIN code counts, and the names of a group
(separated by `,`) are places its PIN codes cover. A bare list of PIN codes ("400069 400093") names none.
An area with no PIN code at all means the shop has not said: nothing is refused.

Names are matched on phonetic keys (`bot.catalog.index.keys`), as products are, so "marol",
"Marol East" and "मरोल" find Marol, and "andheri e" does not find Andheri West.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from bot.catalog.index import keys
from bot.db import models as db
from bot.errors import InvalidRequest
from bot.parsing.pincode import PINCODE, pincodes

_GROUPS = re.compile(r"[\n;]+")
_CONNECTORS = frozenset({"and", "aur", "और", "&", "pin", "pincode", "code", "-", "="})


class OutsideArea(InvalidRequest):
    """The delivery address is in a PIN code the shop does not serve."""

    code = "outside-delivery-area"
    title = "The shop does not deliver to that PIN code"


@dataclass(frozen=True, slots=True)
class DeliveryArea:
    pincodes: frozenset[str] = frozenset()
    # A place's name as the merchant wrote it → the PIN codes it covers.
    localities: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def restricted(self) -> bool:
        """False when the shop has not said where it delivers (then it goes anywhere)."""
        return bool(self.pincodes)

    def serves(self, pincode: str) -> bool:
        return not self.pincodes or pincode in self.pincodes

    def locality_in(self, text: str) -> str | None:
        """The shop's place a shopper's words name ("deliver to marol?" → "Marol"): the
        longest name whose keys all appear, in order, among the text's."""
        said = keys(text)
        best: str | None = None
        best_size = 0
        for name in self.localities:
            wanted = keys(name)
            if wanted and _contains(said, wanted) and len(wanted) > best_size:
                best, best_size = name, len(wanted)
        return best


def _contains(said: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    n = len(wanted)
    return any(said[i : i + n] == wanted for i in range(len(said) - n + 1))


def _name(part: str) -> str:
    """A place's name in a piece of the merchant's text: its words without PIN codes,
    digits and joining words."""
    return " ".join(
        w
        for w in PINCODE.sub(" ", part).split()
        if not any(ch.isdigit() for ch in w) and w.lower() not in _CONNECTORS
    )


def read_area(text: str) -> DeliveryArea:
    """The merchant's text as an area (see the module's note): a line or a `;` is one group,
    whose names (separated by `,`) are all places in all of its PIN codes."""
    places: dict[str, set[str]] = {}
    found: set[str] = set()
    for group in _GROUPS.split(text):
        pins = pincodes(group)
        found.update(pins)
        for name in filter(None, (_name(part) for part in group.split(","))):
            if pins:
                places.setdefault(name, set()).update(pins)
    return DeliveryArea(frozenset(found), {name: frozenset(p) for name, p in places.items()})


def _stored(area: DeliveryArea) -> tuple[str, str]:
    lines = "\n".join(
        f"{name}={' '.join(sorted(pins))}" for name, pins in sorted(area.localities.items())
    )
    return " ".join(sorted(area.pincodes)), lines


def area_of_shop(shop: db.Shop | None) -> DeliveryArea:
    if shop is None:
        return DeliveryArea()
    localities: dict[str, frozenset[str]] = {}
    for line in shop.delivery_localities.splitlines():
        name, _, pins = line.partition("=")
        if name.strip() and pins.split():
            localities[name.strip()] = frozenset(pins.split())
    return DeliveryArea(frozenset(shop.delivery_pincodes.split()), localities)


def area_of(session: Session, shop_id: int) -> DeliveryArea:
    return area_of_shop(session.get(db.Shop, shop_id))


def set_area(session: Session, shop_id: int, text: str) -> DeliveryArea:
    """Replace the shop's area with the one `text` describes."""
    shop = session.get(db.Shop, shop_id)
    if shop is None:
        raise LookupError(f"no shop {shop_id}")
    area = read_area(text)
    shop.delivery_pincodes, shop.delivery_localities = _stored(area)
    session.flush()
    return area


def check_pincode(session: Session, shop_id: int, pincode: str) -> None:
    """Raise `OutsideArea` unless the shop delivers to `pincode`."""
    if not area_of(session, shop_id).serves(pincode):
        raise OutsideArea(f"the shop does not deliver to PIN code {pincode}", pincode=pincode)
