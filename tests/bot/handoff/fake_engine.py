"""A real HTTP server on 127.0.0.1 answering the two tracker calls of Rasa's HTTP API that the
handoff inbox makes, in Rasa 3.6's shapes, and recording what it was sent."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class FakeEngine:
    def __init__(self, token: str = "") -> None:
        self.token = token  # like `rasa run --auth-token`: refused without ?token=
        self.trackers: dict[str, dict[str, Any]] = {}
        self.posted: list[tuple[str, Any]] = []
        self.fail_with: int | None = None
        engine = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _conversation(self) -> tuple[str, str]:
                parts = urlsplit(self.path).path.split("/")  # "", conversations, id, tracker[, events]
                return unquote(parts[2]), "/".join(parts[3:])

            def _refused(self) -> bool:
                if engine.token and parse_qs(urlsplit(self.path).query).get("token") != [engine.token]:
                    self._send(401, {"message": "User is not authenticated."})
                    return True
                if engine.fail_with:
                    self._send(engine.fail_with, {"message": "engine trouble"})
                    return True
                return False

            def do_GET(self) -> None:  # noqa: N802
                cid, rest = self._conversation()
                if self._refused():
                    return
                if rest != "tracker":
                    return self._send(404, {"message": "no route"})
                self._send(200, engine.tracker(cid))

            def do_POST(self) -> None:  # noqa: N802
                cid, rest = self._conversation()
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if self._refused():
                    return
                engine.posted.append((cid, body))
                if rest != "tracker/events":
                    return self._send(404, {"message": "no route"})
                tracker = engine.tracker(cid)
                for event in body if isinstance(body, list) else [body]:
                    if event.get("event") == "slot":
                        tracker["slots"][event["name"]] = event.get("value")
                    tracker["events"].append({**event, "timestamp": time.time()})
                self._send(200, {**tracker, "events": None})

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tracker(self, cid: str) -> dict[str, Any]:
        return self.trackers.setdefault(cid, {"sender_id": cid, "slots": {"handoff": False}, "events": []})

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
