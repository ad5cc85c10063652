"""Images for the evaluation report, drawn with matplotlib's Agg backend (no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def confusion_png(confusion: dict[str, Any], path: Path, title: str) -> Path:
    """Labelled intents down, predicted intents across; each cell shows its count, and the
    diagonal (right answers) is told apart from the mistakes by colour."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    rows, columns = confusion["rows"], confusion["columns"]
    counts = np.array(confusion["counts"], dtype=float).reshape(len(rows), len(columns))
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    size = max(6.0, 0.42 * max(len(columns), 1) + 3)
    fig, ax = plt.subplots(figsize=(size, max(5.0, 0.42 * max(len(rows), 1) + 2.5)), dpi=110)
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i, label in enumerate(rows):
        for j, predicted in enumerate(columns):
            n = int(counts[i, j])
            if n:
                wrong = label != predicted
                ax.text(
                    j,
                    i,
                    str(n),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="#b00020" if wrong else ("white" if share[i, j] > 0.6 else "black"),
                    fontweight="bold" if wrong else "normal",
                )
    ax.set_xticks(range(len(columns)), columns, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("labelled intent")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path
