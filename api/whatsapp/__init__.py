"""The WhatsApp Cloud API channel: webhook gateway, durable inbox, engine forwarding, renderer,
Graph API client, notifications, and (in development) the simulator.

`start(app)` runs the gateway's background work; the app's lifespan calls it, and its routes
(`api.routes.whatsapp`, `api.simulator.routes`) are in the app's one router list.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI

from bot.settings import get_settings

log = logging.getLogger("chatcart.whatsapp")


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
