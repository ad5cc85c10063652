"""Rasa's REST channel behind the engine's token. `--auth-token` guards the engine's HTTP API
but no channel: anyone reaching `/webhooks/rest/webhook` could chat as any number. This is the
same channel — name, URL, payloads, replies — that answers only callers sending
`Authorization: Bearer RASA_TOKEN` whenever the engine has a token (credentials.yml)."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


class TokenRestInput(RestInput):
    def __init__(self, token: str = "") -> None:
        self.token = token

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(str((credentials or {}).get("token") or ""))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        expected = f"Bearer {self.token}".encode()

        @webhook.middleware("request")
        async def authenticate(request: Request) -> HTTPResponse | None:
            if not self.token or request.method != "POST":
                return None
            given = request.headers.get("Authorization", "").encode()
            if hmac.compare_digest(given, expected):
                return None
            return response.json({"error": "the REST channel needs RASA_TOKEN"}, status=401)

        return webhook
