"""The action server's perimeter, attached through rasa-sdk's own plugin hook (rasa-sdk imports
a package of this name at start and calls `init_hooks`): every call but the health check must
carry `Authorization: Bearer ACTION_SERVER_SECRET`, which the engine sends from endpoints.yml.
Without it anyone who reaches the port could run any action for any shopper — add to a cart,
place an order, silence a conversation."""

from __future__ import annotations

import hmac
from typing import Any

import pluggy
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

from bot.settings import get_settings

hookimpl = pluggy.HookimplMarker("rasa_sdk")
OPEN = frozenset({"/health"})


def init_hooks(manager: pluggy.PluginManager) -> None:
    manager.register(ActionServerAuth())


class ActionServerAuth:
    @hookimpl
    def attach_sanic_app_extensions(self, app: Sanic[Any, Any]) -> None:
        expected = f"Bearer {get_settings().action_server_secret.get_secret_value()}".encode()

        @app.on_request
        async def authenticate(request: Request) -> HTTPResponse | None:
            if request.path in OPEN:
                return None
            given = request.headers.get("Authorization", "").encode()
            if hmac.compare_digest(given, expected):
                return None
            return json({"error": "the action server needs ACTION_SERVER_SECRET"}, status=401)
