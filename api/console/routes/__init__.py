"""Console pages, one module per area, gathered under `/merchant` in one router."""

from fastapi import APIRouter

from api.console.routes import (
    auth,
    catalog,
    dashboard,
    handoff,
    orders,
    privacy,
    review,
    shops,
)

PREFIX = "/merchant"
AREAS = (auth, catalog, dashboard, handoff, orders, privacy, review, shops)

router = APIRouter()
for area in AREAS:
    router.include_router(area.router, prefix=PREFIX, include_in_schema=False)
