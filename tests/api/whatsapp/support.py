"""Real servers for the WhatsApp tests: a fake Graph API (an HTTP server on 127.0.0.1 that
records every request), and the gateway as its two processes: the API and the worker."""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote

import httpx
from sqlalchemy import func, select

from api.simulator import webhooks
from api.whatsapp.inbox import open_work
from bot.db.session import session_scope
from bot.db.whatsapp_models import WhatsAppInbox
from bot.settings import PROJECT_ROOT, get_settings
from cli.stack import Service, start_all, stop_all, whatsapp_services
from tests import meta_openapi
from tests.loopback import JsonHandler, serve
from tests.waiting import wait_until

APP_SECRET = "test-app-secret"
ACCESS_TOKEN = "test-access-token"
VERIFY_TOKEN = "test-verify-token"
PHONE_NUMBER_ID = "106540352242922"


def payment_record(
    reference_id: str,
    amount_paise: int,
    status: str = "captured",
    currency: str = "INR",
    transaction_id: str = "pay_FakeGraph001",
) -> dict[str, Any]:
    """A payment as Meta's lookup (`GET /{phone-number-id}/payments/{configuration}/
    {reference_id}`) describes it."""
    amount = {"value": amount_paise, "offset": 100}
    return {
        "reference_id": reference_id,
        "status": status,
        "currency": currency,
        "amount": amount,
        "transactions": [
            {
                "id": transaction_id,
                "type": "razorpay",
                "status": "success" if status == "captured" else status,
                "created_timestamp": 1733300000,
                "updated_timestamp": 1733300000,
                "amount": amount,
                "currency": currency,
                "method": {"type": "upi"},
            }
        ],
    }


class FakeGraph:
    """Answers `POST /{version}/{phone-number-id}/messages` like Meta; `script` holds the
    (status, body) answers to give first, e.g. a 500 then the default 200. Serves the media
    in `media` (a shopper's photos) as Meta does. Every messages body is checked against Meta's
    OpenAPI description (`tests/meta_openapi`): one it refuses is answered 400 as Meta would
    and fails the test at its next `messages()` (or at `close()`) with the objections."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.script: list[tuple[int, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.sent_to: dict[str, int] = {}  # messages (not read receipts) per recipient
        self.arrivals: dict[str, list[float]] = {}  # time.monotonic() of each, per recipient
        self.media: dict[str, tuple[bytes, str]] = {}  # media id → (bytes, MIME type)
        self.media_requests: list[dict[str, Any]] = []
        self.refused: list[str] = []  # bodies Meta's description refuses, with why
        # WhatsApp Pay: (configuration, reference id) → Meta's record of the payment, and the
        # lookups made, as (phone number id, configuration, reference id).
        self.payments: dict[tuple[str, str], dict[str, Any]] = {}
        self.payment_lookups: list[tuple[str, str, str]] = []
        if meta_openapi.available():
            meta_openapi.validator()  # built now, not inside the first message's answer
        graph = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:  # noqa: N802
                """`/_arrivals`: when each recipient's messages arrived (for a benchmark that
                runs this server in a process of its own; the clock is system-wide). Media as
                Meta serves it: `GET /{version}/{media-id}` → its URL, size and SHA-256; the
                URL → the bytes; both only with the access token."""
                if self.path == "/_arrivals":
                    with graph.lock:
                        arrivals = {to: list(times) for to, times in graph.arrivals.items()}
                    return self.send_json(200, arrivals)
                with graph.lock:
                    graph.media_requests.append(
                        {"path": self.path, "auth": self.headers.get("Authorization")}
                    )
                if self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
                    return self.send_json(
                        401, {"error": {"message": "Invalid OAuth access token.", "code": 190}}
                    )
                parts = self.path.strip("/").split("/")
                if len(parts) == 5 and parts[2] == "payments":
                    return self.send_payment(parts[1], unquote(parts[3]), unquote(parts[4]))
                if len(parts) == 2 and parts[0] == "_media" and parts[1] in graph.media:
                    data, mime = graph.media[parts[1]]
                    self.send_response(200)
                    self.send_header("Content-Type", mime)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return None
                if len(parts) == 2 and parts[1] in graph.media:
                    data, mime = graph.media[parts[1]]
                    return self.send_json(
                        200,
                        {
                            "messaging_product": "whatsapp",
                            "url": f"{graph.url}/_media/{parts[1]}",
                            "mime_type": mime,
                            "sha256": hashlib.sha256(data).hexdigest(),
                            "file_size": len(data),
                            "id": parts[1],
                        },
                    )
                return self.send_json(
                    400, {"error": {"message": "Unsupported get request.", "code": 100}}
                )

            def send_payment(self, number: str, configuration: str, reference: str) -> None:
                """Meta's record of a WhatsApp Pay payment, as `graph.payments` holds it
                (`payment_record` makes one); Meta's error for one it does not know."""
                with graph.lock:
                    graph.payment_lookups.append((number, configuration, reference))
                    record = graph.payments.get((configuration, reference))
                if record is None:
                    return self.send_json(
                        404,
                        {
                            "error": {
                                "message": f"Payment {reference} not found",
                                "type": "OAuthException",
                                "code": 100,
                            }
                        },
                    )
                return self.send_json(200, {"payments": [record]})

            def do_POST(self) -> None:  # noqa: N802
                body = self.read_json()
                objections = (
                    meta_openapi.problems(body)
                    if self.path.endswith("/messages") and meta_openapi.available()
                    else []
                )
                if objections:
                    with graph.lock:
                        graph.refused.append(f"{body} → {'; '.join(objections)}")
                    return self.send_json(
                        400,
                        {
                            "error": {
                                "message": "(#100) Invalid parameter",
                                "type": "OAuthException",
                                "code": 100,
                                "error_data": {"details": "; ".join(objections)},
                            }
                        },
                    )
                with graph.lock:
                    answer = graph.script.pop(0) if graph.script else None
                    graph.requests.append(
                        {
                            "path": self.path,
                            "auth": self.headers.get("Authorization"),
                            "body": body,
                            "answered": answer[0] if answer else 200,
                        }
                    )
                    if body.get("type") and (answer is None or answer[0] < 300):
                        graph.sent_to[body.get("to")] = graph.sent_to.get(body.get("to"), 0) + 1
                        graph.arrivals.setdefault(body.get("to"), []).append(time.monotonic())
                if answer is None:
                    if body.get("status") == "read":
                        answer = (200, {"success": True})
                    else:
                        answer = (
                            200,
                            {
                                "messaging_product": "whatsapp",
                                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                                "messages": [{"id": "wamid.FAKE" + secrets.token_hex(10)}],
                            },
                        )
                self.send_json(*answer)

        self.server, self.url = serve(Handler)

    def messages(self, wa_id: str | None = None) -> list[dict[str, Any]]:
        self.check()
        with self.lock:
            return [
                r["body"]
                for r in self.requests
                if r["body"].get("type") and (wa_id is None or r["body"].get("to") == wa_id)
            ]

    def check(self) -> None:
        """Fail with every body Meta's description refused since the last check."""
        with self.lock:
            refused, self.refused = self.refused, []
        if refused:
            raise AssertionError(
                "Meta's OpenAPI description refuses what was sent:\n" + "\n".join(refused)
            )

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.check()


