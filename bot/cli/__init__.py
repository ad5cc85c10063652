"""The `chatcart` command line."""
from __future__ import annotations

import typer

from bot.cli import catalog, evaluate, parse

app = typer.Typer(
    name="chatcart",
    help="ChatCart: a conversational grocery shop for WhatsApp.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("parse")(parse.parse)
app.add_typer(catalog.app, name="catalog")
app.add_typer(evaluate.app, name="evaluate")


def main() -> None:
    app()
