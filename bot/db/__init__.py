"""Storage: SQLAlchemy 2 models and sessions (SQLite by default, PostgreSQL via DATABASE_URL)."""
from bot.db.base import Base, create_engine_for, session_factory

__all__ = ["Base", "create_engine_for", "session_factory"]
