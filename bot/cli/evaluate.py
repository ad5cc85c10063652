"""`chatcart evaluate items`: line accuracy on the labelled dev set, per language."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.cli.shop import engine_from_db, engine_from_file
from bot.evaluation.items import evaluate, judge_by_kind, judge_by_name, load_dev_set
from bot.evaluation.nlu import markdown
from bot.settings import PROJECT_ROOT

app = typer.Typer(help="Evaluate the item engine (and later the NLU model).", no_args_is_help=True)


@app.command()
def items(
    dev_set: Annotated[Path, typer.Option(help="Labelled messages.")] = PROJECT_ROOT / "data" / "eval" / "items.yml",
    catalog: Annotated[Optional[Path], typer.Option(help="Evaluate against this catalog file.")] = None,
    fmt: Annotated[str, typer.Option("--format")] = "shop",
    out: Annotated[Optional[Path], typer.Option(help="Write the report as JSON here.")] = PROJECT_ROOT / "reports" / "items.json",
    show_failures: Annotated[int, typer.Option(help="How many failures to list.")] = 50,
) -> None:
    """Line accuracy (product right, quantity and unit exact), overall and per language."""
    engine = engine_from_file(catalog, fmt) if catalog else engine_from_db()
    judge = judge_by_name if fmt == "bigbasket" else judge_by_kind
    report = evaluate(load_dev_set(dev_set), engine.parse, judge)
    data = report.as_dict()
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
    typer.echo("| language | lines | correct | line accuracy |\n|---|---:|---:|---:|")
    for lang, s in data["by_language"].items():
        typer.echo(f"| {lang} | {s['lines']} | {s['correct']} | {s['line_accuracy']:.1%} |")
    typer.echo(f"| **all** | {report.lines} | {report.correct} | {report.accuracy:.1%} |")
    for f in data["failures"][:show_failures]:
        typer.echo(f"  ✗ [{f['language']}] {f['text']!r} line {f['line']}: {f['why']}")
    if len(data["failures"]) > show_failures:
        typer.echo(f"  … {len(data['failures']) - show_failures} more in {out}")


@app.command()
def nlu(
    training_fraction: Annotated[float, typer.Option(help="Share of each intent's examples to train on.")] = 0.8,
    config: Annotated[Path, typer.Option(help="Pipeline to evaluate.")] = PROJECT_ROOT / "config.yml",
    out: Annotated[Path, typer.Option(help="Where reports go.")] = PROJECT_ROOT / "reports" / "nlu",
) -> None:
    """Intent accuracy and F1 on a held-out split of data/nlu, per language (trains a model
    on the rest: a few minutes)."""
    from bot.cli.engine import nlu_holdout

    data = nlu_holdout(config, training_fraction, out)
    typer.echo(markdown(data))
    typer.echo(f"  {len(data['errors'])} errors; reports in {out}")
