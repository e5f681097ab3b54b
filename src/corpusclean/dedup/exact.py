"""Exact duplicates: equal `content_hash` (normalized body), within a run and against the dataset.

Keep rule (deterministic): an article already in the dataset always wins; within
a run, the first candidate in input order (sorted paths, then record order) is
kept and every later copy becomes a `duplicates/` row pointing at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from corpusclean.dedup.index import index_files
from corpusclean.records import DuplicateKind


@dataclass(frozen=True, slots=True)
class ExistingIndex:
    """content_hash -> id of every article already committed to the dataset."""

    hashes: pl.DataFrame  # columns: content_hash, existing_id

    @classmethod
    def load(cls, root: Path, only: pl.Series | None = None) -> ExistingIndex:
        """The index's hashes and ids; with `only`, just the rows whose content_hash is one of those."""
        # The dedup index (index/) holds every committed article's hash and id: reading it
        # instead of articles/ keeps this small, also when the articles live in a remote store.
        files = index_files(root)
        if not files:
            return cls(pl.DataFrame(schema={"content_hash": pl.String, "existing_id": pl.String}))
        scan = pl.scan_parquet(files, hive_partitioning=False).select("content_hash", pl.col("id").alias("existing_id"))
        if only is not None:
            scan = scan.filter(pl.col("content_hash").is_in(only.implode()))
        frame = scan.unique(subset="content_hash", keep="first", maintain_order=True).collect()
        return cls(frame)


def exact_duplicates(candidates: pl.DataFrame, index: ExistingIndex) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split candidates (in input order) into (kept, duplicates rows)."""
    ordered = candidates.with_row_index("_order")
    first = ordered.group_by("content_hash", maintain_order=True).agg(pl.col("id").first().alias("_first_id"))
    marked = ordered.join(first, on="content_hash", how="left", maintain_order="left").join(
        index.hashes, on="content_hash", how="left", maintain_order="left"
    )
    is_dup = pl.col("existing_id").is_not_null() | (pl.col("id") != pl.col("_first_id"))
    # Two candidates with the same id (same URL and body) share _first_id: keep only the first row.
    is_dup = is_dup | pl.col("id").is_duplicated() & (pl.col("_order") != pl.col("_order").min().over("id"))
    marked = marked.with_columns(is_dup.alias("_dup"))
    kept = marked.filter(~pl.col("_dup")).drop("_order", "_first_id", "existing_id", "_dup")
    duplicates = marked.filter(pl.col("_dup")).select(
        "source_path",
        "id",
        pl.coalesce("existing_id", "_first_id").alias("duplicate_of"),
        pl.lit(DuplicateKind.EXACT.value).alias("kind"),
        pl.lit(1.0).alias("similarity"),
        "url",
        "source_type",
    )
    return kept, duplicates
