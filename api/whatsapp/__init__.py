"""The WhatsApp Cloud API channel: webhook gateway, durable inbox, engine forwarding, renderer,
Graph API client, notifications, and (in development) the simulator.

`install(app)` is all the app needs: it adds the routes and runs the gateway's background work
inside the app's lifespan.
"""
from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI

from bot.settings import get_settings

log = logging.getLogger("chatcart.whatsapp")


def install(app: FastAPI) -> None:
    from api.routes import whatsapp as webhook_routes
    from api.simulator import routes as simulator_routes

    app.include_router(webhook_routes.router)
    app.include_router(simulator_routes.router)
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            gateway = await start(app_)
            # What start-up loaded lives as long as the process. Left to the collector, every
            # full collection walks it all (~200,000 objects: 50–130 ms on this machine, with
            # no webhook acknowledged meanwhile); frozen, full collections see only the rest.
            gc.freeze()
            try:
                yield state
            finally:
                if gateway is not None:
                    await gateway.stop()
                    app_.state.whatsapp = None

    app.router.lifespan_context = lifespan


async def start(app: FastAPI) -> Any:
    from api.whatsapp.gateway import Gateway

    settings = get_settings()
    if problems := settings.whatsapp_problems():
        log.error("the WhatsApp channel is off:\n  - %s", "\n  - ".join(problems))
        return None
    if not settings.whatsapp_workers:
        return None
    gateway = Gateway(settings)
    app.state.whatsapp = gateway
    await gateway.start()
    return gateway
