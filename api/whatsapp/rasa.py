"""The Rasa engine over its standard REST channel (`POST /webhooks/rest/webhook`), with the
shopper's WhatsApp id as `sender` and the WhatsApp message id in `metadata` (Rasa stores it on
the user event, which is how a restarted gateway finds out whether a turn already ran)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx


class EngineUnavailable(RuntimeError):
    """The engine did not answer; the message stays in the inbox and is tried again.
    `refused`: it did answer, with an error for this request (not a proxy's or an overloaded
    server's 502/503/504), which the same message is likely to get again."""

    def __init__(self, message: str, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


def _refused(error: httpx.HTTPError) -> bool:
    return isinstance(error, httpx.HTTPStatusError) and error.response.status_code not in (
        502,
        503,
        504,
    )


class RasaClient:
    """`token` is the engine's RASA_TOKEN: its HTTP API (the tracker) takes it as `?token=`, its
    REST channel (rasa_engine/channels.py) as a Bearer header."""

    def __init__(self, base_url: str, timeout: float = 60.0, token: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(timeout=timeout)
        self._auth = {"token": token} if token else {}
        self._channel_auth = {"Authorization": f"Bearer {token}"} if token else {}

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            r = await self._http.post(
                f"{self.base_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": metadata},
                headers=self._channel_auth,
            )
            r.raise_for_status()
        except httpx.HTTPError as e:
            raise EngineUnavailable(f"engine: {e!r}", _refused(e)) from e
        return list(r.json() or [])

    async def _tracker(self, sender: str, events: str) -> dict[str, Any]:
        try:
            r = await self._http.get(
                f"{self.base_url}/conversations/{quote(sender, safe='')}/tracker",
                params={"include_events": events, **self._auth},
            )
            r.raise_for_status()
        except httpx.HTTPError as e:
            raise EngineUnavailable(f"engine tracker: {e!r}") from e
        tracker: dict[str, Any] = r.json()
        return tracker

    async def slots(self, sender: str) -> dict[str, Any]:
        return dict((await self._tracker(sender, "NONE")).get("slots") or {})

    async def replies_for(self, sender: str, wamid: str) -> list[dict[str, Any]] | None:
        """The bot's replies to the user message carrying `wamid`, read back from the tracker;
        None when the engine has no such message (it never got it)."""
        events = (await self._tracker(sender, "ALL")).get("events") or []
        found = False
        replies: list[dict[str, Any]] = []
        for e in events:
            if e.get("event") == "user":
                if found:
                    break
                found = (e.get("metadata") or {}).get("wamid") == wamid
            elif found and e.get("event") == "bot":
                data = e.get("data") or {}
                reply: dict[str, Any] = {"recipient_id": sender}
                if e.get("text"):
                    reply["text"] = e["text"]
                for key in ("buttons", "image", "custom"):
                    if data.get(key):
                        reply[key] = data[key]
                replies.append(reply)
        return replies if found else None
