"""The `chatcart` command line."""

from __future__ import annotations

import typer

from cli import (
    catalog,
    chat,
    cluster,
    conversations,
    evaluate,
    faq,
    lists,
    merchant,
    model,
    nlu,
    parse,
    shop,
    shopper,
    stack,
    whatsapp,
)

app = typer.Typer(
    name="chatcart",
    help="ChatCart: a conversational grocery shop for WhatsApp.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("parse")(parse.parse)
app.add_typer(catalog.app, name="catalog")
app.add_typer(cluster.app, name="cluster")
evaluate.app.command()(conversations.conversations)  # its stack imports cli.model
evaluate.app.command()(lists.lists)
app.add_typer(evaluate.app, name="evaluate")
app.add_typer(faq.app, name="faq")
app.add_typer(model.app, name="model")
app.add_typer(merchant.app, name="merchant")
app.add_typer(nlu.app, name="nlu")
app.add_typer(shop.app, name="shop")
app.add_typer(shopper.app, name="shopper")
app.add_typer(whatsapp.app, name="whatsapp")
app.command("run")(stack.run)
app.command("chat")(chat.chat)


def main() -> None:
    app()
