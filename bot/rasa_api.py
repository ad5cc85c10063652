"""The one client of the Rasa engine's HTTP surfaces, for every process that talks to it.

- the REST channel (`POST /webhooks/rest/webhook`): a turn, with the shopper's conversation id
  as `sender` and the WhatsApp message id in `metadata` (Rasa keeps it on the user event, which
  is how a restarted gateway finds out whether a turn already ran); it asks for RASA_TOKEN as a
  Bearer header (rasa_engine/channels.py);
- the tracker (`/conversations/{id}/tracker`): slots, events, and events appended (the console
  hands a conversation back by setting the `handoff` slot);
- the model API (`GET /status`, `PUT /model`): which model serves, and swapping in another.

The HTTP API takes RASA_TOKEN as `?token=`. The gateway runs on asyncio, the console and the
CLI do not: each request is described once (`_Call`) and sent either way, so URLs, credentials
and the meaning of a failure are written here only. A failure never carries the URL, which
would show the token.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from bot.errors import ShopError
from bot.settings import Settings

PROXY_STATUSES = frozenset({502, 503, 504})  # a proxy's or an overloaded server's: not an answer
HANDOFF_SLOT = "handoff"


class EngineError(ShopError):
    code = "engine-unavailable"
    title = "The assistant's engine did not answer"


class EngineUnreachable(EngineError):
    """Nothing answered (not running, a timeout, or a proxy's 502/503/504): the same request
    may well work once it is back."""


class EngineRefused(EngineError):
    """It answered, with an error for this very request, which the same request is likely to
    get again; `status` is the HTTP status."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class _Call:
    method: str
    path: str
    what: str  # for messages: "the REST channel", "the tracker", …
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None


def _tracker_path(conversation_id: str, tail: str = "") -> str:
    """`@` stays as it is (a path may hold it): the engine does not decode `%40`, and a shop's
    conversation (`919800000777@kirana`) would be read as a new, empty one."""
    return f"/conversations/{quote(conversation_id, safe='@')}/tracker{tail}"


def _reason(r: httpx.Response) -> str:
    try:
        body = r.json()
    except ValueError:
        return r.text[:300]
    return str(body.get("message") or body.get("reason") or body) if isinstance(body, dict) else ""


def replies_in(
    events: list[dict[str, Any]], sender: str, wamid: str
) -> list[dict[str, Any]] | None:
    """The bot's replies to the user message carrying `wamid`, as the REST channel would have
    answered them; None when the tracker holds no such message (the engine never got it)."""
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


class EngineClient:
    """`token` is the engine's RASA_TOKEN ("" when it runs without one); `timeout` bounds a
    turn or a read (loading a model passes its own, longer one)."""

    def __init__(self, base_url: str, token: str = "", timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._api_auth = {"token": token} if token else {}
        self._channel_auth = {"Authorization": f"Bearer {token}"} if token else {}
        self._async: httpx.AsyncClient | None = None

    @classmethod
    def from_settings(cls, settings: Settings, timeout: float = 60.0) -> EngineClient:
        return cls(settings.rasa_url, settings.rasa_token.get_secret_value(), timeout)

    # what each request is

    def _turn(self, sender: str, text: str, metadata: dict[str, Any]) -> _Call:
        body = {"sender": sender, "message": text, "metadata": metadata}
        return _Call(
            "POST", "/webhooks/rest/webhook", "the REST channel", {}, self._channel_auth, body
        )

    def _read(self, conversation_id: str, events: str) -> _Call:
        params = {"include_events": events, **self._api_auth}
        return _Call("GET", _tracker_path(conversation_id), "the tracker", params)

    # how it is sent, and what a failure means

    def _failure(self, call: _Call, error: httpx.HTTPError) -> EngineError:
        where = f"{call.what} of the engine at {self.base_url}"
        if isinstance(error, httpx.HTTPStatusError):
            status = error.response.status_code
            if status in PROXY_STATUSES:
                return EngineUnreachable(f"{where} answered HTTP {status}")
            if status in (401, 403):
                return EngineRefused(
                    f"{where} refused the request ({status}): RASA_TOKEN must be the token "
                    "the engine was started with",
                    status,
                )
            return EngineRefused(
                f"{where} answered HTTP {status}: {_reason(error.response)}", status
            )
        return EngineUnreachable(f"{where} did not answer ({type(error).__name__})")

    def _sync(self, call: _Call, timeout: float | None = None) -> Any:
        try:
            r = httpx.request(
                call.method,
                self.base_url + call.path,
                params=call.params,
                headers=call.headers,
                json=call.json,
                timeout=httpx.Timeout(timeout or self.timeout, connect=5.0),
            )
            r.raise_for_status()
            return r.json() if r.content else {}
        except httpx.HTTPError as e:
            raise self._failure(call, e) from None
        except ValueError as e:
            raise EngineRefused(f"{call.what}: not JSON ({e})", 200) from None

    async def _asynchronous(self, call: _Call) -> Any:
        if self._async is None:
            self._async = httpx.AsyncClient(timeout=self.timeout)
        try:
            r = await self._async.request(
                call.method,
                self.base_url + call.path,
                params=call.params,
                headers=call.headers,
                json=call.json,
            )
            r.raise_for_status()
            return r.json() if r.content else {}
        except httpx.HTTPError as e:
            raise self._failure(call, e) from None
        except ValueError as e:
            raise EngineRefused(f"{call.what}: not JSON ({e})", 200) from None

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()
            self._async = None

    # the gateway's turn (asyncio)

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """The engine's replies to one message."""
        return list(await self._asynchronous(self._turn(sender, text, metadata)) or [])

    async def slots(self, sender: str) -> dict[str, Any]:
        return dict((await self._asynchronous(self._read(sender, "NONE"))).get("slots") or {})

    async def replies_for(self, sender: str, wamid: str) -> list[dict[str, Any]] | None:
        """The replies the engine gave the message carrying `wamid`, read back from its tracker
        (None: it never got the message)."""
        tracker = await self._asynchronous(self._read(sender, "ALL"))
        return replies_in(tracker.get("events") or [], sender, wamid)

    # the console and the CLI

    def tracker(self, conversation_id: str) -> dict[str, Any]:
        """The conversation's slots and every event (Rasa's `include_events=ALL`)."""
        return dict(self._sync(self._read(conversation_id, "ALL")) or {})

    def hand_back(self, conversation_id: str) -> bool:
        """Set the `handoff` slot to false: the bot answers the shopper's next message. Returns
        the slot's value afterwards as the engine reports it (False when it worked)."""
        event = {"event": "slot", "name": HANDOFF_SLOT, "value": False}
        call = _Call(
            "POST",
            _tracker_path(conversation_id, "/events"),
            "the tracker",
            {"include_events": "NONE", **self._api_auth},
            json=event,
        )
        return bool((self._sync(call).get("slots") or {}).get(HANDOFF_SLOT))

    def status(self) -> dict[str, Any]:
        """`model_file` and `model_id` of the loaded model."""
        return dict(self._sync(_Call("GET", "/status", "the model API", self._api_auth)))

    def load(self, model_file: Path, timeout: float = 900.0) -> None:
        """Replace the engine's model; returns once the new one serves (a minute or more on
        two busy cores)."""
        body = {"model_file": str(model_file.resolve())}
        self._sync(_Call("PUT", "/model", "the model API", self._api_auth, json=body), timeout)
