"""The shopper's privacy commands, answered by the gateway before the engine hears them.

STOP, START and "delete my data" are exact commands (bot.parsing.privacy), the way WhatsApp
businesses handle STOP: read here, deterministically, whatever the model would have made of
them, and whether they were typed, tapped or sent from a template's quick-reply button. The
engine never hears them: the shopper's right cannot depend on a model's confidence.

- STOP ("band karo", "मैसेज मत भेजो") opts the shopper out of this shop's messages but the
  replies to their own and the notices of an order in progress (bot.privacy.consent);
- START opts them back in (said when not opted out, it is a greeting for the engine);
- "delete my data" asks first, with two buttons; "yes" erases (bot.privacy.erasure) — or
  says the order on its way must be finished first — and "no" keeps everything.

A plan's `effect` runs in `commit`'s transaction, with the row's move: the STOP and the
erasure are stored with the answer that confirms them, or neither is.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.whatsapp.inbox import InboxRow
from api.whatsapp.plan import Context, Effect, Plan, language_of
from api.whatsapp.render import Rendered, interactive, text_messages
from bot.db.session import session_scope
from bot.i18n import t
from bot.parsing.privacy import read_privacy_command
from bot.privacy import consent
from bot.privacy.erasure import (
    ERASED_OUTCOME,
    OrderInProgress,
    erase_conversations,
    erase_records,
)
from bot.settings import get_settings

# The confirmation buttons' payloads, with the language the question was asked in (the
# answer follows it): "/privacy_erase_yes:hinglish".
ERASE_YES = "/privacy_erase_yes"
ERASE_NO = "/privacy_erase_no"


def _said(key: str, language: str, **params: object) -> tuple[Rendered, ...]:
    return tuple(text_messages(t(key, language, **params)))


def _opt_out(s: Session, row: InboxRow, shop_id: int) -> Plan | None:
    consent.opt_out(s, shop_id, row.wa_id)
    return None


def _opt_in(s: Session, row: InboxRow, shop_id: int) -> Plan | None:
    consent.opt_in(s, shop_id, row.wa_id)
    return None


def _erasing(language: str) -> Effect:
    """The effect of "yes, delete": erase, or the plan it becomes when an order is still on
    its way (answered so, and nothing erased)."""

    def effect(s: Session, row: InboxRow, shop_id: int) -> Plan | None:
        settings = get_settings()
        try:
            erase_records(
                s, row.wa_id, settings.privacy_hash_secret.get_secret_value(), keep_inbox_id=row.id
            )
        except OrderInProgress as e:
            replies = _said("privacy_erase_order_open", language, order_id=e.order_id)
            return Plan("privacy:erase_waits_for_order", replies)
        erase_conversations(row.wa_id, settings)  # the engine's: another database
        return None

    return effect


def _is_opted_out(shop_id: int, wa_id: str) -> bool:
    with session_scope() as s:
        return consent.opted_out(s, shop_id, wa_id)


async def plan_privacy(ctx: Context, row: InboxRow, said: str) -> Plan | None:
    """The plan for a privacy command, None when `said` is none (the engine hears it)."""
    answer, _, asked_in = said.partition(":")
    if answer in (ERASE_YES, ERASE_NO):
        language = language_of(asked_in) if asked_in else await ctx.language(row.wa_id)
        if answer == ERASE_NO:
            return Plan("privacy:erase_kept", _said("privacy_erase_kept", language))
        return Plan(
            ERASED_OUTCOME,
            _said("privacy_erased", language),
            effect=_erasing(language),
        )
    command = read_privacy_command(said)
    if command is None:
        return None
    language = command.language or await ctx.language(row.wa_id)
    if command.command == "opt_out":
        return Plan("privacy:opt_out", _said("privacy_opted_out", language), effect=_opt_out)
    if command.command == "opt_in":
        if not await ctx.db(_is_opted_out, ctx.shop_id(), row.wa_id):
            return None  # START from someone who never said STOP: a greeting
        return Plan("privacy:opt_in", _said("privacy_opted_in", language), effect=_opt_in)
    buttons = [
        {"title": t("privacy_erase_yes", language), "payload": f"{ERASE_YES}:{language}"},
        {"title": t("privacy_erase_no", language), "payload": f"{ERASE_NO}:{language}"},
    ]
    return Plan(
        "privacy:erase_asked",
        tuple(interactive(t("privacy_erase_confirm", language), buttons, language)),
    )
