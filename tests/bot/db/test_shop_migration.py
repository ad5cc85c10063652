"""Migration 0008 on a one-shop database: every row stays in the default shop, which takes the
platform's WhatsApp number, and its terms stay the platform's."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, text

from bot.db.migrate import alembic_config
from bot.settings import get_settings
from tests.bot.db.test_migrations import empty_engine

__all__ = ["empty_engine"]


def test_a_one_shop_database_keeps_its_rows_and_the_default_shop_takes_the_number(
    empty_engine: Engine,
) -> None:
    settings = get_settings()
    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0007")
        conn.execute(
            text(
                "INSERT INTO shops (id, slug, name, catalog_version, delivery_pincodes, created_at)"
                " VALUES (1, :slug, 'Kirana', 3, '400069', CURRENT_TIMESTAMP),"
                " (2, 'other', 'Other', 0, '', CURRENT_TIMESTAMP)"
            ),
            {"slug": settings.default_shop_slug},
        )
        conn.execute(
            text(
                "INSERT INTO customers (shop_id, wa_id, name, language, created_at)"
                " VALUES (1, '919800000001', 'A', 'hi', CURRENT_TIMESTAMP)"
            )
        )
        command.upgrade(alembic_config(conn), "head")
    with empty_engine.connect() as conn:
        shops = conn.execute(
            text(
                "SELECT slug, phone_number_id, catalog_version, delivery_pincodes,"
                " delivery_fee_paise, minimum_order_paise, opens_at_hour FROM shops ORDER BY id"
            )
        ).all()
        customers = conn.execute(text("SELECT shop_id, wa_id, language FROM customers")).all()
    assert [tuple(r) for r in shops] == [
        (
            settings.default_shop_slug,
            settings.whatsapp_phone_number_id,
            3,
            "400069",
            None,
            None,
            None,
        ),
        ("other", None, 0, "", None, None, None),
    ]
    assert [tuple(r) for r in customers] == [(1, "919800000001", "hi")]
    with empty_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0007")
        command.upgrade(alembic_config(conn), "head")


def test_a_one_shop_database_keeps_the_platforms_payment_account_and_names_no_places(
    empty_engine: Engine,
) -> None:
    """0010 and 0011: a shop of an older database names no places in its area and pays through
    the platform's account (`PAYMENT_PROVIDER`), as it did."""
    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0009")
        conn.execute(
            text(
                "INSERT INTO shops (id, slug, name, catalog_version, delivery_pincodes, created_at)"
                " VALUES (1, 'kirana', 'Kirana', 0, '400069 400059', CURRENT_TIMESTAMP)"
            )
        )
        command.upgrade(alembic_config(conn), "head")
    with empty_engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT delivery_pincodes, delivery_localities, payment_provider, payment_key_id,"
                " payment_key_secret, payment_webhook_secret FROM shops"
            )
        ).one()
    assert tuple(row) == ("400069 400059", "", None, None, None, None)
    with empty_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0009")
        command.upgrade(alembic_config(conn), "head")


def test_a_console_user_keeps_their_one_shop_and_is_no_operator(empty_engine: Engine) -> None:
    """0012: existing users run exactly the shop they ran, and their sessions act on it."""
    with empty_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0011")
        conn.execute(
            text(
                "INSERT INTO shops (id, slug, name, catalog_version, delivery_pincodes, created_at)"
                " VALUES (1, 'kirana', 'Kirana', 0, '', CURRENT_TIMESTAMP),"
                " (2, 'other', 'Other', 0, '', CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO merchant_users (id, shop_id, username, display_name, password_hash,"
                " failed_logins, created_at) VALUES (1, 1, 'owner', 'Owner', 'x', 0,"
                " CURRENT_TIMESTAMP)"
            )
        )
        command.upgrade(alembic_config(conn), "head")
    with empty_engine.connect() as conn:
        user = conn.execute(text("SELECT shop_id, is_operator FROM merchant_users")).one()
        members = conn.execute(text("SELECT count(*) FROM merchant_memberships")).scalar()
    assert tuple(user) == (1, False) and members == 0
    with empty_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0011")
        command.upgrade(alembic_config(conn), "head")
