"""`chatcart parse`: messages in, resolved cart lines out (JSON lines or a table)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from bot.catalog.model import format_pack, format_rupees
from bot.engine import ItemEngine, ParsedMessage
from cli.shop import engine_from_db, engine_from_file


def parse(
    text: Annotated[
        list[str] | None, typer.Argument(help="Messages; one per line on stdin when none.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per message.")] = False,
    catalog: Annotated[
        Path | None, typer.Option(help="Parse against this catalog file instead of the database.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="Catalog file format: shop or bigbasket.")
    ] = "shop",
    image: Annotated[
        list[Path] | None,
        typer.Option(
            help="A photo of a shopping list (repeatable): its lines read (OCR), then parsed."
        ),
    ] = None,
) -> None:
    """Turn shopping messages (or photos of lists) into cart lines resolved against the catalog."""
    engine = engine_from_file(catalog, fmt) if catalog else engine_from_db()
    if image:
        _parse_images(engine, image, as_json)
        if not text:
            return
    interactive = not text and sys.stdin.isatty()
    messages = text if text else _stdin_lines(interactive)
    for message in messages:
        result = engine.parse(message)
        if as_json:
            sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            _print_table(result)


def _parse_images(engine: ItemEngine, paths: list[Path], as_json: bool) -> None:
    """Each photo as the WhatsApp worker reads it: the same JSON as for text (`lines`), each
    line with the OCR's own reading and confidence; `unreadable` lists what was not read."""
    from bot.ocr.image import UnreadableImage
    from bot.ocr.reading import TIME_LIMIT, read_list
    from bot.ocr.recognise import OcrTimeout, OcrUnavailable

    for path in paths:
        try:
            read = read_list(path.read_bytes(), engine, timeout=TIME_LIMIT)
        except (OSError, UnreadableImage, OcrTimeout, OcrUnavailable) as e:
            typer.echo(f"{path}: {e}", err=True)
            raise typer.Exit(1) from e
        if as_json:
            out = {"image": str(path), **read.as_dict()}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            continue
        typer.echo(f"{path}  [{read.language}]  {read.seconds:.2f} s")
        for line in read.lines:
            mark = {"item": "·", "heading": "#", "unreadable": "✗"}[line.kind]
            typer.echo(f"  {mark} ocr {line.ocr.confidence:.2f}  {line.ocr.text!r}")
        if read.items:
            _print_table(engine.parse(read.text))
        else:
            typer.echo("  (no list found)")


def _stdin_lines(interactive: bool) -> Iterator[str]:
    while True:
        try:
            line = input("🛒 > ") if interactive else sys.stdin.readline()
        except (EOFError, KeyboardInterrupt):
            if interactive:
                typer.echo()
            return
        if not interactive and line == "":
            return
        line = line.rstrip("\n")
        if line.strip() or not interactive:
            yield line


def _print_table(result: ParsedMessage) -> None:
    typer.echo(f"{result.text!r}  [{result.language}]")
    if not result.lines:
        typer.echo("  (no items found)")
    for w in result.warnings:
        typer.echo(f"  ! {w}")
    for line in result.lines:
        r = line.resolution
        qty = "-" if line.quantity is None else f"{line.quantity:g} {line.unit}"
        if r.product is None:
            hint = ", ".join(a.name for a in r.alternatives[:3])
            typer.echo(
                f"  {line.line.item or line.line.text!r:24} {qty:>10}  ✗ unmatched"
                + (f" (did you mean: {hint}?)" if hint else "")
            )
            continue
        packs = " + ".join(f"{c} × {p.pack_label}" for p, c in r.packs)
        total = sum(p.price_paise * c for p, c in r.packs)
        mark = "?" if r.status == "ambiguous" else "✓"
        typer.echo(
            f"  {line.line.item!r:24} {qty:>10}  {mark} {r.product.brand + ' ' if r.product.brand and not r.product.name.startswith(r.product.brand) else ''}"
            f"{r.product.name}: {packs} = {format_rupees(total)}  ({r.confidence:.2f})"
        )
        if r.status == "ambiguous":
            for i, alt in enumerate(r.alternatives[:4], start=2):
                typer.echo(
                    f"  {'':24} {'':>10}    {i}. {alt.name} {format_pack(alt.pack_size, alt.pack_unit)} {format_rupees(alt.price_paise)}"
                )
