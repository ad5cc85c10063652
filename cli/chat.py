"""`chatcart chat`: talk to the running assistant over Rasa's REST channel, like a shopper."""

from __future__ import annotations

import uuid

import httpx
import typer

from bot.settings import get_settings


def chat(
    sender: str = typer.Option(None, help="The shopper's id (a phone number); random if unset."),
) -> None:
    """A terminal chat: type a message, see the replies; buttons are numbered, type the number."""
    sender = sender or f"+9190000{uuid.uuid4().int % 100000:05d}"
    settings = get_settings()
    url = f"{settings.rasa_url}/webhooks/rest/webhook"
    token = settings.rasa_token.get_secret_value()
    typer.echo(f"Chatting as {sender}. Ctrl-D to leave.")
    buttons: list[dict[str, str]] = []
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(timeout=60, headers=auth) as client:
        while True:
            try:
                text = input("you › ").strip()
            except (EOFError, KeyboardInterrupt):
                typer.echo()
                return
            if not text:
                continue
            if text.isdigit() and buttons and 1 <= int(text) <= len(buttons):
                text = buttons[int(text) - 1]["payload"]
            try:
                replies = client.post(url, json={"sender": sender, "message": text}).json()
            except httpx.HTTPError as e:
                typer.echo(
                    f"(the assistant is not reachable at {url}: {e}; is `make run` running?)"
                )
                continue
            buttons = []
            for reply in replies:
                custom = reply.get("custom")
                shown = reply.get("text") or (custom or {}).get("text")
                if shown:  # a custom payload (WhatsApp Pay's sheet) carries its text fallback
                    typer.echo(f"shop › {shown}")
                for b in reply.get("buttons") or []:
                    buttons.append(b)
                    typer.echo(f"        [{len(buttons)}] {b['title']}")
