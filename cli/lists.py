"""`chatcart evaluate lists`: photos of shopping lists read and scored (`data/eval/lists/`).

Line accuracy per script (Latin, Devanagari, mixed) on the clean and the photo-like images,
and seconds per image, in `reports/lists.json`. `--compare` reads the set once per way of
reading in `bot.ocr.evaluation.SETTINGS` (each preparation step off, other thresholds,
segmentation modes and language orders), which is how the chosen one was chosen.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.ocr.evaluation import SETTINGS, evaluate, load_gold
from bot.ocr.recognise import available
from bot.settings import PROJECT_ROOT, get_settings
from cli.shop import engine_from_file

LISTS = PROJECT_ROOT / "data" / "eval" / "lists"
REPORT = PROJECT_ROOT / "reports" / "lists.json"


def lists(
    folder: Annotated[Path, typer.Option(help="Images and their gold.yml.")] = LISTS,
    out: Annotated[Path, typer.Option(help="The JSON report.")] = REPORT,
    compare: Annotated[
        bool, typer.Option(help="Also read the set every other way, one change at a time.")
    ] = False,
    setting: Annotated[
        list[str] | None, typer.Option(help=f"Ways of reading to run: {', '.join(SETTINGS)}.")
    ] = None,
    only: Annotated[str | None, typer.Option(help="Only images whose name matches.")] = None,
    verbose: Annotated[bool, typer.Option(help="A line per image.")] = False,
) -> None:
    """Photos of shopping lists: line accuracy per script, clean and photo-like; s/image."""
    problem = available()
    if problem:
        typer.echo(f"cannot read photos: {problem}", err=True)
        raise typer.Exit(1)
    images = load_gold(folder)
    if only:
        images = [im for im in images if re.search(only, im.image.name)]
    names = setting or (list(SETTINGS) if compare else ["chosen"])
    unknown = [n for n in names if n not in SETTINGS]
    if unknown:
        raise typer.BadParameter(f"unknown setting {', '.join(unknown)}: use {', '.join(SETTINGS)}")
    engine = engine_from_file(get_settings().catalog_path, "shop")
    results: dict[str, Any] = {}
    for name in names:
        typer.echo(f"==> reading {len(images)} images: {name}")
        results[name] = evaluate(
            engine, images, SETTINGS[name], progress=typer.echo if verbose else None
        )
        _table(name, results[name]["summary"])
    if len(names) > 1:
        _compare(results)
    report = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "images": len(images),
        "results": results,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    typer.echo(
        f"report: {out.relative_to(PROJECT_ROOT) if out.is_relative_to(PROJECT_ROOT) else out}"
    )


def _pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value * 100:5.1f}%"


def _table(name: str, summary: dict[str, Any]) -> None:
    typer.echo(
        f"{'':22} {'images':>6} {'lines':>6} {'right':>7} {'text':>7} {'extra':>6} {'s/img':>6}"
    )
    for key in ("latin/clean", "devanagari/clean", "mixed/clean", "clean",
                "latin/photo", "devanagari/photo", "mixed/photo", "photo",
                "printed/clean", "handwriting/clean", "printed/photo", "handwriting/photo", "all"):  # fmt: skip
        b = summary.get(key)
        if not b:
            continue
        typer.echo(
            f"  {key:20} {b['images']:6} {b['lines']:6} {_pct(b['line_accuracy']):>7} "
            f"{_pct(b['text_accuracy']):>7} {b['extra_lines']:6} {b['seconds_median']:6.2f}"
        )


def _compare(results: dict[str, Any]) -> None:
    typer.echo("==> line accuracy (clean / photo) and median seconds per image")
    for name, result in results.items():
        s = result["summary"]
        typer.echo(
            f"  {name:12} {_pct(s['clean']['line_accuracy'])} / {_pct(s['photo']['line_accuracy'])}"
            f"   {s['all']['seconds_median']:.2f} s"
        )
