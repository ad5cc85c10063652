"""Payment bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from bot.payments.ledger import PaymentView
from bot.payments.webhooks import WebhookResult
from bot.vocabulary import PaymentStatus


class PaymentOut(BaseModel):
    id: str
    order_id: int
    provider: str
    status: PaymentStatus
    amount_paise: int = Field(gt=0)
    currency: str
    pay_url: str
    flag_reason: str | None
    created_at: datetime
    paid_at: datetime | None

    @classmethod
    def of(cls, p: PaymentView) -> PaymentOut:
        return cls(
            id=p.id,
            order_id=p.order_id,
            provider=p.provider,
            status=p.status,
            amount_paise=p.amount_paise,
            currency=p.currency,
            pay_url=p.pay_url,
            flag_reason=p.flag_reason,
            created_at=p.created_at,
            paid_at=p.paid_at,
        )


class WebhookAck(BaseModel):
    event_id: str
    outcome: str
    duplicate: bool

    @classmethod
    def of(cls, r: WebhookResult) -> WebhookAck:
        return cls(event_id=r.event_id, outcome=r.outcome, duplicate=r.duplicate)
