"""Storage: SQLAlchemy 2 models and sessions (SQLite by default, PostgreSQL via DATABASE_URL).

Importing any module of the package registers every table on `Base.metadata`, so that
`create_all`, Alembic and the mappers always see the whole schema."""

from bot.db import meta_catalog_models, models, review_models, whatsapp_models
from bot.db.base import Base, create_engine_for, session_factory

__all__ = [
    "Base",
    "create_engine_for",
    "meta_catalog_models",
    "models",
    "review_models",
    "session_factory",
    "whatsapp_models",
]
