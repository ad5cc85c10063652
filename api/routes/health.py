"""Liveness and readiness: `make run` waits on this before printing the URLs."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import func, select

from api.deps import SessionDep, SettingsDep
from bot.db.models import Product

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    environment: str
    database: str
    products: int


@router.get("/health", response_model=Health)
def health(session: SessionDep, settings: SettingsDep) -> Health:
    products = session.scalar(select(func.count()).select_from(Product)) or 0
    return Health(
        status="ok",
        environment=settings.environment,
        database=session.get_bind().dialect.name,
        products=products,
    )
