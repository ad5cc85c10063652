"""The evaluation report of one model beside the model in production: reports/evaluation.json
(everything), reports/evaluation.md (the tables, with "Δ vs production" columns) and the
intent confusion matrices as PNG images.

`evaluation` is a plain dict: {"model": {...}, "production": {...} | None, "metrics": {...},
"production_metrics": {...} | None, "gate": {...} | None}, metrics as `chatcart evaluate
model` measures them (test_set / holdout / items / out_of_scope_real)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.evaluation.nlu import SHOWN_ENTITIES
from bot.evaluation.plots import confusion_png

NLU_PARTS = (("test_set", "NLU test set"), ("holdout", "held-out split"))


def write_report(out: Path, evaluation: dict[str, Any]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    images = {}
    for part, title in NLU_PARTS:
        data = (evaluation.get("metrics") or {}).get(part) or {}
        if data.get("confusion", {}).get("rows"):
            path = out / f"intent_confusion_{part}.png"
            confusion_png(
                data["confusion"], path, f"{evaluation['model']['name']}: intents, {title}"
            )
            images[part] = path.name
            written.append(path)
    json_path = out / "evaluation.json"
    json_path.write_text(
        json.dumps({**evaluation, "images": images}, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    md_path = out / "evaluation.md"
    md_path.write_text(markdown(evaluation, images) + "\n", "utf-8")
    return [json_path, md_path, *written]


def _get(data: dict[str, Any] | None, *path: str) -> Any:
    value: Any = data
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _f(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


def _delta_pp(v: float | None, base: float | None) -> str:
    return "—" if v is None or base is None else f"{(v - base) * 100:+.1f} pp"


def _delta(v: float | None, base: float | None) -> str:
    return "—" if v is None or base is None else f"{v - base:+.3f}"


def markdown(
    evaluation: dict[str, Any], images: dict[str, str] | None = None, *, errors: bool = True
) -> str:
    """The report's tables; `errors=False` leaves out the lists of misunderstood messages
    (for a terminal)."""
    model, prod = evaluation["model"], evaluation.get("production")
    mine, theirs = evaluation.get("metrics") or {}, evaluation.get("production_metrics")
    same = prod is not None and prod.get("name") == model["name"]
    lines = [f"# Evaluation of `{model['name']}`", ""]
    if prod is None:
        lines += ["No model is in production yet: the Δ columns are empty.", ""]
    elif same:
        lines += [
            f"`{model['name']}` is the model in production: there is nothing to compare it with.",
            "",
        ]
    lines += ["| | this model | production |", "|---|---|---|"]
    for label, key in (
        ("name", "name"),
        ("trained", "trained_at"),
        ("data hash", "fingerprint"),
        ("epochs", "epochs"),
        ("Rasa", "rasa_version"),
    ):
        a, b = model.get(key), (prod or {}).get(key)
        if key == "fingerprint":
            a, b = (a or "")[:12] or None, (b or "")[:12] or None
        if key == "epochs":
            a, b = a or "config.yml", (b or "config.yml") if prod else None
        lines.append(f"| {label} | {a if a is not None else '—'} | {b if b is not None else '—'} |")
    lines.append("")

    for part, title in NLU_PARTS:
        data = mine.get(part)
        if not data:
            continue
        base = (theirs or {}).get(part)
        comparable = base is not None and base.get("sha256", data.get("sha256")) == data.get(
            "sha256"
        )
        if not comparable:
            base = None
        lines += [
            f"## Intents on the {title} ({_source(part, data)})",
            "",
            "| language | examples | accuracy | Δ vs production | macro F1 | Δ vs production |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        groups = [
            *(
                (lang, s, _get(base, "by_language", lang))
                for lang, s in data["by_language"].items()
            ),
            ("**all**", data["overall"], _get(base, "overall")),
        ]
        for lang, s, b in groups:
            lines.append(
                f"| {lang} | {s['examples']} | {_pct(s['accuracy'])} | "
                f"{_delta_pp(s['accuracy'], _get(b, 'accuracy'))} | {_f(s['macro_f1'])} | "
                f"{_delta(s['macro_f1'], _get(b, 'macro_f1'))} |"
            )
        if theirs is not None and not comparable and theirs.get(part):
            lines.append(f"\nProduction was measured on another version of the {title}: no Δ.")
        entities = data.get("entities") or {}
        if entities.get("overall"):
            lines += [
                "",
                f"### Entities on the {title} (exact spans)",
                "",
                "| language | entity | precision | recall | F1 | Δ F1 vs production | labelled |",
                "|---|---|---:|---:|---:|---:|---:|",
            ]
            groups_e = [
                *(
                    (lang, s, _get(base, "entities", "by_language", lang))
                    for lang, s in entities.get("by_language", {}).items()
                ),
                ("**all**", entities["overall"], _get(base, "entities", "overall")),
            ]
            for lang, per_entity, b in groups_e:
                for entity in SHOWN_ENTITIES:
                    s = per_entity.get(entity)
                    if not s:
                        continue
                    lines.append(
                        f"| {lang} | {entity} | {_pct(s['precision'])} | {_pct(s['recall'])} | "
                        f"{_f(s['f1'])} | {_delta(s['f1'], _get(b, entity, 'f1'))} | {s['support']} |"
                    )
        if images and part in images:
            lines += ["", f"![Intent confusion matrix, {title}]({images[part]})"]
        wrong = data.get("errors") or []
        if wrong and errors:
            lines += ["", f"<details><summary>{len(wrong)} misunderstood messages</summary>", ""]
            lines += [
                f"- [{e['language']}] {e['text']!r}: {e['expected']} → {e['predicted']} "
                f"({e['confidence']:.2f})"
                for e in wrong
            ]
            lines += ["", "</details>"]
        lines.append("")

    items = mine.get("items")
    if items:
        base = (theirs or {}).get("items")
        lines += [
            f"## Item lines ({items.get('path', 'data/eval/items.yml')})",
            "",
            "| language | lines | line accuracy | Δ vs production |",
            "|---|---:|---:|---:|",
        ]
        for lang, s in items["by_language"].items():
            lines.append(
                f"| {lang} | {s['lines']} | {_pct(s['line_accuracy'])} | "
                f"{_delta_pp(s['line_accuracy'], _get(base, 'by_language', lang, 'line_accuracy'))} |"
            )
        lines.append(
            f"| **all** | {items['lines']} | {_pct(items['line_accuracy'])} | "
            f"{_delta_pp(items['line_accuracy'], _get(base, 'line_accuracy'))} |"
        )
        lines.append("")

    lines += _out_of_scope_real(
        mine.get("out_of_scope_real"), (theirs or {}).get("out_of_scope_real"), errors=errors
    )

    gate = evaluation.get("gate")
    if gate:
        lines += ["## Gate (`chatcart model promote`)", "", gate["table"], ""]
        lines.append(
            "**Passes**: no worse than production."
            if gate["passed"]
            else "**Refused**: " + "; ".join(gate["problems"])
        )
    return "\n".join(lines).rstrip()


OUT_OF_SCOPE_ROWS = (
    ("out_of_scope", "answered as out of scope (`out_of_scope` at or above it)"),
    ("fallback", "sent to the fallback (top confidence below it)"),
    ("acted_on", "**acted on** (another intent at or above it: the harmful case)"),
)


def _out_of_scope_real(
    data: dict[str, Any] | None, base: dict[str, Any] | None, *, errors: bool
) -> list[str]:
    """Real Hinglish requests that are not for a shop (bot.evaluation.out_of_scope):
    informational, the gate does not read it. Δ only against the same messages."""
    if not data:
        return []
    if base is not None and base.get("messages_sha256") != data.get("messages_sha256"):
        base = None
    threshold = data.get("threshold")
    lines = [
        f"## Real out-of-scope Hinglish (`{data.get('source')}` of the shared data; informational, "
        "not in the gate)",
        "",
        f"{data['n']} code-switched requests to a phone assistant, none of them for a shop, written by "
        f"nobody here ({data.get('dropped_in_training', 0)} that occur in data/nlu left out; "
        f"{data.get('duplicates', 0)} repeats counted once). Fallback threshold {threshold}.",
        "",
        "| outcome | share | Δ vs production |",
        "|---|---:|---:|",
    ]
    for key, label in OUT_OF_SCOPE_ROWS:
        lines.append(
            f"| {label} | {_pct(data.get(key))} | {_delta_pp(data.get(key), _get(base, key))} |"
        )
    top = data.get("acted_on_by_intent") or []
    if top:
        lines += ["", "| acted on as | messages | share of all |", "|---|---:|---:|"]
        lines += [f"| {t['intent']} | {t['count']} | {_pct(t['share'])} |" for t in top]
    domains = data.get("by_domain") or {}
    if domains:
        lines += [
            "",
            "| domain | messages | out of scope | fallback | acted on | Δ acted on vs production |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for domain, s in sorted(domains.items(), key=lambda kv: (-kv[1]["acted_on"], kv[0])):
            lines.append(
                f"| {domain} | {s['n']} | {_pct(s['out_of_scope'])} | {_pct(s['fallback'])} | "
                f"{_pct(s['acted_on'])} | "
                f"{_delta_pp(s['acted_on'], _get(base, 'by_domain', domain, 'acted_on'))} |"
            )
    examples = data.get("acted_on_examples") or []
    if examples and errors:
        lines += [
            "",
            f"<details><summary>{len(examples)} most confident messages acted on</summary>",
            "",
        ]
        lines += [
            f"- [{e['domain']}] {e['text']!r} → {e['intent']} ({e['confidence']:.2f})"
            for e in examples
        ]
        lines += ["", "</details>"]
    lines.append("")
    return lines


def _source(part: str, data: dict[str, Any]) -> str:
    if part == "test_set":
        return f"`{data.get('path', 'data/eval/nlu.yml')}`, never trained on"
    fraction = data.get("training_fraction")
    held = f"{1 - fraction:.0%} of data/nlu" if isinstance(fraction, int | float) else "data/nlu"
    return f"{held} held out, seed {data.get('seed', '—')}, the rest trained on with this model's config"
