"""A real HTTP server on 127.0.0.1 answering the two tracker calls of Rasa's HTTP API that the
handoff inbox makes, in Rasa 3.6's shapes, and recording what it was sent."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.loopback import JsonHandler, serve


class FakeEngine:
    def __init__(self, token: str = "") -> None:
        self.token = token  # like `rasa run --auth-token`: refused without ?token=
        self.trackers: dict[str, dict[str, Any]] = {}
        self.posted: list[tuple[str, Any]] = []
        self.fail_with: int | None = None
        engine = self

        class Handler(JsonHandler):
            def _conversation(self) -> tuple[str, str]:
                parts = urlsplit(self.path).path.split(
                    "/"
                )  # "", conversations, id, tracker[, events]
                return unquote(parts[2]), "/".join(parts[3:])

            def _refused(self) -> bool:
                if engine.token and parse_qs(urlsplit(self.path).query).get("token") != [
                    engine.token
                ]:
                    self.send_json(401, {"message": "User is not authenticated."})
                    return True
                if engine.fail_with:
                    self.send_json(engine.fail_with, {"message": "engine trouble"})
                    return True
                return False

            def do_GET(self) -> None:  # noqa: N802
                cid, rest = self._conversation()
                if self._refused():
                    return
                if rest != "tracker":
                    return self.send_json(404, {"message": "no route"})
                self.send_json(200, engine.tracker(cid))

            def do_POST(self) -> None:  # noqa: N802
                cid, rest = self._conversation()
                body = self.read_json()
                if self._refused():
                    return
                engine.posted.append((cid, body))
                if rest != "tracker/events":
                    return self.send_json(404, {"message": "no route"})
                tracker = engine.tracker(cid)
                for event in body if isinstance(body, list) else [body]:
                    if event.get("event") == "slot":
                        tracker["slots"][event["name"]] = event.get("value")
                    tracker["events"].append({**event, "timestamp": time.time()})
                self.send_json(200, {**tracker, "events": None})

        self.server, self.url = serve(Handler)

    def tracker(self, cid: str) -> dict[str, Any]:
        return self.trackers.setdefault(
            cid, {"sender_id": cid, "slots": {"handoff": False}, "events": []}
        )

    def said(self, cid: str, *turns: tuple[str, str], handoff: bool = True) -> None:
        """("user"|"bot", text) events, a second apart, ending now."""
        tracker = self.tracker(cid)
        start = time.time() - len(turns)
        for i, (who, text) in enumerate(turns):
            tracker["events"].append({"event": who, "text": text, "timestamp": start + i})
        tracker["slots"]["handoff"] = handoff

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
