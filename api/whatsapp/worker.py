"""The gateway's background work as a process of its own (`chatcart whatsapp worker`).

Meta wants every webhook answered fast, and the answer may only come once the delivery is
durable. In one process the intake shares its event loop, its GIL and its database writes with
the lanes (parsing, rendering, the engine's answers, Graph API calls), and the acknowledgement
waits behind them. Run apart — the API with `WHATSAPP_WORKERS=false` writing the inbox, this
process reading it — the intake does nothing but check, parse, insert and commit. No webhook
pokes the lanes here: the worker looks for new inbox rows every `WHATSAPP_POLL_SECONDS`, and
sweeps every unfinished lane every second, as the in-process gateway does. On PostgreSQL any
number of workers share the inbox, each shopper's lane run by one of them at a time (see
`api.whatsapp.lock`); on SQLite a second worker stands by until the first stops.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from pathlib import Path

from bot.settings import Settings

log = logging.getLogger("chatcart.whatsapp")


class ChannelOff(RuntimeError):
    """Settings the WhatsApp channel refuses to run with (production with development values)."""


def _purge(settings: Settings) -> None:
    from bot.privacy.retention import purge_old

    done = purge_old(settings)
    if done.cutoff is not None and (done.messages or done.review_items or done.tracker_events):
        log.info(
            "conversation text before %s purged: %s messages, %s review items, %s tracker events",
            f"{done.cutoff:%Y-%m-%d}",
            done.messages,
            done.review_items,
            done.tracker_events,
        )


async def purge_periodically(settings: Settings) -> None:
    """Conversation text past CONVERSATION_RETENTION_DAYS goes at start, then every
    PRIVACY_PURGE_EVERY_HOURS (0: at start only); erasures finish once their answer is sent.
    Every worker may run it: a purge done twice purges nothing more."""
    every = settings.privacy_purge_every_hours * 3600
    while True:
        try:
            await asyncio.to_thread(_purge, settings)
        except Exception:
            log.exception("purging old conversation text failed; trying again later")
        if every <= 0:
            return
        await asyncio.sleep(every)


def _prepare(settings: Settings) -> None:
    from bot.catalog.store import ensure_shop
    from bot.db.session import session_scope

    with session_scope(write=True) as s:  # migrates the database on first use
        ensure_shop(s, settings.default_shop_slug, settings.default_shop_name)


async def serve(settings: Settings, ready_file: Path | None = None) -> None:
    """Run until SIGTERM or SIGINT; unfinished rows stay in the inbox for the next start."""
    from api.whatsapp.gateway import Gateway

    if problems := settings.whatsapp_problems():
        raise ChannelOff("the WhatsApp channel is off:\n  - " + "\n  - ".join(problems))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await asyncio.to_thread(_prepare, settings)
    gateway = Gateway(settings, poll=settings.whatsapp_poll_seconds)
    await gateway.start()
    purging = asyncio.create_task(purge_periodically(settings), name="privacy-purge")
    try:
        stopping = asyncio.create_task(stop.wait())
        processing = asyncio.create_task(gateway.processing.wait())
        await asyncio.wait({stopping, processing}, return_when=asyncio.FIRST_COMPLETED)
        if processing.done():
            log.info(
                "WhatsApp worker %s: engine %s, Graph API %s",
                os.getpid(),
                settings.rasa_url,
                settings.whatsapp_graph_base,
            )
            if ready_file is not None:
                ready_file.parent.mkdir(parents=True, exist_ok=True)
                ready_file.write_text(f"{os.getpid()}\n")
        else:
            processing.cancel()
        await stopping
        log.info("WhatsApp worker stopping")
    finally:
        purging.cancel()
        await gateway.stop()
        if ready_file is not None:
            ready_file.unlink(missing_ok=True)


def run(settings: Settings, ready_file: Path | None = None) -> None:
    asyncio.run(serve(settings, ready_file))
