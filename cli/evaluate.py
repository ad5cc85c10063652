"""`chatcart evaluate`: the item engine on its dev set (`items`), the NLU pipeline on a
held-out split (`nlu`), and a trained model against the one in production (`model`, which
`make evaluate` runs and `chatcart model promote` relies on)."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.evaluation import out_of_scope
from bot.evaluation.items import evaluate, judge_by_kind, judge_by_name, load_dev_set
from bot.evaluation.messages import comparable, file_digest, read_nlu
from bot.evaluation.nlu import markdown, results_report
from bot.evaluation.report import markdown as report_markdown
from bot.evaluation.report import write_report
from bot.models.gate import Decision, decide
from bot.models.registry import ModelMeta, Registry, RegistryError
from bot.settings import PROJECT_ROOT, get_settings
from cli.shop import engine_from_db, engine_from_file

app = typer.Typer(
    help="Evaluate the item engine, the NLU pipeline and trained models.", no_args_is_help=True
)

NLU_TEST_SET = PROJECT_ROOT / "data" / "eval" / "nlu.yml"
ITEMS_DEV_SET = PROJECT_ROOT / "data" / "eval" / "items.yml"
REPORTS = PROJECT_ROOT / "reports"
WORK = PROJECT_ROOT / "var" / "evaluate"


@app.command()
def items(
    dev_set: Annotated[Path, typer.Option(help="Labelled messages.")] = PROJECT_ROOT
    / "data"
    / "eval"
    / "items.yml",
    catalog: Annotated[
        Path | None, typer.Option(help="Evaluate against this catalog file.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format")] = "shop",
    out: Annotated[Path | None, typer.Option(help="Write the report as JSON here.")] = PROJECT_ROOT
    / "reports"
    / "items.json",
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
    training_fraction: Annotated[
        float, typer.Option(help="Share of each intent's examples to train on.")
    ] = 0.8,
    config: Annotated[Path, typer.Option(help="Pipeline to evaluate.")] = PROJECT_ROOT
    / "config.yml",
    out: Annotated[Path, typer.Option(help="Where reports go.")] = PROJECT_ROOT / "reports" / "nlu",
) -> None:
    """Intent accuracy and F1 on a held-out split of data/nlu, per language (trains a model
    on the rest: a few minutes)."""
    from cli.engine import nlu_holdout

    data = nlu_holdout(config, training_fraction, out)
    typer.echo(markdown(data))
    typer.echo(f"  {len(data['errors'])} errors; reports in {out}")


def _rel(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def step(text: str) -> None:
    typer.echo(f"==> {text}")


def measure_test_set(
    reg: Registry, meta: ModelMeta, test_set: Path = NLU_TEST_SET
) -> dict[str, Any]:
    """Intents and entities of the model itself on the fixed test set, per language."""
    from cli.engine import test_nlu

    languages = {comparable(m.text): m.language for m in read_nlu(test_set) if m.language}
    results = test_nlu(reg.path(meta.name), test_set, WORK / meta.name / "test_set")
    return {
        "path": _rel(test_set),
        "sha256": file_digest(test_set),
        **results_report(results, languages),
    }


def measure_items(dev_set: Path = ITEMS_DEV_SET) -> dict[str, Any]:
    """Item-line accuracy against the shop's own catalog files (not the database, whose
    merchant edits would make two evaluations incomparable)."""
    catalog = get_settings().catalog_path
    report = evaluate(load_dev_set(dev_set), engine_from_file(catalog, "shop").parse, judge_by_kind)
    return {
        "path": _rel(dev_set),
        "sha256": file_digest(dev_set),
        "catalog": _rel(catalog),
        **report.as_dict(),
    }


def holdout_config(meta: ModelMeta) -> str | None:
    """The config the model was trained with, if the training data is still what it was trained
    on (otherwise a split of today's data would not describe it)."""
    from cli.engine import effective_config, training_fingerprint

    config = meta.config
    if config is None and meta.fingerprint == training_fingerprint():
        config = effective_config()  # trained before configs were recorded, on today's config.yml
    if config is None or training_fingerprint(config) != meta.fingerprint:
        return None
    return config


def measure_holdout(meta: ModelMeta, config_text: str, training_fraction: float) -> dict[str, Any]:
    """Train on part of data/nlu with the model's config, test on the rest."""
    from cli.engine import nlu_holdout

    work = WORK / meta.name / "holdout"
    WORK.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", suffix=".yml", dir=WORK, delete=False, encoding="utf-8"
    ) as f:
        f.write(config_text)
        config = Path(f.name)
    try:
        data = nlu_holdout(config, training_fraction, work / "report", work)
    finally:
        config.unlink(missing_ok=True)
    return {"fingerprint": meta.fingerprint, **data}