def channel_settings(graph_url: str, rasa_url: str, **extra: str) -> dict[str, str]:
    """The WhatsApp channel's settings for a test: this module's credentials, the fake Graph
    API and an engine; for an app in the test process (monkeypatched) or a process's env."""
    return {
        "RASA_URL": rasa_url,
        "WHATSAPP_GRAPH_URL": graph_url,
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "EXPIRE_UNPAID_EVERY_SECONDS": "0",
        **extra,
    }


def gateway_env(database_url: str, graph_url: str, rasa_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "test",
        **channel_settings(
            graph_url,
            rasa_url,
            **{"WHATSAPP_BACKOFF_SECONDS": "0.05", "WHATSAPP_OUTBOX_EVERY_SECONDS": "0.5", **extra},
        ),
    }


class Gateway:
    """The channel as `chatcart run` starts it — the API acknowledging webhooks
    (`WHATSAPP_WORKERS=false`) and `chatcart whatsapp worker` processing them — as real
    processes, so that either can be killed mid-message."""

    # The worker of each database in this test process. One worker processes a database (the
    # others stand by), so a gateway started on a database whose worker belongs to another
    # gateway of the session takes over, and the other `resume()`s before its next test.
    _processing: ClassVar[dict[str, Gateway]] = {}

    def __init__(
        self, env: dict[str, str], port: int, run_dir: Path, prefix: str = "test-wa-"
    ) -> None:
        self.api, self.worker = whatsapp_services(env, port, prefix=prefix, run_dir=run_dir)
        self.url = f"http://127.0.0.1:{port}"
        self.database_url = env["DATABASE_URL"]

    @property
    def services(self) -> list[Service]:
        return [self.api, self.worker]

    def start(self, *which: Service) -> Gateway:
        todo = list(which) or self.services
        if self.worker in todo:
            holder = self._processing.get(self.database_url)
            if holder is not None and holder is not self:
                holder.worker.stop()
            self._processing[self.database_url] = self
        start_all(todo)
        return self

    def resume(self) -> None:
        """Start this gateway's worker again if another gateway took the database over."""
        if self.worker.process is None or self.worker.process.poll() is not None:
            self.start(self.worker)

    def kill(self, *which: Service) -> None:
        """SIGKILL: no shutdown, no cleanup, as a crash or a power cut."""
        for service in which or self.services:
            if service.process and service.process.poll() is None:
                os.killpg(service.process.pid, signal.SIGKILL)
                service.process.wait()

    def stop(self) -> None:
        stop_all(self.services)
        if self._processing.get(self.database_url) is self:
            del self._processing[self.database_url]

    def post(self, payload: dict[str, Any] | bytes, signature: str | None = None) -> httpx.Response:
        if isinstance(payload, bytes):
            body, headers = payload, {"Content-Type": "application/json"}
            from api.whatsapp.signature import sign

            headers["X-Hub-Signature-256"] = signature or sign(body, APP_SECRET)
        else:
            body, headers = webhooks.signed(payload, APP_SECRET)
        return httpx.post(
            f"{self.url}/webhooks/whatsapp", content=body, headers=headers, timeout=10
        )


