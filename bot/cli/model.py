"""`chatcart model train`: train the assistant's model when the training data changed."""
from __future__ import annotations

import typer

from bot.cli.engine import MODEL, train as train_model

app = typer.Typer(help="Train and manage the assistant's model.", no_args_is_help=True)


@app.command()
def train(force: bool = typer.Option(False, help="Train even if the model matches the data.")) -> None:
    """Train the Rasa model (models/chatcart.tar.gz) unless it already matches the data."""
    typer.echo(f"==> {'trained' if train_model(force) else 'up to date'}: {MODEL}")
