"""`chatcart nlu export`: the merchants' labelled examples as Rasa NLU files for a pull request;
`chatcart nlu catalog`: the catalog's lookup tables and category synonyms as Rasa NLU data."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import select

from bot.catalog import nlu_data
from bot.catalog.sources import read_shop_catalog
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
    out: Annotated[Path, typer.Option(help="Where the <intent>.yml files go.")] = PROJECT_ROOT
    / "data"
    / "nlu"
    / "reviewed",
    nlu: Annotated[Path, typer.Option(help="The NLU data to de-duplicate against.")] = PROJECT_ROOT
    / "data"
    / "nlu",
    shop: Annotated[
        str | None, typer.Option(help="Only this shop's labels (its slug); all shops by default.")
    ] = None,
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
        typer.echo(
            "no labelled examples to export"
            + (f" ({len(report.skipped)} skipped)" if report.skipped else "")
        )


CATALOG = PROJECT_ROOT / "data" / "catalog"
CATALOG_NLU = PROJECT_ROOT / "data" / "nlu" / "catalog.yml"
DIFF_LINES = 20  # of a failed --check: enough to see what changed, not the whole file


def _source(path: Path) -> str:
    """The catalog as the file's header names it: relative to the project when inside it, so
    the committed file does not depend on where the checkout is."""
    path = path.resolve()
    return (
        path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    ).as_posix()


@app.command("catalog")
def catalog_(
    catalog: Annotated[
        Path, typer.Option(help="The shop's catalog: categories.yml and products/*.csv.")
    ] = CATALOG,
    out: Annotated[Path, typer.Option(help="The NLU file to write.")] = CATALOG_NLU,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Write nothing; exit 1 when OUT is not what the catalog gives."
        ),
    ] = False,
) -> None:
    """Write the catalog's lookup tables (product: kinds, brands, aliases; unit: the item
    parser's unit words) and its category synonyms (names → slug) to OUT as Rasa NLU data."""
    if not catalog.is_dir():
        raise typer.BadParameter(f"{catalog} is not a catalog directory", param_hint="--catalog")
    read = read_shop_catalog(catalog)
    if not read.products:
        raise typer.BadParameter(f"{catalog} holds no usable products", param_hint="--catalog")
    data = nlu_data.build(read)
    text = nlu_data.render(data, _source(catalog))
    current = out.read_text("utf-8") if out.is_file() else None
    if check:
        _check(current, text, _shown(out), _source(catalog))
        return
    if current == text:
        typer.echo(f"unchanged {_shown(out)}")
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, "utf-8")
        typer.echo(f"wrote {_shown(out)}")
    _summary(data)
    if read.rejections:
        typer.echo(
            f"  {len(read.rejections)} unusable catalog rows skipped "
            "(`chatcart catalog load` says why)"
        )


def _check(current: str | None, generated: str, shown: str, source: str) -> None:
    if current == generated:
        typer.echo(f"{shown} is up to date with {source}")
        return
    missing = "" if current is not None else f" ({shown} is missing)"
    typer.echo(
        f"{shown} is not what {source} generates: run `chatcart nlu catalog` and commit it"
        + missing,
        err=True,
    )
    if current is not None:
        diff = list(
            difflib.unified_diff(
                current.splitlines(), generated.splitlines(), shown, "generated", lineterm="", n=0
            )
        )
        for line in diff[:DIFF_LINES]:
            typer.echo(line, err=True)
        if len(diff) > DIFF_LINES:
            typer.echo(f"… {len(diff) - DIFF_LINES} more diff lines", err=True)
    raise typer.Exit(1)


def _summary(data: nlu_data.CatalogNlu) -> None:
    """The tables' sizes, and what was left out grouped by why (a few examples each)."""
    names = sum(len(n) for _, n in data.synonyms)
    typer.echo(
        f"  lookup product: {len(data.products)} entries; lookup unit: {len(data.units)} "
        f"entries; synonyms: {names} names of {len(data.synonyms)} categories"
    )
    grouped: dict[tuple[str, str], list[str]] = {}
    for left in data.left_out:
        grouped.setdefault((left.table.split(":")[0], left.reason), []).append(left.entry)
    for (table, reason), entries in sorted(grouped.items()):
        more = f", … ({len(entries)} in all)" if len(entries) > 3 else ""
        typer.echo(f"  left out of {table}: {', '.join(entries[:3])}{more}: {reason}")
