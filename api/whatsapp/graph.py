"""The Graph API client: `POST {graph}/{version}/{phone-number-id}/messages`.

- Retries 429 and 5xx (and network errors) with exponential backoff and jitter, honouring
  `Retry-After`; Meta's throughput errors (codes 4, 80007, 130429, 131056) are rate limits
  whatever the HTTP status, so they are retried too. Any other 4xx is final: not retried,
  logged with Meta's error.
- A per-number send rate (`WHATSAPP_SEND_RATE`, 80/s by default, Meta's default tier): a
  token bucket in front of every request.
- Every send is logged with its WhatsApp message id.
- WhatsApp Pay payments are looked up (`GET /{version}/{phone-number-id}/payments/
  {configuration}/{reference_id}`) before a payment webhook is believed.
- Media (a shopper's photo) is fetched as Meta documents it: `GET /{version}/{media-id}`
  gives a short-lived URL, which is downloaded with the same bearer token; never more than
  the caller's byte limit is read, whatever the server says the size is.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import time
from typing import Any
from urllib.parse import quote

import httpx

from bot.settings import Settings

log = logging.getLogger("chatcart.whatsapp.graph")
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131056})


class GraphError(Exception):
    def __init__(self, status: int, body: Any, retryable: bool) -> None:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        self.status, self.body, self.retryable = status, body, retryable
        self.code = error.get("code")
        super().__init__(f"Graph API {status} (code {self.code}): {error.get('message') or body!r}")


class MediaTooLarge(Exception):
    """The media is larger than the caller accepts (nothing beyond the limit was read)."""


class RateLimiter:
    """A token bucket per phone number: `rate` sends a second, bursts of up to one second's."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = asyncio.Lock()

    async def acquire(self, key: str) -> None:
        while True:
            async with self._lock:
                now = time.monotonic()
                tokens, at = self._buckets.get(key, (self.rate, now))
                tokens = min(self.rate, tokens + (now - at) * self.rate)
                if tokens >= 1:
                    self._buckets[key] = (tokens - 1, now)
                    return
                self._buckets[key] = (tokens, now)
                wait = (1 - tokens) / self.rate
            await asyncio.sleep(wait)


