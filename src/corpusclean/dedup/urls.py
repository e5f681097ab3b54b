"""URL duplicates: the same canonical URL (the normalized `url` column) with a different body.

A re-crawl of one page gives a new version at the same address (an updated story, a
corrected figure). Exact copies are already gone, so what is left at one URL are versions.

Keep rule (deterministic, independent of input order):
  an article already in the dataset (the index) always wins, since committed rows are
  never removed; among this run's versions, the newest `published` (unknown dates last),
  then the longest (`word_count`), then the smallest `id`. Every other version becomes a
  `url` row; similarity is the Jaccard estimated from the MinHash signatures (versions can
  be anything from a fixed typo to a rewritten page). Rows without a URL never match.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from corpusclean.dedup.index import NearIndex, signature_matrix
from corpusclean.dedup.minhash import NearConfig, estimated_jaccard
from corpusclean.dedup.near import empty_duplicates, source_type_column, with_signatures
from corpusclean.records import DuplicateKind


def _indexed_winners(existing: NearIndex, urls: pl.Series) -> pl.DataFrame:
    """url -> id of the indexed article that wins for it (newest, then longest, then smallest id)."""
    return (
        existing.rows.filter(pl.col("url").is_in(urls.implode()))
        .sort(["published", "word_count", "id"], descending=[True, True, False], nulls_last=True)
        .unique(subset="url", keep="first", maintain_order=True)
        .select("url", pl.col("id").alias("_winner"), pl.lit(True).alias("_winner_indexed"))
    )


def url_duplicates(
    candidates: pl.DataFrame, existing: NearIndex, config: NearConfig
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split candidates into (kept, url-duplicate rows); see the module docstring for the rules.

    candidates: id, url, published, word_count, source_path, and `text` or `signature`.
    kept keeps the input's columns (plus `signature`) and row order.
    """
    frame = with_signatures(candidates, config)
    if frame.height == 0:
        return frame, empty_duplicates()
    indexed = frame.with_row_index("_at")
    with_url = indexed.filter(pl.col("url").is_not_null())
    run_winners = (
        with_url.sort(["published", "word_count", "id", "_at"], descending=[True, True, False, False], nulls_last=True)
        .unique(subset="url", keep="first", maintain_order=True)
        .select("url", pl.col("id").alias("_run_winner"), pl.col("_at").alias("_winner_at"))
    )
    old = _indexed_winners(existing, with_url.get_column("url").unique())
    marked = (
        with_url.join(run_winners, on="url", how="left")
        .join(old, on="url", how="left")
        .with_columns(pl.col("_winner_indexed").fill_null(False))
        .filter(pl.col("_winner_indexed") | (pl.col("_at") != pl.col("_winner_at")))
        .with_columns(pl.coalesce("_winner", "_run_winner").alias("duplicate_of"))
        .sort("_at")
    )
    sigs = signature_matrix(frame, config.num_perm)
    dropped_at = marked.get_column("_at").to_numpy().astype(np.int64)
    winner_sigs = np.empty((marked.height, config.num_perm), dtype=np.uint32)
    from_run = ~marked.get_column("_winner_indexed").to_numpy()
    winner_sigs[from_run] = sigs[marked.get_column("_winner_at").to_numpy()[from_run].astype(np.int64)]
    if (~from_run).any():
        winner_sigs[~from_run] = existing.signatures_of(marked.get_column("_winner").filter(~from_run).to_list())
    duplicates = marked.with_columns(
        pl.Series("similarity", estimated_jaccard(sigs[dropped_at], winner_sigs), dtype=pl.Float64)
    ).select(
        "source_path",
        "id",
        "duplicate_of",
        pl.lit(DuplicateKind.URL.value).alias("kind"),
        "similarity",
        "url",
        source_type_column(marked),
    )
    kept = indexed.filter(~pl.col("_at").is_in(marked.get_column("_at").implode())).drop("_at")
    return kept, duplicates
