"""The WhatsApp Cloud API webhook: `GET` is Meta's verification handshake, `POST` the deliveries.

A delivery is accepted only with a valid X-Hub-Signature-256 over the exact raw body; anything
else is refused before it is read, and nothing of it is stored. A body over `MAX_BODY` is
refused (413) before it is read whole. A valid delivery is written to
the inbox (one durable transaction, shared with the deliveries arriving alongside) before the
200, then handled in the background: by the gateway in this process, or by the WhatsApp worker
(`WHATSAPP_WORKERS=false`, what `chatcart run` does). `Server-Timing` tells where the time went.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from api.bodies import read_capped
from api.deps import SettingsDep
from api.errors import ProblemError, problems
from api.whatsapp import routing
from api.whatsapp.intake import GroupWriter, NotUnderstood, delivery
from api.whatsapp.signature import verify
from bot.settings import get_settings

router = APIRouter(prefix="/webhooks/whatsapp", tags=["whatsapp"])
log = logging.getLogger("chatcart.whatsapp")
MAX_BODY = 1 << 20


def _enabled(settings: SettingsDep) -> None:
    if problems_ := settings.whatsapp_problems():
        raise ProblemError(
            503,
            "whatsapp-not-configured",
            "Service Unavailable",
            "the WhatsApp channel is off: " + "; ".join(problems_),
        )


@router.get(
    "",
    response_class=PlainTextResponse,
    responses=problems(403, 503),
    summary="Meta's webhook verification: echoes hub.challenge for the right token",
)
def verify_subscription(
    settings: SettingsDep,
    mode: Annotated[str, Query(alias="hub.mode")] = "",
    token: Annotated[str, Query(alias="hub.verify_token")] = "",
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=200)] = "",
) -> PlainTextResponse:
    _enabled(settings)
    import hmac

    expected = settings.whatsapp_verify_token.get_secret_value()
    if mode != "subscribe" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise ProblemError(
            403, "verification-failed", "Forbidden", "wrong hub.mode or hub.verify_token"
        )
    return PlainTextResponse(challenge)


RECEIVED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Stored durably (or not understood, logged, and not to be retried)",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["received", "understood"],
                    "properties": {
                        "received": {"type": "integer"},
                        "understood": {"type": "boolean"},
                    },
                }
            }
        },
    }
}


def _answer(received: int, understood: bool, timing: str = "") -> Response:
    return Response(
        json.dumps({"received": received, "understood": understood}).encode(),
        media_type="application/json",
        headers={"Server-Timing": timing} if timing else None,
    )


@router.post(
    "",
    responses={**RECEIVED, **problems(400, 401, 413, 503)},
    response_model=None,
    summary="WhatsApp Cloud API deliveries (messages, statuses), signed by Meta",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object", "additionalProperties": True}}
            },
        }
    },
)
async def receive(request: Request) -> Response:
    """Meta waits for this answer, and a webhook's whole budget is a few milliseconds of CPU on
    a machine that also runs the engine: the settings are read directly (a dependency would
    cost a hop to the thread pool and back per request) and the answer is built as bytes."""
    started = time.perf_counter()
    settings = get_settings()
    _enabled(settings)
    body = await read_capped(request, MAX_BODY)
    signature = request.headers.get("x-hub-signature-256")
    if not verify(
        body, signature, settings.whatsapp_app_secret.get_secret_value()
    ) and not await run_in_threadpool(routing.signed_by_shop, body, signature):
        log.warning("whatsapp webhook refused: bad or missing X-Hub-Signature-256")
        raise ProblemError(
            401, "invalid-signature", "Unauthorized", "X-Hub-Signature-256 does not match the body"
        )
    verified = time.perf_counter()
    try:
        webhook = delivery(body)
    except NotUnderstood as e:
        # Signed by Meta but not what we know: answering 4xx would only make Meta retry it
        # for a week. Logged for a person to look at.
        log.error("whatsapp webhook not understood (%.300s): %.500s", e, body[:500])
        return _answer(0, False)
    if webhook.object != "whatsapp_business_account":
        return _answer(0, False)
    parsed = time.perf_counter()
    gateway = getattr(request.app.state, "whatsapp", None)
    if gateway is not None:
        gateway.ack_started()
    try:
        writer = getattr(request.app.state, "whatsapp_writer", None)
        if writer is None:
            writer = request.app.state.whatsapp_writer = GroupWriter()
        recorded = await writer.record(webhook)
    finally:
        if gateway is not None:
            gateway.ack_finished()
    stored = time.perf_counter()
    if gateway is not None:  # the gateway runs in this process; else the worker finds the rows
        gateway.received(recorded.lanes)
    # Where the acknowledgement's time went, for the benchmark (and any browser's dev tools).
    steps = "".join(f"{name};dur={ms:.2f}, " for name, ms in recorded.steps_ms.items())
    return _answer(
        len(recorded.lanes),
        True,
        (
            f"verify;dur={(verified - started) * 1000:.2f}, parse;dur={(parsed - verified) * 1000:.2f}, "
            f'inbox;dur={(stored - parsed) * 1000:.2f}, commit;dur={recorded.commit_ms:.2f};desc="{recorded.batch}", '
            f"{steps}total;dur={(time.perf_counter() - started) * 1000:.2f}"
        ),
    )
