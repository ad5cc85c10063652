"""The ASGI application: `uvicorn api.main:app`."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi

from api import errors, whatsapp
from api.console import routes as console
from api.console.deps import install_handlers as install_console_handlers
from api.routes import carts, catalog, health, merchant, orders, pay, payments
from api.routes import whatsapp as whatsapp_webhook
from api.simulator import routes as simulator
from bot.catalog.store import ensure_shop
from bot.db.session import session_scope
from bot.orders.service import expire_unpaid
from bot.settings import Settings, get_settings

log = logging.getLogger("chatcart.api")

ROUTERS = (
    health.router,
    catalog.router,
    carts.router,
    orders.router,
    payments.router,
    merchant.router,
    pay.router,
    whatsapp_webhook.router,
    simulator.router,
    console.router,
)


class UnsafeSettings(RuntimeError):
    """Production settings that would take orders unsafely: the service does not start."""


def check_settings(settings: Settings) -> None:
    if settings.is_production and (problems := settings.production_problems()):
        raise UnsafeSettings("refusing to start in production:\n  - " + "\n  - ".join(problems))


def _prepare(settings: Settings) -> None:
    with session_scope(write=True) as session:
        ensure_shop(session, settings.default_shop_slug, settings.default_shop_name)


def _expire() -> None:
    with session_scope(write=True) as session:
        if done := expire_unpaid(session):
            log.info("cancelled unpaid orders %s", done)


async def _expire_loop(every: float) -> None:
    """Unpaid UPI orders hold stock; past the payment timeout they are cancelled."""
    while True:
        await asyncio.sleep(every)
        try:
            await run_in_threadpool(_expire)
        except Exception:
            log.exception("expiring unpaid orders failed; trying again in %ss", every)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    check_settings(settings)
    await run_in_threadpool(_prepare, settings)
    task = None
    if settings.expire_unpaid_every_seconds > 0:
        task = asyncio.create_task(_expire_loop(settings.expire_unpaid_every_seconds))
    gateway = await whatsapp.start(app)
    # What start-up loaded lives as long as the process. Left to the collector, every full
    # collection walks it all (~200,000 objects: 50–130 ms on this machine, with no webhook
    # acknowledged meanwhile); frozen, full collections see only the rest.
    gc.freeze()
    try:
        yield
    finally:
        if gateway is not None:
            await gateway.stop()
            app.state.whatsapp = None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with every error documented as the problem+json it is."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = errors.Problem.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    problem = errors.problems(400, 422)
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.get("responses", {})
            if "422" in responses and "application/json" in responses["422"].get("content", {}):
                responses["422"] = problem[422]
            if "requestBody" in operation:  # a body that is not JSON at all
                responses.setdefault("400", problem[400])
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    app.openapi_schema = schema
    return schema


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    check_settings(settings)
    app = FastAPI(
        title="ChatCart",
        version="0.1.0",
        description="A conversational grocery shop for WhatsApp. Money is in integer paise; "
        "errors are RFC 9457 problem details.",
        lifespan=lifespan,
    )
    errors.install(app)
    if settings.cors_origins:  # closed unless origins are listed
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Content-Type", "X-API-Key", "Idempotency-Key"],
        )
    install_console_handlers(app, settings)
    for router in ROUTERS:
        app.include_router(router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]  # FastAPI documents replacing app.openapi
    return app


app = create_app()
