"""Data-quality figures of a run (or a whole dataset), computed lazily from the written tables.

Every figure here comes from a polars query over the Parquet files of
articles/, duplicates/ and rejects/ (staged or committed), plus the run's
staging extras (the lines each page lost, dates that failed the plausibility
checks), which exist only while the run is being built and are kept in its
report.json afterwards. Queries run on polars' streaming engine, so a figure
over the bodies (their lengths) never holds all of them in memory at once.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

REPORT_VERSION = "2"
TOP = 20
COMPLETENESS_FIELDS = ("title", "subtitle", "authors", "published", "section", "source_agency", "site_name", "url")
WORD_BINS = (0, 100, 250, 500, 1000, 2000)
_LIST_FIELDS = frozenset({"authors", "image_credits", "related"})


@dataclass(frozen=True)
class RunTables:
    """Lazy views of one run's tables (or of several runs', for a dataset report)."""

    articles: pl.LazyFrame
    duplicates: pl.LazyFrame
    rejects: pl.LazyFrame
    extras: pl.LazyFrame | None = None  # staged candidates: id, removed_lines, published_dropped, text
    run_ids: tuple[str, ...] = ()
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # site_chars() of the articles in parts (any split, summed here), when the caller already had
    # the bodies in hand: finalize has them shard by shard while it writes them.
    site_chars: pl.LazyFrame | None = None


def _counts_by(frame: pl.LazyFrame, column: str, top: int | None = None) -> dict[str, int]:
    counts = (
        frame.select(pl.col(column).fill_null("(none)").cast(pl.String))
        .group_by(column)
        .len()
        .sort(["len", column], descending=[True, False])
        .collect(engine="streaming")
    )
    rows = counts.rows() if top is None else counts.head(top).rows()
    return {str(k): int(v) for k, v in rows}


def outcome_counts(t: RunTables) -> dict[str, Any]:
    kept = t.articles.select(pl.len()).collect(engine="streaming").item()
    dups = _counts_by(t.duplicates, "kind")
    rejects = _counts_by(t.rejects, "reason")
    return {
        "pages": kept + sum(dups.values()) + sum(rejects.values()),
        "kept": kept,
        "duplicates": dict(sorted(dups.items())),
        "rejects": dict(sorted(rejects.items())),
    }


def source_types(t: RunTables) -> dict[str, int]:
    frames = [f.select(pl.col("source_type").fill_null("unknown")) for f in (t.articles, t.duplicates, t.rejects)]
    return dict(sorted(_counts_by(pl.concat(frames), "source_type").items()))


def completeness(t: RunTables) -> dict[str, float]:
    schema = t.articles.collect_schema()
    exprs = []
    for name in COMPLETENESS_FIELDS:
        col = pl.col(name)
        present = col.list.len() > 0 if isinstance(schema[name], pl.List) else col.is_not_null()
        exprs.append(present.mean().alias(name))
    exprs.append((pl.col("language") != "und").mean().alias("language"))
    row = t.articles.select(exprs).collect(engine="streaming").row(0, named=True)
    return {k: round(float(v or 0.0), 4) for k, v in row.items()}


def word_counts(t: RunTables) -> dict[str, Any]:
    words = t.articles.select("word_count").collect(engine="streaming").get_column("word_count")
    if words.len() == 0:
        return {"quantiles": {}, "histogram": {}}
    quantiles = {
        name: int(words.quantile(q, interpolation="nearest") or 0)
        for name, q in (("min", 0.0), ("p10", 0.1), ("median", 0.5), ("p90", 0.9), ("max", 1.0))
    }
    labels = [f"{lo}-{hi - 1}" for lo, hi in itertools.pairwise(WORD_BINS)] + [f"{WORD_BINS[-1]}+"]
    counts = np.bincount(np.searchsorted(WORD_BINS[1:], words.to_numpy(), side="right"), minlength=len(labels))
    return {"quantiles": quantiles, "histogram": dict(zip(labels, map(int, counts), strict=True))}


def site_chars(articles: pl.LazyFrame) -> pl.LazyFrame:
    """Per site: pages, and characters of the sources and of the kept bodies."""
    site = pl.coalesce("domain", "site_name", pl.lit("(no site)")).alias("site")
    kept = pl.col("text").str.len_chars().cast(pl.Int64).alias("kept_chars")
    return (
        articles.select(site, pl.col("source_chars").cast(pl.Int64), kept)
        .group_by("site")
        .agg(pl.len().cast(pl.Int64).alias("pages"), pl.col("source_chars").sum(), pl.col("kept_chars").sum())
    )


def boilerplate_by_site(t: RunTables) -> dict[str, Any]:
    parts = t.site_chars if t.site_chars is not None else site_chars(t.articles)
    per_site = (
        parts.group_by("site")
        .agg(pl.col("pages").sum(), pl.col("source_chars").sum(), pl.col("kept_chars").sum())
        .sort(["pages", "site"], descending=[True, False])
        .collect(engine="streaming")
    )
    total_source = int(per_site.get_column("source_chars").sum() or 0)
    total_kept = int(per_site.get_column("kept_chars").sum() or 0)
    sites = {
        str(row["site"]): {
            "pages": int(row["pages"]),
            "removed_ratio": round(1 - row["kept_chars"] / row["source_chars"], 4) if row["source_chars"] else 0.0,
        }
        for row in per_site.head(TOP).iter_rows(named=True)
    }
    overall = round(1 - total_kept / total_source, 4) if total_source else 0.0
    return {"removed_char_ratio": overall, "by_site": sites}


def published(t: RunTables) -> dict[str, Any]:
    dates = t.articles.select("published").drop_nulls().collect(engine="streaming").get_column("published")
    by_month = (
        t.articles.select(pl.col("published").dt.strftime("%Y-%m").alias("month"))
        .drop_nulls()
        .group_by("month")
        .len()
        .sort("month")
        .collect(engine="streaming")
    )
    dropped: list[str] = []
    if t.extras is not None:
        found = t.extras.select("published_dropped").drop_nulls().collect(engine="streaming")
        dropped = found.get_column("published_dropped").to_list()
    return {
        "min": dates.min().isoformat() if dates.len() else None,  # type: ignore[union-attr]
        "max": dates.max().isoformat() if dates.len() else None,  # type: ignore[union-attr]
        "by_month": {str(k): int(v) for k, v in by_month.rows()},
        "implausible_dates_dropped": len(dropped),
        "implausible_examples": sorted(set(dropped))[:10],
    }


def cluster_sizes(t: RunTables) -> dict[str, int]:
    """Duplicate clusters by size (kept article + its dropped copies), per kind."""
    sizes = (
        t.duplicates.group_by("duplicate_of")
        .len()
        .select((pl.col("len") + 1).alias("size"))
        .group_by("size")
        .len()
        .sort("size")
        .collect(engine="streaming")
    )
    return {str(k): int(v) for k, v in sizes.rows()}


def removed_lines(t: RunTables) -> list[dict[str, Any]]:
    """The lines most pages lost as boilerplate (each line counted once per page), computed in polars.

    Lines are counted by their hash (12 bytes per distinct line), and only those that can make
    the top are read again as text: most removed lines are unique to their page (a teaser, a
    dateline), and counting them as strings held every one of them at once. The top is exact
    unless two different lines share a 64-bit hash.
    """
    if t.extras is None:
        return []
    page_lines = pl.col("removed_lines").list.eval(pl.element().str.strip_chars().str.slice(0, 200)).list.unique()
    lines = (
        t.extras.select(page_lines.alias("line"))
        .explode("line")
        .filter(pl.col("line").is_not_null() & (pl.col("line") != ""))
        .with_columns(pl.col("line").hash().alias("_hash"))
    )
    counts = lines.group_by("_hash").len().collect(engine="streaming")
    if counts.height == 0:
        return []
    cutoff = int(counts.get_column("len").top_k(TOP).to_numpy().min())
    above = counts.filter(pl.col("len") > cutoff).get_column("_hash")
    tied = counts.filter(pl.col("len") == cutoff).get_column("_hash")
    room = TOP - above.len()
    found = [lines.filter(pl.col("_hash").is_in(above.implode())).select("line")]
    tied_lines = lines.filter(pl.col("_hash").is_in(tied.implode())).select("line")
    # Each tied line occurs `cutoff` times, so the `room` first of them in line order are the first
    # room * cutoff rows in that order; when that is more rows than there are tied lines, count those.
    found.append(tied_lines if tied.len() <= room * cutoff else tied_lines.bottom_k(room * cutoff, by="line"))
    top = (
        pl.concat(found)
        .group_by("line")
        .len()
        .sort(["len", "line"], descending=[True, False])
        .head(TOP)
        .collect(engine="streaming")
    )
    return [{"line": line_, "pages": int(n)} for line_, n in top.iter_rows()]


def examples(t: RunTables, n: int = 4) -> list[dict[str, Any]]:
    """A deterministic sample of kept pages with what was kept and what was removed."""
    if t.extras is None:
        return []
    # Pick the ids first: sorting the texts themselves would load every body of the run.
    ids = t.extras.select("id").sort("id").head(n).collect(engine="streaming").get_column("id")
    sample = (
        t.extras.filter(pl.col("id").is_in(ids.implode()))
        .select("id", "source_path", "text", "removed_lines")
        .sort("id")
        .collect(engine="streaming")
    )
    return [
        {
            "source_path": row["source_path"],
            "kept_start": row["text"][:400],
            "removed_lines": [line[:160] for line in (row["removed_lines"] or [])[:12]],
        }
        for row in sample.iter_rows(named=True)
    ]


def reject_examples(t: RunTables) -> list[dict[str, str]]:
    rows = t.rejects.select("source_path", "reason", "detail").sort("source_path").head(TOP).collect(engine="streaming")
    return [dict(zip(("source_path", "reason", "detail"), r, strict=True)) for r in rows.rows()]


def compute_report(t: RunTables) -> dict[str, Any]:
    """Every figure of report.json (see README, "Quality report")."""
    return {
        "report_version": REPORT_VERSION,
        "run_ids": list(t.run_ids),
        "counts": outcome_counts(t),
        "source_types": source_types(t),
        "languages": _counts_by(t.articles, "language"),
        "sites": _counts_by(t.articles, "domain", TOP),
        "field_completeness": completeness(t),
        "word_count": word_counts(t),
        "boilerplate": {**boilerplate_by_site(t), "top_removed_lines": removed_lines(t)},
        "published": published(t),
        "duplicate_cluster_sizes": cluster_sizes(t),
        "examples": examples(t),
        "reject_examples": reject_examples(t),
        "stage_seconds": t.stage_seconds,
    }
