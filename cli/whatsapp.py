"""`chatcart whatsapp worker`: the WhatsApp gateway's background work, without serving HTTP."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from bot.settings import get_settings

app = typer.Typer(help="The WhatsApp Cloud API channel.", no_args_is_help=True)


@app.command()
def worker(
    ready_file: Annotated[
        Path | None,
        typer.Option(
            help="Written (with the process id) once the worker processes the inbox; removed on exit."
        ),
    ] = None,
) -> None:
    """Process the WhatsApp inbox (per-shopper lanes → engine → Graph API), statuses and the
    notifications outbox. Run it beside the API started with WHATSAPP_WORKERS=false, which then
    only acknowledges webhooks (`chatcart run` starts both). One processes a database at a
    time; a second one waits as a standby."""
    from api.whatsapp.worker import ChannelOff, run

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        run(get_settings(), ready_file)
    except ChannelOff as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(2) from e
