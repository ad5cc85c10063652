"""FastAPI dependencies: settings and a database session per request."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from bot.db.session import session_scope
from bot.settings import Settings, get_settings


def get_session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
