"""Build, write and compare quality reports (report.json, report.md, report.html)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from corpusclean.errors import DatasetError
from corpusclean.quality.html import render_html
from corpusclean.quality.metrics import RunTables, compute_report
from corpusclean.schema import polars_schema

REPORT_FILES = ("report.json", "report.md", "report.html")


def _scan(files: Sequence[Path], table: str) -> pl.LazyFrame:
    if not files:
        return pl.LazyFrame(schema=polars_schema(table))
    return pl.scan_parquet(list(files), hive_partitioning=False)


def tables_in(root: Path, run_ids: Sequence[str] = (), extras: Sequence[Path] = ()) -> RunTables:
    """Lazy views of the tables under root (a dataset or a run's staging), limited to run_ids if given."""
    frames = {
        "articles": _scan(sorted((root / "articles").glob("**/*.parquet")), "articles"),
        "duplicates": _scan(sorted((root / "duplicates").glob("*.parquet")), "duplicates"),
        "rejects": _scan(sorted((root / "rejects").glob("*.parquet")), "rejects"),
    }
    if run_ids:
        frames = {k: v.filter(pl.col("run_id").is_in(list(run_ids))) for k, v in frames.items()}
    extra = pl.scan_parquet(list(extras)) if extras else None
    return RunTables(
        articles=frames["articles"],
        duplicates=frames["duplicates"],
        rejects=frames["rejects"],
        extras=extra,
        run_ids=tuple(run_ids),
    )


def render_markdown(report: dict[str, Any], title: str) -> str:
    c = report["counts"]
    gates = report.get("gates", {})
    boiler = report["boilerplate"]
    pub = report["published"]
    lines = [
        f"# {title}",
        "",
        f"Quality gates: **{gates.get('status', 'passed')}**",
        *[f"- {f}" for f in gates.get("failures", [])],
        "",
        f"- pages in: {c['pages']} ({', '.join(f'{k} {v}' for k, v in report['source_types'].items())})",
        f"- kept: {c['kept']}",
        f"- duplicates: {sum(c['duplicates'].values())} {c['duplicates'] or ''}".rstrip(),
        f"- rejected: {sum(c['rejects'].values())} {c['rejects'] or ''}".rstrip(),
        f"- boilerplate removed: {boiler['removed_char_ratio']:.1%} of characters",
        f"- container records skipped as not pages: {report.get('skipped_records') or 'none'}",
        f"- published: {pub['min'] or '-'} to {pub['max'] or '-'}; "
        f"{pub['implausible_dates_dropped']} implausible dates dropped",
        "",
        "## Field completeness",
        "",
        "| field | share of kept articles |",
        "|---|---|",
        *[f"| {k} | {v:.0%} |" for k, v in report["field_completeness"].items()],
        "",
        "## Body length (words)",
        "",
        " · ".join(f"{k} {v}" for k, v in report["word_count"]["quantiles"].items()) or "-",
        "",
        "## Languages",
        "",
        *[f"- {k}: {v}" for k, v in report["languages"].items()],
        "",
        "## Sites (boilerplate removed)",
        "",
        "| site | pages | removed |",
        "|---|---|---|",
        *[f"| {k} | {v['pages']} | {v['removed_ratio']:.0%} |" for k, v in boiler["by_site"].items()],
        "",
        "## Most frequent removed lines",
        "",
        "| pages | line |",
        "|---|---|",
        *[f"| {x['pages']} | {x['line'].replace('|', '/')} |" for x in boiler["top_removed_lines"]],
        "",
        "## Rejects",
        "",
        "| input | reason | detail |",
        "|---|---|---|",
        *[
            f"| {x['source_path']} | {x['reason']} | {x['detail'].replace('|', '/')} |"
            for x in report["reject_examples"]
        ],
        "",
    ]
    if report.get("stage_seconds"):
        lines += ["## Stage times", "", *[f"- {k}: {v:.2f} s" for k, v in report["stage_seconds"].items()], ""]
    return "\n".join(lines)


def write_report(report: dict[str, Any], folder: Path, title: str) -> list[str]:
    """report.json, report.md and report.html in folder; returns the file names."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(
        json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (folder / "report.md").write_text(render_markdown(report, title), encoding="utf-8")
    (folder / "report.html").write_text(render_html(report, title), encoding="utf-8")
    return list(REPORT_FILES)


def dataset_report(root: Path, run_ids: Sequence[str] = ()) -> dict[str, Any]:
    """A report recomputed from a committed dataset (all runs, or the given ones)."""
    if not (root / "manifests").is_dir():
        raise DatasetError(f"{root} is not a corpusclean dataset (no manifests/)")
    report = compute_report(tables_in(root, run_ids))
    # Lines removed and implausible dates live only in each run's own report.json.
    runs = run_ids or [p.stem for p in sorted((root / "manifests").glob("*.json"))]
    lines: dict[str, int] = {}
    dropped = 0
    for run_id in runs:
        path = root / "reports" / run_id / "report.json"
        if path.is_file():
            saved = json.loads(path.read_text(encoding="utf-8"))
            for item in saved["boilerplate"]["top_removed_lines"]:
                lines[item["line"]] = lines.get(item["line"], 0) + item["pages"]
            dropped += saved["published"]["implausible_dates_dropped"]
    top = sorted(lines.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    report["boilerplate"]["top_removed_lines"] = [{"line": k, "pages": v} for k, v in top]
    report["published"]["implausible_dates_dropped"] = dropped
    report["run_ids"] = list(runs)
    return report


def compare(a: dict[str, Any], b: dict[str, Any], name_a: str, name_b: str) -> str:
    """Markdown table of how the second report drifted from the first."""

    def rate(r: dict[str, Any], part: str) -> float:
        pages = r["counts"]["pages"] or 1
        value = r["counts"][part]
        return (sum(value.values()) if isinstance(value, dict) else value) / pages

    rows = [
        ("pages in", a["counts"]["pages"], b["counts"]["pages"]),
        ("kept rate", rate(a, "kept"), rate(b, "kept")),
        ("duplicate rate", rate(a, "duplicates"), rate(b, "duplicates")),
        ("reject rate", rate(a, "rejects"), rate(b, "rejects")),
        ("boilerplate removed", a["boilerplate"]["removed_char_ratio"], b["boilerplate"]["removed_char_ratio"]),
        ("median words", a["word_count"]["quantiles"].get("median", 0), b["word_count"]["quantiles"].get("median", 0)),
    ]
    rows += [
        (f"{field} known", a["field_completeness"].get(field, 0.0), b["field_completeness"].get(field, 0.0))
        for field in sorted(set(a["field_completeness"]) | set(b["field_completeness"]))
    ]
    reasons = sorted(set(a["counts"]["rejects"]) | set(b["counts"]["rejects"]))
    rows += [(f"rejected: {r}", a["counts"]["rejects"].get(r, 0), b["counts"]["rejects"].get(r, 0)) for r in reasons]

    def fmt(v: float) -> str:
        return f"{v:.1%}" if isinstance(v, float) and v <= 1.0 else f"{v:g}"

    out = [f"# Drift: {name_a} -> {name_b}", "", f"| figure | {name_a} | {name_b} | change |", "|---|---|---|---|"]
    for label, x, y in rows:
        change = y - x
        out.append(f"| {label} | {fmt(x)} | {fmt(y)} | {'+' if change > 0 else ''}{fmt(change) if change else '='} |")
    return "\n".join(out) + "\n"
