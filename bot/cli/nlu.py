"""`chatcart nlu export`: the merchants' labelled examples as Rasa NLU files for a pull request."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from sqlalchemy import select

from bot.db.models import Shop
from bot.db.session import session_scope
from bot.review.export import export as export_examples
from bot.settings import PROJECT_ROOT

app = typer.Typer(help="The NLU training data the review queue adds to.", no_args_is_help=True)


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@app.command()
def export(
    out: Annotated[Path, typer.Option(help="Where the <intent>.yml files go.")] = PROJECT_ROOT / "data" / "nlu" / "reviewed",
    nlu: Annotated[Path, typer.Option(help="The NLU data to de-duplicate against.")] = PROJECT_ROOT / "data" / "nlu",
    shop: Annotated[Optional[str], typer.Option(help="Only this shop's labels (its slug); all shops by default.")] = None,
) -> None:
    """Write the labelled examples to OUT/<intent>.yml (Rasa 3.x NLU, with each example's
    language), leaving out what the NLU data has already; print what was written."""
    if not nlu.is_dir():
        raise typer.BadParameter(f"{nlu} is not a directory of NLU data", param_hint="--nlu")
    with session_scope() as s:
        shop_id = None
        if shop is not None:
            shop_id = s.scalar(select(Shop.id).where(Shop.slug == shop))
            if shop_id is None:
                raise typer.BadParameter(f"no shop {shop!r}", param_hint="--shop")
        report = export_examples(s, out, nlu, shop_id, root=Path.cwd())
    for path, count in report.written:
        typer.echo(f"wrote {_shown(path)}: {count} example{'s' * (count != 1)}")
    for path, count in report.unchanged:
        typer.echo(f"unchanged {_shown(path)}: {count} example{'s' * (count != 1)}")
    for path in report.removed:
        typer.echo(f"removed {_shown(path)}: no examples left for that intent")
    for skipped in report.skipped:
        typer.echo(f"skipped {skipped.text!r} ({skipped.intent}): {skipped.reason}")
    total = sum(c for _, c in report.written) + sum(c for _, c in report.unchanged)
    if not total and not report.removed:
        typer.echo("no labelled examples to export" + (f" ({len(report.skipped)} skipped)" if report.skipped else ""))
