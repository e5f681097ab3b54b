"""The per-run data-quality report: computed from the run's tables, written as JSON and Markdown."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from corpusclean.pipeline import RunPlan, RunSummary

REPORT_VERSION = "1"
_COMPLETENESS_FIELDS = ("title", "subtitle", "published", "authors", "section", "source_agency", "url")
_TOP = 20


def _completeness(kept: pl.DataFrame) -> dict[str, float]:
    if kept.height == 0:
        return dict.fromkeys(_COMPLETENESS_FIELDS, 0.0)
    out = {}
    for name in _COMPLETENESS_FIELDS:
        col = pl.col(name)
        present = col.list.len() > 0 if kept.schema[name] == pl.List(pl.String) else col.is_not_null()
        out[name] = round(kept.select(present.mean()).item() or 0.0, 4)
    return out


def _distribution(kept: pl.DataFrame, column: str) -> dict[str, int]:
    counts = kept.group_by(column).len().sort(["len", column], descending=[True, False], nulls_last=True)
    return {str(k): int(v) for k, v in counts.head(_TOP).iter_rows()}


def _lengths(kept: pl.DataFrame) -> dict[str, float]:
    if kept.height == 0:
        return {}
    words = kept.get_column("word_count")
    return {
        q: float(words.quantile(v, interpolation="nearest") or 0)
        for q, v in (("min", 0.0), ("p10", 0.1), ("median", 0.5), ("p90", 0.9), ("max", 1.0))
    }


def _boilerplate(candidates: pl.DataFrame) -> dict[str, Any]:
    if candidates.height == 0:
        return {"removed_char_ratio": 0.0, "top_removed_lines": []}
    totals = candidates.select(
        pl.col("input_chars").sum().alias("input"), pl.col("text").str.len_chars().sum().alias("kept")
    ).row(0)
    ratio = 1.0 - totals[1] / totals[0] if totals[0] else 0.0
    lines: Counter[str] = Counter()
    for removed in candidates.get_column("removed_lines").to_list():
        lines.update(set(removed or ()))
    top = sorted(lines.items(), key=lambda kv: (-kv[1], kv[0]))[:_TOP]
    return {
        "removed_char_ratio": round(max(0.0, ratio), 4),
        "top_removed_lines": [{"line": line[:200], "pages": n} for line, n in top],
    }


def build_report(
    plan: RunPlan,
    summary: RunSummary,
    kept: pl.DataFrame,
    duplicates: pl.DataFrame,
    rejects: pl.DataFrame,
    candidates: pl.DataFrame,
) -> dict[str, Any]:
    published = kept.get_column("published").drop_nulls()
    return {
        "report_version": REPORT_VERSION,
        "run_id": plan.run_id,
        "counts": {
            "pages": summary.pages,
            "kept": summary.kept,
            "duplicates": summary.duplicates,
            "rejects": summary.rejects,
            "skipped_files": summary.skipped_files,
        },
        "source_types": _distribution(
            pl.concat([candidates.select("source_type"), rejects.select("source_type")]), "source_type"
        ),
        "languages": _distribution(kept, "language"),
        "sites": _distribution(kept, "domain"),
        "field_completeness": _completeness(kept),
        "word_count": _lengths(kept),
        "published_range": {
            "min": published.min().isoformat() if published.len() else None,  # type: ignore[union-attr]
            "max": published.max().isoformat() if published.len() else None,  # type: ignore[union-attr]
        },
        "boilerplate": _boilerplate(candidates),
        "stage_seconds": summary.stage_seconds,
        "reject_examples": [
            {"source_path": p, "reason": r, "detail": d}
            for p, r, d in rejects.select("source_path", "reason", "detail").head(_TOP).iter_rows()
        ],
    }


def render_markdown(report: dict[str, Any]) -> str:
    c = report["counts"]
    lines = [
        f"# corpusclean run {report['run_id']}",
        "",
        f"- pages read: {c['pages']}",
        f"- kept: {c['kept']}",
        f"- duplicates: {sum(c['duplicates'].values())} {c['duplicates'] or ''}".rstrip(),
        f"- rejected: {sum(c['rejects'].values())} {c['rejects'] or ''}".rstrip(),
        f"- boilerplate removed: {report['boilerplate']['removed_char_ratio']:.1%} of characters",
        "",
        "## Field completeness",
        "",
        "| field | share of kept articles |",
        "|---|---|",
        *[f"| {k} | {v:.0%} |" for k, v in report["field_completeness"].items()],
        "",
        "## Languages",
        "",
        *[f"- {k}: {v}" for k, v in report["languages"].items()],
        "",
        "## Sites",
        "",
        *[f"- {k}: {v}" for k, v in report["sites"].items()],
        "",
        "## Body length (words)",
        "",
        *[f"- {k}: {v:g}" for k, v in report["word_count"].items()],
        "",
        "## Most frequent removed lines",
        "",
        "| pages | line |",
        "|---|---|",
        *[f"| {x['pages']} | {x['line'].replace('|', '/')} |" for x in report["boilerplate"]["top_removed_lines"]],
        "",
        "## Rejects",
        "",
        "| input | reason | detail |",
        "|---|---|---|",
        *[f"| {x['source_path']} | {x['reason']} | {x['detail']} |" for x in report["reject_examples"]],
        "",
    ]
    return "\n".join(lines)


def write_report(report: dict[str, Any], staging: Path, run_id: str) -> list[str]:
    """Write report.json and report.md under staging; return their dataset-relative paths."""
    folder = staging / "reports" / run_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    (folder / "report.md").write_text(render_markdown(report))
    return [f"reports/{run_id}/report.json", f"reports/{run_id}/report.md"]