def inbox_settled(database_url: str, timeout: float = 90.0) -> bool:
    """Wait until every acknowledged delivery is in the inbox and every inbox row is done (or
    failed); a timeout says what was still open."""

    def explain() -> str:
        outside, rows = open_work(database_url)
        return f"{len(outside)} deliveries not taken in, unfinished rows {rows}"

    return wait_until(
        lambda: open_work(database_url) == ([], []),
        "the inbox to settle",
        timeout,
        explain=explain,
    )


def inbox_states(database_url: str, wa_id: str | None = None) -> list[str]:
    """The state of every acknowledged delivery's row in order: the inbox's, then `pending` for
    each still in the intake file (SQLite), which the gateway takes in after them. The file is
    read first, for the reason `open_work` gives."""
    from api.whatsapp.inbox import not_taken_in

    outside = [r for r in not_taken_in(database_url) if wa_id is None or r["wa_id"] == wa_id]
    query = select(WhatsAppInbox.state).order_by(WhatsAppInbox.id)
    if wa_id is not None:
        query = query.where(WhatsAppInbox.wa_id == wa_id)
    with session_scope(database_url) as s:
        states = list(s.scalars(query))
    return states + ["pending"] * len(outside)


def choose(
    message: dict[str, Any], prefer: Callable[[str], bool] | None = None
) -> tuple[str, str, str]:
    """(reply kind, id, title) of the option a shopper taps: the first `prefer` likes, else the first."""
    i = message["interactive"]
    if i["type"] == "button":
        options = [
            ("button_reply", b["reply"]["id"], b["reply"]["title"]) for b in i["action"]["buttons"]
        ]
    else:
        options = [
            ("list_reply", r["id"], r["title"]) for s in i["action"]["sections"] for r in s["rows"]
        ]
    for o in options:
        if prefer and prefer(o[2]):
            return o
    return options[0]


def shopper_wrote(wa_id: str, language: str, wrote: timedelta | None) -> None:
    """A customer who last wrote to the shop `wrote` ago (never: None), as the inbox records it."""
    from bot.cart import service as carts
    from bot.catalog.store import ensure_shop

    settings = get_settings()
    with session_scope(write=True) as s:
        shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        carts.get_or_create_customer(s, shop.id, wa_id, language=language)
        if wrote is not None:
            at = datetime.now(UTC) - wrote
            s.add(
                WhatsAppInbox(
                    key=f"message:wamid.{wa_id}",
                    kind="message",
                    type="text",
                    wa_id=wa_id,
                    phone_number_id=PHONE_NUMBER_ID,
                    state="done",
                    received_at=at,
                    payload={
                        "message": {
                            "from": wa_id,
                            "id": f"wamid.{wa_id}",
                            "type": "text",
                            "timestamp": str(int(at.timestamp())),
                            "text": {"body": "hi"},
                        }
                    },
                )
            )


def notify(wa_id: str, template: str, params: dict, key: str) -> None:
    from bot.cart import service as carts
    from bot.catalog.store import ensure_shop
    from bot.notifications import outbox

    settings = get_settings()
    with session_scope(write=True) as s:
        shop = ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)
        outbox.enqueue(s, carts.customer_row(s, shop.id, wa_id), template, params, dedupe_key=key)


def wait_for_messages(graph: FakeGraph, wa_id: str, n: int) -> list[dict]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and len(graph.messages(wa_id)) < n:
        time.sleep(0.05)
    return graph.messages(wa_id)


def template_request(to: str, name: str, code: str, *texts: str) -> dict:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": code},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": x} for x in texts]}
            ],
        },
    }


def outbox_drained(timeout: float = 15.0) -> bool:
    """Wait until no notification waits in the outbox (sent and marked so)."""
    from bot.db.models import OutboxMessage

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope() as s:
            if not s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == "pending")
            ):
                return True
        time.sleep(0.05)
    return False
