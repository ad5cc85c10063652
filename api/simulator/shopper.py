"""A scripted shopper on the simulator: what the chat page does, from a program. Each action is
posted to the simulator's API, which signs it and delivers it to the webhook as Meta would;
the replies are read back from the capture that stands in for the Graph API, once the
shopper's messages are all answered (the inbox says so)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from api.whatsapp.inbox import open_work
from bot.db.session import session_scope
from bot.evaluation.conversations import Snapshot, snapshot


class SimulatedShopper:
    def __init__(
        self,
        base_url: str,
        wa_id: str,
        database_url: str,
        shop_id: int,
        *,
        name: str = "Shopper",
        timeout: float = 120.0,
        phone_number_id: str = "",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.wa_id = wa_id
        self.database_url = database_url
        self.shop_id = shop_id
        self.name = name
        self.phone_number_id = phone_number_id  # the shop's number; empty: the platform's
        self.timeout = timeout
        self._seen = 0
        self._client = httpx.Client(base_url=self.base_url, timeout=30)

    def close(self) -> None:
        self._client.close()

    def say(self, text: str) -> list[dict[str, Any]]:
        return self._send({"type": "text", "text": text})

    def tap(self, kind: str, reply_id: str, title: str) -> list[dict[str, Any]]:
        return self._send({"type": kind, "id": reply_id, "title": title})

    def snapshot(self) -> Snapshot:
        with session_scope(self.database_url) as session:
            return snapshot(session, self.shop_id, self.wa_id)

    def _send(self, action: dict[str, Any]) -> list[dict[str, Any]]:
        sent = self._client.post(
            "/simulator/api/send",
            json={
                "wa_id": self.wa_id,
                "phone_number_id": self.phone_number_id,
                "name": self.name,
                **action,
            },
        )
        sent.raise_for_status()
        if sent.json()["status"] != 200:
            raise RuntimeError(f"the webhook refused {action}: {sent.json()['status']}")
        self._wait_answered()
        events = self._client.get(
            "/simulator/api/feed",
            params={
                "wa_id": self.wa_id,
                "phone_number_id": self.phone_number_id,
                "after": self._seen,
            },
        ).json()["events"]
        if events:
            self._seen = max(e["seq"] for e in events)
        return [e["body"] for e in events if e["kind"] == "message"]

    def _wait_answered(self) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            outside, rows = open_work(self.database_url, self.wa_id)
            if not outside and not rows:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{self.wa_id}'s messages were not answered in {self.timeout:.0f} s: "
                    f"{len(outside)} not taken in, rows {rows}"
                )
            time.sleep(0.05)