class GraphClient:
    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        self.base = f"{settings.whatsapp_graph_base}/{settings.whatsapp_api_version}"
        self.phone_number_id = settings.whatsapp_phone_number_id
        self.attempts = settings.whatsapp_send_attempts
        self.backoff = settings.whatsapp_backoff_seconds
        self.limiter = RateLimiter(settings.whatsapp_send_rate)
        self._http = http or httpx.AsyncClient(timeout=settings.whatsapp_timeout_seconds)
        self._headers = {
            "Authorization": f"Bearer {settings.whatsapp_access_token.get_secret_value()}"
        }
        # Numbers of shops on a Meta app of their own → that app's token (the gateway fills it
        # in as it meets their messages); every other number uses the platform's.
        self.tokens: dict[str, str] = {}

    def speak_for(self, number: str, token: str | None) -> None:
        """Send from `number` with its shop's own token (None: the platform's)."""
        if token:
            self.tokens[number] = token

    def _headers_for(self, number: str) -> dict[str, str]:
        token = self.tokens.get(number)
        return {"Authorization": f"Bearer {token}"} if token else self._headers

    async def aclose(self) -> None:
        await self._http.aclose()

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.isdigit():
            return min(float(retry_after), 60.0)
        step: float = self.backoff * (2**attempt)
        return step / 2 + random.uniform(0, step / 2)  # exponential, with jitter

    async def post(
        self, body: dict[str, Any], phone_number_id: str | None = None, attempts: int | None = None
    ) -> dict[str, Any]:
        number = phone_number_id or self.phone_number_id
        url = f"{self.base}/{number}/messages"
        attempts = attempts or self.attempts
        for attempt in range(attempts):
            await self.limiter.acquire(number)
            retry_after = None
            try:
                r = await self._http.post(url, json=body, headers=self._headers_for(number))
            except httpx.HTTPError as e:
                error: GraphError = GraphError(0, {"error": {"message": repr(e)}}, True)
            else:
                if r.status_code < 300:
                    sent: dict[str, Any] = r.json()
                    return sent
                try:
                    payload = r.json()
                except ValueError:
                    payload = {"error": {"message": r.text[:500]}}
                error = GraphError(r.status_code, payload, False)
                error.retryable = (
                    r.status_code == 429 or r.status_code >= 500 or error.code in RATE_LIMIT_CODES
                )
                retry_after = r.headers.get("retry-after")
            if not error.retryable:
                log.error("whatsapp send to %s failed, not retried: %s", body.get("to"), error)
                raise error
            if attempt + 1 == attempts:
                log.error(
                    "whatsapp send to %s failed after %d attempts: %s",
                    body.get("to"),
                    attempts,
                    error,
                )
                raise error
            delay = self._delay(attempt, retry_after)
            log.warning(
                "whatsapp send to %s: %s; retry %d in %.2f s",
                body.get("to"),
                error,
                attempt + 1,
                delay,
            )
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def send(self, body: dict[str, Any], phone_number_id: str | None = None) -> str:
        """Send one message; its WhatsApp message id (wamid)."""
        answer = await self.post(body, phone_number_id)
        wamid = str(((answer.get("messages") or [{}])[0]).get("id") or "")
        log.info("whatsapp sent %s to %s: %s", body.get("type"), body.get("to"), wamid)
        return wamid

    async def mark_read(
        self, message_id: str, typing: bool = True, phone_number_id: str | None = None
    ) -> None:
        """Blue ticks on the shopper's message, and the typing indicator while we answer."""
        body: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": message_id,
        }
        if typing:
            body["typing_indicator"] = {"type": "text"}
        await self.post(body, phone_number_id, attempts=1)  # a courtesy: never worth a wait
        log.info("whatsapp marked %s as read", message_id)

    async def media(self, media_id: str, max_bytes: int) -> tuple[bytes, str]:
        """The media's bytes and MIME type. A network error, 429 or 5xx is a retryable
        GraphError; a size over `max_bytes` (announced, or found while reading) raises
        MediaTooLarge; a body whose SHA-256 differs from the one Meta gives is refused."""
        try:
            r = await self._http.get(f"{self.base}/{media_id}", headers=self._headers)
        except httpx.HTTPError as e:
            raise GraphError(0, {"error": {"message": repr(e)}}, True) from e
        info = self._answer(r)
        size = int(info.get("file_size") or 0)
        if size > max_bytes:
            raise MediaTooLarge(f"media {media_id} is {size} bytes (limit {max_bytes})")
        url, mime = str(info.get("url") or ""), str(info.get("mime_type") or "")
        if not url:
            raise GraphError(r.status_code, {"error": {"message": "no url for media"}}, False)
        body = bytearray()
        try:
            async with self._http.stream("GET", url, headers=self._headers) as download:
                if download.status_code >= 300:
                    await download.aread()
                    self._answer(download)
                async for chunk in download.aiter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise MediaTooLarge(f"media {media_id} is over {max_bytes} bytes")
                mime = download.headers.get("content-type", "").split(";")[0] or mime
        except httpx.HTTPError as e:
            raise GraphError(0, {"error": {"message": repr(e)}}, True) from e
        digest = str(info.get("sha256") or "")
        if len(digest) == 64 and hashlib.sha256(body).hexdigest() != digest.lower():
            raise GraphError(
                200, {"error": {"message": f"media {media_id}: sha256 differs"}}, False
            )
        log.info("whatsapp media %s: %d bytes, %s", media_id, len(body), mime)
        return bytes(body), mime

    async def payment(
        self, configuration: str, reference_id: str, phone_number_id: str | None = None
    ) -> dict[str, Any]:
        """Meta's record of a WhatsApp Pay payment (`GET /{phone-number-id}/payments/
        {configuration}/{reference_id}`): what a payment webhook is checked against. A network
        error, 429 or 5xx is a retryable GraphError; another refusal a final one."""
        number = phone_number_id or self.phone_number_id
        url = f"{self.base}/{number}/payments/{quote(configuration, safe='')}/" + quote(
            reference_id, safe=""
        )
        await self.limiter.acquire(number)
        try:
            r = await self._http.get(url, headers=self._headers_for(number))
        except httpx.HTTPError as e:
            raise GraphError(0, {"error": {"message": repr(e)}}, True) from e
        answer = self._answer(r)
        log.info("whatsapp payment %s looked up: %d", reference_id, r.status_code)
        return answer

    @staticmethod
    def _answer(r: httpx.Response) -> dict[str, Any]:
        """A JSON answer, or the GraphError it is (retryable for 429 and 5xx)."""
        try:
            payload = r.json()
        except ValueError:
            payload = {"error": {"message": r.text[:500]}}
        if r.status_code < 300 and isinstance(payload, dict):
            return payload
        error = GraphError(r.status_code, payload, False)
        error.retryable = r.status_code == 429 or r.status_code >= 500
        raise error
