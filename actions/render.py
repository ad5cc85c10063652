"""Turning cart and product records into chat text and buttons, in the shopper's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from actions.runtime import Turn
from bot.cart.model import CartView
from bot.catalog.model import CatalogProduct, format_rupees

MAX_BUTTONS = 10  # the WhatsApp gateway turns more than 3 into a list message


def cart_text(turn: Turn, cart: CartView, header: str | None = None) -> str:
    if cart.is_empty:
        return turn.t("cart_empty")
    rows = [header or turn.t("cart_header")]
    for line in cart.lines:
        mark = "" if line.in_stock else " ⚠️"
        rows.append(
            f"• {turn.label(line, line.count)} — {format_rupees(line.line_total_paise)}{mark}"
        )
    rows.append(turn.t("subtotal", amount=format_rupees(cart.subtotal_paise)))
    rows.append(
        turn.t("delivery_fee", amount=format_rupees(cart.delivery_fee_paise))
        if cart.delivery_fee_paise
        else turn.t("free_delivery")
    )
    rows.append(f"*{turn.t('total', amount=format_rupees(cart.total_paise))}*")
    if cart.below_minimum:
        rows.append(
            turn.t(
                "below_minimum",
                amount=format_rupees(cart.minimum_order_paise),
                short=format_rupees(cart.minimum_order_paise - cart.subtotal_paise),
            )
        )
    return "\n".join(rows)


def cart_buttons(turn: Turn, cart: CartView) -> list[dict[str, str]]:
    if cart.is_empty or cart.below_minimum:
        return []
    return [{"title": turn.t("meaning_checkout"), "payload": "/checkout"}]


def distinct_labels(turn: Turn, options: Sequence[CatalogProduct]) -> list[str]:
    """Each option by what sets it apart from the others: "India Gate Basmati Rice Tibar 1 kg"
    beside its Dubar and Classic is "Tibar 1 kg". A list row shows 24 characters, and five rows
    of "India Gate Basmati Rice…" tell the shopper nothing."""
    labels = [turn.label(p) for p in options]
    if len(labels) < 2:
        return labels
    words = [label.split() for label in labels]
    common = set(words[0]).intersection(*words[1:])
    return [
        " ".join(w for w in ws if w not in common) or label
        for ws, label in zip(words, labels, strict=True)
    ]


def change_offer(turn: Turn, changes: Sequence[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """What was picked for the shopper, and the others one tap away."""
    engine, _ = turn.engine()
    by_sku = engine.index.by_sku
    picked = ", ".join(
        f"{turn.label(by_sku[c['picked']])} ({c['item']})" for c in changes if c["picked"] in by_sku
    )
    buttons: list[dict[str, Any]] = []
    for change in changes:
        offered = [by_sku[sku] for sku in change["options"] if sku in by_sku]
        chosen = [by_sku[change["picked"]]] if change.get("picked") in by_sku else []
        shown = distinct_labels(turn, [*offered, *chosen])
        for p, short in zip(offered, shown, strict=False):
            if len(buttons) < MAX_BUTTONS:
                buttons.append(
                    {
                        "title": f"{short} {format_rupees(p.price_paise)}",
                        "payload": f'/choose_option{{"choice":"{p.sku}"}}',
                    }
                )
    return turn.t("picked_usual", items=picked), buttons


def choice_question(
    turn: Turn, item: str, options: Sequence[CatalogProduct]
) -> tuple[str, list[dict[str, Any]]]:
    rows = [turn.t("which_one", item=item)]
    buttons = []
    shown = options[:MAX_BUTTONS]
    for i, (p, short) in enumerate(zip(shown, distinct_labels(turn, shown), strict=True), start=1):
        rows.append(f"{i}. {turn.label(p)} {format_rupees(p.price_paise)}")
        buttons.append(
            {
                "title": f"{i}. {short}",
                "payload": f'/choose_option{{"choice":"{p.sku}"}}',
            }
        )
    return "\n".join(rows), buttons
