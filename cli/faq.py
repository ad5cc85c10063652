"""`chatcart faq`: the shop's questions and answers, and the PIN codes it delivers to."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import yaml

from bot.catalog.store import ensure_shop
from bot.db.session import session_scope
from bot.faq.store import add_faq, delivery_area, faqs, load_facts, set_delivery_area
from bot.settings import get_settings

app = typer.Typer(help="The shop's FAQs and delivery area.", no_args_is_help=True)


def _shop_id() -> int:
    settings = get_settings()
    with session_scope(write=True) as session:
        return ensure_shop(session, settings.default_shop_slug, settings.default_shop_name).id


@app.command("list")
def list_() -> None:
    """Every FAQ, and the delivery area."""
    shop_id = _shop_id()
    with session_scope() as session:
        for faq in faqs(session, shop_id):
            typer.echo(f"{faq.id}. {faq.question}\n   {faq.answer}")
        area = delivery_area(session, shop_id)
    typer.echo(f"delivers to: {' '.join(sorted(area)) or '(anywhere: no area set)'}")


@app.command()
def add(
    question: Annotated[str, typer.Argument(help="As shoppers would ask it.")],
    answer: Annotated[str, typer.Argument(help="The answer in English.")],
    answer_hi: Annotated[str, typer.Option(help="The answer in Hindi.")] = "",
    answer_hinglish: Annotated[str, typer.Option(help="The answer in Hinglish.")] = "",
) -> None:
    shop_id = _shop_id()
    with session_scope(write=True) as session:
        faq = add_faq(
            session, shop_id, question, answer, answer_hi=answer_hi, answer_hinglish=answer_hinglish
        )
    typer.echo(f"FAQ {faq.id} added")


@app.command()
def area(
    pincodes: Annotated[
        str,
        typer.Argument(
            help="PIN codes, any separators; '400069 Andheri East, Chakala; 400059 Marol' also "
            "names the places in them (a group a line or after ;)."
        ),
    ],
) -> None:
    """Set the PIN codes the shop delivers to (checkout refuses others) and the places in them
    ("do you deliver to Marol?" is answered from them)."""
    shop_id = _shop_id()
    with session_scope(write=True) as session:
        found = set_delivery_area(session, shop_id, pincodes)
    typer.echo(f"delivers to {len(found)} PIN codes")


@app.command()
def load(
    path: Annotated[Path, typer.Argument(help="A facts file (YAML: faqs, delivery).")],
) -> None:
    """Replace the FAQs and the delivery area with a file's."""
    facts = yaml.safe_load(path.read_text("utf-8")) or {}
    shop_id = _shop_id()
    with session_scope(write=True) as session:
        count, pins = load_facts(session, shop_id, facts)
    typer.echo(f"{count} FAQs, {pins} PIN codes loaded")