def gate_metrics(reg: Registry, meta: ModelMeta, *, fresh: bool = False) -> dict[str, Any]:
    """The metrics the gate compares, measured now unless the model's meta already holds them
    for the current test set and dev set; kept in the meta."""
    WORK.mkdir(parents=True, exist_ok=True)
    metrics = dict(meta.metrics)
    if fresh or (metrics.get("test_set") or {}).get("sha256") != file_digest(NLU_TEST_SET):
        step(
            f"{meta.name}: NLU test set {_rel(NLU_TEST_SET)} (Rasa loads the model: a minute or two)"
        )
        metrics["test_set"] = measure_test_set(reg, meta)
    if fresh or (metrics.get("items") or {}).get("sha256") != file_digest(ITEMS_DEV_SET):
        step(f"{meta.name}: item lines on {_rel(ITEMS_DEV_SET)}")
        metrics["items"] = measure_items()
    metrics["evaluated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    meta.metrics = metrics
    reg.save_meta(meta)
    return metrics


def out_of_scope_source() -> Path:
    return get_settings().shared_data_dir / out_of_scope.SOURCE


def out_of_scope_metrics(reg: Registry, meta: ModelMeta, *, fresh: bool = False) -> None:
    """Real out-of-scope Hinglish (see bot.evaluation.out_of_scope), measured unless the model's
    meta already holds it for the same messages; kept in the meta. Informational: the gate
    never reads it, and `chatcart model promote` does not measure it."""
    source = out_of_scope_source()
    if not source.exists():
        step(
            f"{meta.name}: real out-of-scope Hinglish skipped: {source} is absent "
            "(the shared data sets are not beside this checkout: SHARED_DATA_DIR says where they are)"
        )
        return
    loaded = out_of_scope.load(source)
    held = meta.metrics.get("out_of_scope_real") or {}
    if not fresh and held.get("messages_sha256") == loaded.digest:
        return
    from cli.engine import CONFIG, test_nlu

    threshold = out_of_scope.fallback_threshold(meta.config or CONFIG.read_text("utf-8"))
    step(
        f"{meta.name}: {len(loaded.messages)} real out-of-scope Hinglish requests from "
        f"{out_of_scope.SOURCE} ({loaded.dropped_in_training} in data/nlu left out; Rasa loads the model)"
    )
    meta.metrics["out_of_scope_real"] = out_of_scope.measure(
        reg.path(meta.name),
        loaded,
        WORK / meta.name / "out_of_scope_real",
        threshold,
        test_nlu=test_nlu,
        source=str(out_of_scope.SOURCE),
        source_sha256=file_digest(source),
    )
    reg.save_meta(meta)


def summary(meta: ModelMeta | None) -> dict[str, Any] | None:
    if meta is None:
        return None
    return {k: v for k, v in meta.as_dict().items() if k not in ("metrics", "config")}


def evaluation(
    candidate: ModelMeta, production: ModelMeta | None, decision: Decision | None
) -> dict[str, Any]:
    return {
        "model": summary(candidate),
        "production": summary(production),
        "metrics": candidate.metrics,
        "production_metrics": production.metrics
        if production and production.name != candidate.name
        else None,
        "gate": None
        if decision is None
        else {
            "passed": decision.passed,
            "problems": list(decision.problems),
            "table": decision.table(),
        },
    }


@app.command("model")
def model_(
    name: Annotated[
        str | None, typer.Argument(help="Model to evaluate; default: the newest.")
    ] = None,
    holdout: Annotated[
        bool, typer.Option(help="Also train and test on a held-out split of data/nlu (minutes).")
    ] = True,
    training_fraction: Annotated[
        float, typer.Option(help="Share of each intent's examples the held-out model trains on.")
    ] = 0.8,
    fresh: Annotated[
        bool, typer.Option(help="Measure again even what the model's meta already holds.")
    ] = False,
    out_of_scope_real: Annotated[
        bool,
        typer.Option(
            "--out-of-scope/--no-out-of-scope",
            help="Also run the real out-of-scope Hinglish requests (informational; minutes).",
        ),
    ] = True,
    out: Annotated[Path, typer.Option(help="Where the report goes.")] = REPORTS,
) -> None:
    """Intent and entity scores on the NLU test set and the held-out split, item-line accuracy,
    per language, what the model does with real out-of-scope Hinglish (informational, not
    gated), with the difference from the model in production: reports/evaluation.{json,md}
    and confusion-matrix images."""
    from cli.engine import registry

    reg = registry()
    try:
        candidate = reg.get(name) if name else reg.latest()
        production = reg.production()
    except RegistryError as e:
        raise typer.BadParameter(str(e)) from e
    if candidate is None:
        typer.echo("No model to evaluate: `make train` first.", err=True)
        raise typer.Exit(1)
    is_production = production is not None and production.name == candidate.name
    step(
        f"evaluating {candidate.name}"
        + (
            " (production)"
            if is_production
            else f" against production {production.name}"
            if production
            else ""
        )
    )
    gate_metrics(reg, candidate, fresh=fresh)
    if holdout:
        held = candidate.metrics.get("holdout")
        config_text = holdout_config(candidate)
        if config_text is None:
            step(
                f"{candidate.name}: held-out split skipped: the training data changed since it was trained"
            )
        elif (
            fresh
            or not held
            or held.get("fingerprint") != candidate.fingerprint
            or held.get("training_fraction") != training_fraction
        ):
            step(
                f"{candidate.name}: held-out split ({1 - training_fraction:.0%} of data/nlu): "
                "Rasa trains a model on the rest, progress follows"
            )
            candidate.metrics["holdout"] = measure_holdout(
                candidate, config_text, training_fraction
            )
            reg.save_meta(candidate)
    if out_of_scope_real:
        out_of_scope_metrics(reg, candidate, fresh=fresh)
    decision = None
    if production is not None and not is_production:
        gate_metrics(reg, production)
        if out_of_scope_real:
            out_of_scope_metrics(reg, production)
        decision = decide(candidate.metrics, production.metrics)
    elif production is None:
        decision = decide(candidate.metrics, None)
    written = write_report(out, evaluation(candidate, production, decision))
    typer.echo(report_markdown(evaluation(candidate, production, decision), errors=False))
    typer.echo("")
    for path in written:
        typer.echo(f"  wrote {_rel(path)}")
