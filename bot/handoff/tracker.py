"""The Rasa engine's conversation tracker over its HTTP API (the engine runs with `--enable-api`).

Reading a shopper's recent messages and handing the conversation back to the bot are both the
engine's business: the `handoff` slot lives in its tracker, and the bot keeps quiet while it is
true (data/rules.yml). Setting it false is one `slot` event appended to the tracker.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from bot.errors import ShopError
from bot.settings import Settings

HANDOFF_SLOT = "handoff"


class EngineUnavailable(ShopError):
    code = "engine-unavailable"
    title = "The assistant's engine did not answer"


class EngineTracker:
    def __init__(self, base_url: str, token: str = "", timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token  # the engine's --auth-token (RASA_TOKEN), sent as ?token=
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineTracker:
        return cls(settings.rasa_url, settings.rasa_token.get_secret_value())

    def _url(self, conversation_id: str, path: str = "") -> str:
        return f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/tracker{path}"

    def _call(self, method: str, url: str, params: dict[str, str], **kwargs: Any) -> dict[str, Any]:
        if self.token:
            params = {**params, "token": self.token}
        try:
            r = httpx.request(method, url, params=params, timeout=self.timeout, **kwargs)
            r.raise_for_status()
            return dict(r.json() or {})
        except httpx.HTTPStatusError as e:  # the message would show the URL, token included
            raise EngineUnavailable(
                f"the engine at {self.base_url} answered HTTP {e.response.status_code}"
            ) from e
        except (httpx.HTTPError, ValueError) as e:
            raise EngineUnavailable(
                f"the engine at {self.base_url} did not answer ({type(e).__name__})"
            ) from e

    def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's slots and every event (Rasa's `include_events=ALL`)."""
        return self._call("GET", self._url(conversation_id), params={"include_events": "ALL"})

    def hand_back(self, conversation_id: str) -> bool:
        """Set the `handoff` slot to false: the bot answers the shopper's next message. Returns
        the slot's value afterwards as the engine reports it (False when it worked)."""
        state = self._call(
            "POST",
            self._url(conversation_id, "/events"),
            params={"include_events": "NONE"},
            json={"event": "slot", "name": HANDOFF_SLOT, "value": False},
        )
        return bool((state.get("slots") or {}).get(HANDOFF_SLOT))


def event_time(event: dict[str, Any]) -> datetime | None:
    stamp = event.get("timestamp")
    return datetime.fromtimestamp(float(stamp), UTC) if isinstance(stamp, (int, float)) else None
