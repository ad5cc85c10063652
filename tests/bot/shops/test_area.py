"""A shop's delivery area in one place: read from the merchant's text (PIN codes and the names
of the places in them), kept on the shop, and enforced by checkout itself — on SQLite and
PostgreSQL — so no edge (chat, REST API) can place an order outside it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.cart import service as cart
from bot.db.models import Order
from bot.db.session import session_scope
from bot.faq.store import delivery_area, set_delivery_area
from bot.orders import service
from bot.shops.area import DeliveryArea, OutsideArea, area_of, read_area, set_area
from tests.shop import WA_ID, checkout


def test_the_merchants_text_names_pin_codes_and_the_places_in_them() -> None:
    area = read_area("400069 Andheri East, Chakala; 400059 Marol\n400 093 and 400072 Saki Naka")
    assert area.pincodes == {"400069", "400059", "400093", "400072"}
    assert area.localities == {
        "Andheri East": {"400069"},
        "Chakala": {"400069"},
        "Marol": {"400059"},
        "Saki Naka": {"400093", "400072"},
    }
    assert read_area("400069, 400 093;400059 and 12345").localities == {}
    assert read_area("Bandra West").pincodes == frozenset()  # a name without a PIN serves nothing


def test_a_place_is_found_by_its_name_in_any_script() -> None:
    area = read_area("400069 Andheri East; 400053 Andheri West; 400059 Marol")
    assert area.locality_in("do u deliver to marol?") == "Marol"
    assert area.locality_in("मरोल में डिलीवरी करते हो?") == "Marol"
    assert area.locality_in("andheri west me delivery hai?") == "Andheri West"
    assert area.locality_in("andheri e") is None
    assert area.locality_in("do you deliver to bandra") is None


def test_an_area_left_unsaid_serves_everywhere() -> None:
    assert DeliveryArea().serves("110001") and not DeliveryArea().restricted
    assert not read_area("400069").serves("110001")


def test_the_area_is_kept_on_the_shop_and_read_back(shop_id: int) -> None:
    with session_scope(write=True) as s:
        set_area(s, shop_id, "400069 Andheri East; 400059 Marol")
    with session_scope() as s:
        assert area_of(s, shop_id) == read_area("400059 Marol; 400069 Andheri East")
        assert delivery_area(s, shop_id) == {"400069", "400059"}
    with session_scope(write=True) as s:  # the FAQ commands' way: the same place
        set_delivery_area(s, shop_id, "560001")
    with session_scope() as s:
        assert area_of(s, shop_id) == DeliveryArea(frozenset({"560001"}), {})


def test_checkout_refuses_an_address_outside_the_area(shop_id: int) -> None:
    with session_scope(write=True) as s:
        set_area(s, shop_id, "400069 Andheri East")
        cart.add_packs(s, shop_id, WA_ID, [("STP-0013", 2)])
    with pytest.raises(OutsideArea) as refused, session_scope() as s:
        service.place_order(s, shop_id, WA_ID, **checkout(pincode="560001"))
    assert refused.value.code == "outside-delivery-area"
    assert refused.value.extra == {"pincode": "560001"}
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 0
        order = service.place_order(
            s, shop_id, WA_ID, **checkout(address="Flat 3, Chakala", pincode="400069")
        )
        assert order.pincode == "400069"
