"""Tables. Every shop-owned row carries `shop_id` so that one deployment can serve many shops."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, utcnow
from bot.vocabulary import (
    ORDER_STATUSES,
    PAYMENT_STATUSES,
    OrderStatus,
    PackUnit,
    PaymentMethod,
    PaymentStatus,
)


class Shop(Base):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Bumped on every catalog or alias change so cached search indexes know they are stale.
    catalog_version: Mapped[int] = mapped_column(Integer, default=0)
    # The PIN codes the shop delivers to, space-separated; empty: it has not said (no check).
    delivery_pincodes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The places in that area by the names shoppers use, one `name=PIN PIN` line each
    # (`bot.shops.area`): "do you deliver to Marol?" is answered like a PIN code.
    delivery_localities: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Its WhatsApp business number: inbound webhooks name it (`metadata.phone_number_id`), which
    # is how a message finds its shop; replies and notifications go out from it. None: the shop
    # has no number yet (only the default shop answers the platform's number without one).
    # A unique index, not a constraint: adding a constraint rebuilds the table on SQLite, and
    # dropping the old `shops` would cascade to every row that belongs to a shop.
    phone_number_id: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    display_phone_number: Mapped[str] = mapped_column(String(32), default="", server_default="")
    # A shop on a Meta app of its own; None: the platform's token and app secret (settings).
    access_token: Mapped[str | None] = mapped_column(Text)
    app_secret: Mapped[str | None] = mapped_column(Text)
    # Checkout terms in paise and the shop's local hours; None: the platform's setting
    # (DELIVERY_FEE_PAISE, FREE_DELIVERY_FROM_PAISE, MIN_ORDER_PAISE, SHOP_OPEN_HOUR,
    # SHOP_CLOSE_HOUR), so a shop that never set them charges what a one-shop deployment did.
    delivery_fee_paise: Mapped[int | None] = mapped_column(BigInteger)
    free_delivery_from_paise: Mapped[int | None] = mapped_column(BigInteger)
    minimum_order_paise: Mapped[int | None] = mapped_column(BigInteger)
    opens_at_hour: Mapped[int | None] = mapped_column(Integer)
    closes_at_hour: Mapped[int | None] = mapped_column(Integer)
    # A payment account of its own (`bot.payments.configured.provider_for_shop`): "sandbox" or
    # "razorpay" with its key id, key secret and webhook secret; None: the platform's account.
    payment_provider: Mapped[str | None] = mapped_column(String(16))
    payment_key_id: Mapped[str | None] = mapped_column(Text)
    payment_key_secret: Mapped[str | None] = mapped_column(Text)
    payment_webhook_secret: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ShopFaq(Base):
    """A question shoppers ask and the merchant's answer; Hindi and Hinglish answers are
    optional (the English one is sent instead)."""

    __tablename__ = "shop_faqs"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    answer_hi: Mapped[str] = mapped_column(Text, default="")
    answer_hinglish: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Category(Base):
    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("shop_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    name_hi: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("shop_id", "sku"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("price_paise >= 0 AND mrp_paise >= price_paise", name="price_le_mrp"),
        CheckConstraint("pack_unit IN ('g', 'ml', 'pc')", name="pack_unit_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(100), default="")
    name: Mapped[str] = mapped_column(String(300))
    name_hi: Mapped[str] = mapped_column(String(300), default="")
    brand: Mapped[str] = mapped_column(String(120), default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    pack_size: Mapped[int] = mapped_column(Integer)
    pack_unit: Mapped[PackUnit] = mapped_column(String(4))
    mrp_paise: Mapped[int] = mapped_column(BigInteger)
    price_paise: Mapped[int] = mapped_column(BigInteger)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    # Shelf order within the catalog: the tie-breaker a shopkeeper would use ("the usual one").
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # A photo of the pack on the web ("" when there is none), shown by catalogs such as Meta's.
    image_url: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    category: Mapped[Category | None] = relationship(lazy="joined")
    aliases: Mapped[list[ProductAlias]] = relationship(
        back_populates="product", cascade="all, delete-orphan", lazy="selectin"
    )


class ProductAlias(Base):
    """A term shoppers use for a product; `source` tells seed data from a merchant's fix."""

    __tablename__ = "product_aliases"
    __table_args__ = (UniqueConstraint("product_id", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    alias: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(20), default="seed")
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    product: Mapped[Product] = relationship(back_populates="aliases")


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("shop_id", "wa_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    wa_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The shopper said STOP to this shop: only replies to their own messages and the notices
    # of an order in progress reach them until they say START (bot.privacy.consent).
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Their personal data was erased (bot.privacy.erasure): `wa_id` is then a keyed hash of
    # the number, kept only so that the orders accounting must keep still have a customer.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Cart(Base):
    __tablename__ = "carts"
    __table_args__ = (UniqueConstraint("shop_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    lines: Mapped[list[CartLine]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CartLine.id"
    )


class CartLine(Base):
    __tablename__ = "cart_lines"
    __table_args__ = (
        UniqueConstraint("cart_id", "product_id"),
        CheckConstraint("count > 0", name="count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    count: Mapped[int] = mapped_column(Integer)
    product: Mapped[Product] = relationship(lazy="joined")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Order(Base):
    """A placed order. `idempotency_key` makes a retried checkout return this order, not a new one."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("shop_id", "idempotency_key"),
        CheckConstraint(_in("status", ORDER_STATUSES), name="status_valid"),
        CheckConstraint("payment_method IN ('upi', 'cod')", name="payment_method_valid"),
        CheckConstraint("total_paise = subtotal_paise + delivery_fee_paise", name="total_adds_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[OrderStatus] = mapped_column(String(30), default="pending_payment", index=True)
    subtotal_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    delivery_fee_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    total_paise: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    # A hash of what the request asked for: the same key with a different request is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    payment_method: Mapped[PaymentMethod] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(Text)
    pincode: Mapped[str] = mapped_column(String(6))
    delivery_slot: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    lines: Mapped[list[OrderLine]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OrderLine.id"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OrderEvent.id"
    )
    customer: Mapped[Customer] = relationship(lazy="joined")


class OrderLine(Base):
    """Name, pack and price are copied at order time: later catalog edits never rewrite history."""

    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("count > 0", name="count_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    brand: Mapped[str] = mapped_column(String(120), default="")
    pack_size: Mapped[int] = mapped_column(Integer)
    pack_unit: Mapped[PackUnit] = mapped_column(String(4))
    unit_price_paise: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer)


class OrderEvent(Base):
    """One status change: when, from what, to what, and who did it. Never updated, never deleted."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[OrderStatus | None] = mapped_column(String(30))
    to_status: Mapped[OrderStatus] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Payment(Base):
    """Money asked for one order. `public_id` is what links and pages show; it is unguessable."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("provider", "provider_ref"),
        CheckConstraint(_in("status", PAYMENT_STATUSES), name="status_valid"),
        CheckConstraint("amount_paise > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    provider_ref: Mapped[str] = mapped_column(String(100))
    provider_payment_id: Mapped[str | None] = mapped_column(String(100))
    amount_paise: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="INR")
    status: Mapped[PaymentStatus] = mapped_column(String(20), default="created", index=True)
    pay_url: Mapped[str] = mapped_column(String(500))
    # Why a merchant must look at this payment (amount mismatch, paid after cancellation…).
    flag_reason: Mapped[str | None] = mapped_column(Text)
    refund_ref: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    order: Mapped[Order] = relationship(lazy="joined")


class PaymentEvent(Base):
    """Every verified provider event, once: a replayed or duplicated delivery finds its row here."""

    __tablename__ = "payment_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), index=True
    )
    payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("payments.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(100))
    event_type: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OutboxMessage(Base):
    """A message for the shopper, written in the same transaction as the change it announces,
    so that nothing is lost while the WhatsApp sender is down. `dedupe_key` keeps one message
    per fact (one per status reached, one per payment event)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("shop_id", "dedupe_key"),
        CheckConstraint("status IN ('pending', 'sent', 'dead')", name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    wa_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(10))
    template: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """A key for the merchant (or a trusted channel) API. Only its SHA-256 is stored: the key
    itself is shown once, when it is made."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("scope IN ('merchant', 'channel')", name="scope_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MerchantUser(Base):
    """A person who runs a shop from the console. Passwords are Argon2id hashes; repeated
    failures lock the account for a while (`failed_logins`, `locked_until`)."""

    __tablename__ = "merchant_users"
    __table_args__ = (UniqueConstraint("username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(100))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # An operator runs every shop of the deployment and may create shops (the console's
    # /merchant/shops); a merchant runs their own shop and those of their memberships.
    is_operator: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MerchantMembership(Base):
    """A shop a console user runs besides their own (`MerchantUser.shop_id`)."""

    __tablename__ = "merchant_memberships"
    __table_args__ = (UniqueConstraint("user_id", "shop_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("merchant_users.id", ondelete="CASCADE"))
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MerchantSession(Base):
    """A console login. The cookie carries a random token; only its SHA-256 is stored, next to
    the CSRF token that every form of that session must send back."""

    __tablename__ = "merchant_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("merchant_users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The shop this session is acting on (the console's shop switcher); None: the user's own.
    # No foreign key (see migration 0012): a shop the user no longer runs is simply not used.
    shop_id: Mapped[int | None] = mapped_column(Integer)


class ReviewItem(Base):
    """A query the bot misunderstood, kept for a merchant to fix."""

    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # fallback | low_confidence | unmatched | ...
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(10), default="")
    prediction: Mapped[str | None] = mapped_column(String(200))
    confidence: Mapped[float | None] = mapped_column(Float)
    conversation_id: Mapped[str | None] = mapped_column(String(100), index=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
