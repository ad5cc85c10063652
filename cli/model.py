"""`chatcart model`: train candidates, list them, promote one into the running engine when it
passes the gate, roll back to the previous one."""

from __future__ import annotations

import subprocess
from typing import Annotated, Any

import typer

from bot.models.gate import decide
from bot.models.registry import ModelMeta, Registry, RegistryError
from bot.rasa_api import EngineClient, EngineError, EngineRefused, EngineUnreachable
from bot.settings import get_settings
from cli.engine import effective_config, registry, training_fingerprint
from cli.engine import train as train_model

app = typer.Typer(
    help="Train, list, promote and roll back the assistant's models.", no_args_is_help=True
)


@app.command()
def train(
    force: Annotated[bool, typer.Option(help="Train even if a model matches the data.")] = False,
    epochs: Annotated[
        int | None,
        typer.Option(min=1, help="Override every epoch count in config.yml (quick candidates)."),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(help="Model name (models/NAME.tar.gz); default chatcart-<UTC time>."),
    ] = None,
) -> None:
    """Train a model on data/nlu, rules and stories unless one matches them already. The first
    model becomes production; later ones are candidates for `chatcart model promote`."""
    try:
        result = train_model(force, name=name, epochs=epochs)
    except (ValueError, RegistryError) as e:
        raise typer.BadParameter(str(e)) from e
    except subprocess.CalledProcessError as e:
        typer.echo(
            f"Training failed (rasa exited with {e.returncode}; its output is above). "
            "No model was added.",
            err=True,
        )
        raise typer.Exit(1) from e
    role = "production" if result.production else "candidate"
    typer.echo(f"==> {'trained' if result.trained else 'up to date'}: {result.path} ({role})")
    if not result.production:
        typer.echo(f"    next: `make evaluate`, then `chatcart model promote {result.model.name}`")


def _shown(metrics: dict[str, Any], *path: str, score: bool = False) -> str:
    value: object = metrics
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, int | float):
        return "—"
    return f"{value:.3f}" if score else f"{value:.1%}"


@app.command("list")
def list_() -> None:
    """Every model, oldest first, with its role and gate metrics."""
    reg = registry()
    prod, state = reg.production(), reg.state()
    typer.echo("| model | role | trained | epochs | data | intent acc. | macro F1 | item lines |")
    typer.echo("|---|---|---|---|---|---:|---:|---:|")
    for m in reg.models():
        role = (
            "production"
            if prod and m.name == prod.name
            else "previous"
            if m.name == state.previous
            else "candidate"
        )
        current = m.fingerprint == training_fingerprint(effective_config(m.epochs))
        typer.echo(
            f"| {m.name} | {role} | {m.trained_at or '—'} | {m.epochs or 'config'} | "
            f"{'current' if current else 'changed since'} | "
            f"{_shown(m.metrics, 'test_set', 'overall', 'accuracy')} | "
            f"{_shown(m.metrics, 'test_set', 'overall', 'macro_f1', score=True)} | "
            f"{_shown(m.metrics, 'items', 'line_accuracy')} |"
        )


def engine_api(url: str | None) -> EngineClient:
    settings = get_settings()
    return EngineClient(url or settings.rasa_url, settings.rasa_token.get_secret_value())


def swap(reg: Registry, api: EngineClient, meta: ModelMeta) -> str:
    """Load `meta` into the running engine; what happened, for the history. Raises
    EngineError when the engine runs but would not load it (nothing is recorded then)."""
    path = reg.path(meta.name)
    try:
        api.status()
    except EngineUnreachable:
        typer.echo(
            f"    the engine at {api.base_url} is not running: it loads {meta.name} at its next start"
        )
        return "not running"
    typer.echo(f"==> loading {meta.name} into the engine at {api.base_url} (a minute or two) …")
    api.load(path)
    status = api.status()
    if status.get("model_file") != path.name:
        raise EngineRefused(f"the engine reports {status.get('model_file')!r} after loading {path}")
    typer.echo(
        f"    the engine now serves {status.get('model_file')} (model id {status.get('model_id')})"
    )
    return "loaded"


@app.command()
def promote(
    name: Annotated[
        str | None, typer.Argument(help="Model to promote; default: the newest candidate.")
    ] = None,
    force: Annotated[bool, typer.Option(help="Promote even if the gate refuses.")] = False,
    tolerance: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Allowed drop per gate metric (0.01 = 1 point).")
    ] = 0.0,
    engine_url: Annotated[
        str | None, typer.Option(help="The running engine; default RASA_URL.")
    ] = None,
) -> None:
    """Make a model production if it is no worse than the current one on the gate metrics
    (intent accuracy and macro F1 on data/eval/nlu.yml, item-line accuracy), load it into the
    running engine (Rasa's PUT /model) and keep the current one as previous for rollback."""
    from cli.evaluate import gate_metrics

    reg = registry()
    try:
        prod = reg.production()
        candidate = reg.get(name) if name else _newest_candidate(reg, prod)
    except RegistryError as e:
        raise typer.BadParameter(str(e)) from e
    if prod is not None and candidate.name == prod.name:
        typer.echo(f"{candidate.name} is already production.", err=True)
        raise typer.Exit(1)
    typer.echo(f"==> gate: {candidate.name} against production {prod.name if prod else '(none)'}")
    decision = decide(
        gate_metrics(reg, candidate), gate_metrics(reg, prod) if prod else None, tolerance
    )
    typer.echo(decision.table())
    if not decision.passed:
        if not force:
            typer.echo(
                f"Refused: {candidate.name} is worse than production {prod.name if prod else ''}:",
                err=True,
            )
            for problem in decision.problems:
                typer.echo(f"  - {problem}", err=True)
            typer.echo("Production is unchanged. `--force` promotes it anyway.", err=True)
            raise typer.Exit(1)
        typer.echo("    the gate refuses, promoting anyway (--force)")
    try:
        engine = swap(reg, engine_api(engine_url), candidate)
        reg.promote(candidate.name, forced=force and not decision.passed, engine=engine)
    except (EngineError, RegistryError) as e:
        typer.echo(f"Not promoted: {e}", err=True)
        raise typer.Exit(1) from e
    typer.echo(
        f"==> {candidate.name} is production; previous: {prod.name if prod else '—'} "
        "(`chatcart model rollback` puts it back)"
    )


@app.command()
def rollback(
    engine_url: Annotated[
        str | None, typer.Option(help="The running engine; default RASA_URL.")
    ] = None,
) -> None:
    """Put the previous production model back (into the running engine too)."""
    reg = registry()
    prev, prod = reg.previous(), reg.production()
    if prev is None:
        typer.echo("There is no previous model to roll back to.", err=True)
        raise typer.Exit(1)
    try:
        engine = swap(reg, engine_api(engine_url), prev)
        reg.rollback(engine=engine)
    except (EngineError, RegistryError) as e:
        typer.echo(f"Not rolled back: {e}", err=True)
        raise typer.Exit(1) from e
    typer.echo(f"==> {prev.name} is production again; previous: {prod.name if prod else '—'}")


def _newest_candidate(reg: Registry, prod: ModelMeta | None) -> ModelMeta:
    candidates = [m for m in reg.models() if prod is None or m.name != prod.name]
    if not candidates:
        raise RegistryError("there is no candidate model: `chatcart model train` trains one")
    return candidates[-1]
