"""Near duplicates: MinHash LSH candidates, verified on signatures, clustered transitively.

Steps, all columnar:
1. signatures of the candidates' bodies (:mod:`corpusclean.dedup.minhash`), unless the
   frame already carries them (a `signature` column, e.g. computed per shard);
2. band keys, one band at a time; a key shared by two documents makes them a candidate
   pair. Buckets come from sorting the (key, node) table of the band: every member is
   paired with the bucket's best-ranked member and with its neighbour in rank order, so
   a bucket of m documents gives < 2m pairs, never m**2;
3. a pair is merged only if the Jaccard estimated from the full signatures is >= threshold;
   each band's new pairs are verified before the next band's are made, so what is held
   across bands is only the verified pairs (about one per duplicate), never every candidate;
4. clusters are the connected components of merged pairs (transitive), found by min-label
   propagation with pointer jumping (deterministic, no Python loop per edge).

Keep rule, one winner per cluster (the `rank` order of nodes):
  an article already in the dataset (the index) always wins and is never removed; then
  the earliest `published` (unknown dates last); then the longest (`word_count`); then the
  smallest `id`. Every other new document of the cluster becomes a `near` row with
  duplicate_of = the winner and similarity = their estimated Jaccard (which can be under
  the threshold when the two are linked through a third copy).

Nothing depends on input order: nodes are numbered by the keep rule, and the frames
returned keep the input's row order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow.parquet as pq

from corpusclean.dedup.index import SIGNATURE, NearIndex, signature_matrix, signature_series
from corpusclean.dedup.minhash import (
    EMPTY_SLOT,
    I64,
    U32,
    U64,
    NearConfig,
    band_key,
    estimated_jaccard,
    signatures,
)
from corpusclean.records import DuplicateKind

DUPLICATE_COLUMNS = ("source_path", "id", "duplicate_of", "kind", "similarity", "url", "source_type")
SKETCH_COLUMNS = ("id", "url", "published", "word_count", "source_path", "source_type", "content_hash")
# Pairs compared per step: two (block x num_perm) uint32 gathers and their comparison, ~2 MB.
_VERIFY_BLOCK = 2_048


def with_signatures(frame: pl.DataFrame, config: NearConfig) -> pl.DataFrame:
    """The frame with a `signature` column (Array[UInt32, num_perm]) computed from `text`, if it has none."""
    if SIGNATURE in frame.columns:
        return frame
    return frame.with_columns(signature_series(signatures(frame.get_column("text"), config)))


def iter_sketches(paths: Sequence[str | Path], config: NearConfig, batch_rows: int = 8192) -> Iterator[pl.DataFrame]:
    """Signature rows (SKETCH_COLUMNS + signature, no text) of Parquet files, batch by batch.

    Only one batch of texts is in memory at a time. What stays is ~4 bytes x num_perm per
    document; a caller over RAM writes each sketch batch to Parquet and reads them back
    (the benchmark does, one file per shard).
    """
    for path in paths:
        parquet = pq.ParquetFile(path)
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=[*SKETCH_COLUMNS, "text"]):
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            yield with_signatures(frame, config).drop("text")


def empty_duplicates() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "source_path": pl.String,
            "id": pl.String,
            "duplicate_of": pl.String,
            "kind": pl.String,
            "similarity": pl.Float64,
            "url": pl.String,
            "source_type": pl.String,
        }
    )


def source_type_column(frame: pl.DataFrame) -> pl.Expr:
    """`source_type` of the dropped page, carried into duplicates/ (null when the frame has none)."""
    return pl.col("source_type") if "source_type" in frame.columns else pl.lit(None, pl.String).alias("source_type")


def connected_labels(size: int, left: I64, right: I64) -> I64:
    """For each node 0..size-1, the smallest node of its connected component under the edges."""
    label = np.arange(size, dtype=np.int64)
    while left.size:
        root_l, root_r = label[left], label[right]
        crossing = root_l != root_r
        if not crossing.any():
            break
        # Edges inside one component stay inside it: drop them for the next rounds.
        left, right, root_l, root_r = left[crossing], right[crossing], root_l[crossing], root_r[crossing]
        # Hook the larger root under the smaller one; labels only decrease, so no cycles.
        np.minimum.at(label, np.maximum(root_l, root_r), np.minimum(root_l, root_r))
        while True:  # pointer jumping until every node points at its root
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
    return label


def _shared_sorted(sorted_values: U64) -> npt.NDArray[np.bool_]:
    """For values in sorted order: which of them occur more than once."""
    same = sorted_values[1:] == sorted_values[:-1]
    shared = np.zeros(sorted_values.size, dtype=bool)
    shared[1:] |= same
    shared[:-1] |= same
    return shared


def duplicated(values: U64) -> npt.NDArray[np.bool_]:
    """Which values occur more than once.

    By sorting, in numpy, not with a hash table in polars: this runs once per band over a whole
    run, and polars' allocator keeps what it frees for a while, so memory grew band after band.
    """
    order = np.argsort(values, kind="stable")
    out = np.empty(values.size, dtype=bool)
    out[order] = _shared_sorted(values[order])
    return out


def _bucket_pairs(keys: U64, nodes: I64) -> tuple[I64, I64]:
    """Candidate pairs (lo, hi), lo < hi, from documents sharing a band key; nodes ascending."""
    order = np.argsort(keys, kind="stable")  # stable: a bucket's members stay in node order
    key = keys[order]
    members = np.flatnonzero(_shared_sorted(key))  # most keys are unique: drop them first
    key, node = key[members], nodes[order[members]]
    if key.size < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    same = np.concatenate(([False], key[1:] == key[:-1]))
    position = np.arange(key.size)
    bucket_start = np.maximum.accumulate(np.where(same, 0, position))
    follower = np.flatnonzero(same)
    lo = np.concatenate((node[bucket_start[follower]], node[follower - 1]))
    hi = np.concatenate((node[follower], node[follower]))
    return lo, hi


@dataclass(frozen=True, slots=True)
class Sketches:
    """The documents near-duplicate detection compares, by row: indexed articles first.

    Rows 0..old-1 are articles of the dataset's index, the rest are new documents, in the
    order of the `new` frame given to :func:`near_marks`. The caller decides where band keys
    and signatures come from: computed and held in memory, or read from spill files, a band
    at a time and only for the rows a band pairs.
    """

    # For rows (ascending, unique): a matrix of signatures and the line of each row in it.
    signatures: Callable[[I64], tuple[U32, I64]]
    band: Callable[[int], U64]  # band b's key of every row
    usable: npt.NDArray[np.bool_]  # rows that may pair: indexed articles, new documents with shingles
    old: int

    @classmethod
    def in_memory(cls, sigs: U32, band: Callable[[int], U64], usable: npt.NDArray[np.bool_], old: int) -> Sketches:
        return cls(lambda rows: (sigs, rows), band, usable, old)


def _jaccard(lo: I64, hi: I64, docs: Sketches) -> npt.NDArray[np.float64]:
    """Estimated Jaccard of pairs of rows: each row's signature asked for once, pairs compared in blocks."""
    rows = np.union1d(lo, hi)
    sigs, line = docs.signatures(rows)
    lo_line, hi_line = line[np.searchsorted(rows, lo)], line[np.searchsorted(rows, hi)]
    out = np.empty(lo.size, dtype=np.float64)
    for start in range(0, lo.size, _VERIFY_BLOCK):
        stop = start + _VERIFY_BLOCK
        out[start:stop] = estimated_jaccard(sigs[lo_line[start:stop]], sigs[hi_line[start:stop]])
    return out


def near_marks(docs: Sketches, ranked: pl.DataFrame, config: NearConfig) -> pl.DataFrame:
    """The new documents that are near-duplicates: `_at` (their position among the new ones),
    `duplicate_of` and `similarity`, by the module docstring's rules.

    ranked: :func:`rank_nodes` of the same new documents and indexed articles.
    """
    is_new = ranked.get_column("_new").to_numpy()
    at = ranked.get_column("_at").to_numpy().astype(np.int64)
    size = ranked.height
    # Row of each node: signatures and keys stay in row order and are never copied per node.
    row = np.where(is_new, at + docs.old, at)
    nodes = np.flatnonzero(docs.usable[row])
    linked = np.empty(0, dtype=np.int64)  # lo * size + hi of every verified pair, sorted
    for band in range(config.bands):
        lo, hi = _bucket_pairs(docs.band(band)[row[nodes]], nodes)
        code = np.sort(lo * size + hi)
        # One look per pair, however often the band gives it; none for a pair an earlier band
        # already linked; none for two indexed articles, which both stay whatever their similarity.
        look = np.ones(code.size, dtype=bool)
        look[1:] = code[1:] != code[:-1]
        if linked.size:
            look &= linked[np.minimum(np.searchsorted(linked, code), linked.size - 1)] != code
        code = code[look & (is_new[code // size] | is_new[code % size])]
        similar = _jaccard(row[code // size], row[code % size], docs) >= config.threshold
        linked = np.sort(np.concatenate((linked, code[similar])))
    label = connected_labels(size, linked // size, linked % size)

    dropped = np.flatnonzero(is_new & (label != np.arange(size)))
    return pl.DataFrame(
        {
            "_at": at[dropped],
            "duplicate_of": ranked.get_column("id").gather(label[dropped]),
            "similarity": _jaccard(row[dropped], row[label[dropped]], docs),
        },
        schema={"_at": pl.Int64, "duplicate_of": pl.String, "similarity": pl.Float64},
    )


def rank_nodes(new: pl.DataFrame, existing: pl.DataFrame) -> pl.DataFrame:
    """Every document once, numbered by the keep rule: node 0 is the best keeper of all."""
    columns = ["id", "published", "word_count"]
    both = pl.concat(
        [
            existing.select(columns).with_columns(pl.lit(False).alias("_new"), pl.int_range(pl.len()).alias("_at")),
            new.select(columns).with_columns(pl.lit(True).alias("_new"), pl.int_range(pl.len()).alias("_at")),
        ],
        how="vertical_relaxed",
    )
    ranked = both.sort(
        ["_new", "published", "word_count", "id", "_at"],
        descending=[False, False, True, False, False],
        nulls_last=True,
    )
    return ranked.with_row_index("node")


def near_duplicates(
    candidates: pl.DataFrame, existing: NearIndex, config: NearConfig
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split candidates into (kept, near-duplicate rows); see the module docstring for the rules.

    candidates: id, url, published, word_count, source_path, and `text` or `signature`
    (exact duplicates already removed). kept keeps the input columns plus `signature`,
    which the caller drops before writing articles and passes to :func:`write_index`.
    """
    frame = with_signatures(candidates, config)
    if frame.height == 0:
        return frame, empty_duplicates()
    new_sigs = signature_matrix(frame, config.num_perm)
    has_shingles = ~(new_sigs == EMPTY_SLOT).all(axis=1)  # empty bodies never match anything

    # Indexed articles that share at least one band key with a new document.
    old_keys = existing.keys()
    found = np.zeros(old_keys.shape[0], dtype=bool)
    if old_keys.shape[0]:
        shingled = new_sigs[has_shingles]
        for b in range(config.bands):
            found |= np.isin(old_keys[:, b], band_key(shingled, config, b))
    hit = np.flatnonzero(found)
    old = existing.rows[hit]
    old_sigs = existing.signatures_of(old.get_column("id").to_list()) if old.height else new_sigs[:0]
    sigs = np.concatenate((old_sigs, new_sigs)) if old.height else new_sigs

    def band(b: int) -> U64:
        # Computed when asked for: no (documents x bands) table of keys is ever held.
        new_keys = band_key(new_sigs, config, b)
        return np.concatenate((old_keys[hit, b], new_keys)) if old.height else new_keys

    usable = np.concatenate((np.ones(old.height, dtype=bool), has_shingles))
    docs = Sketches.in_memory(sigs, band, usable, old.height)
    marks = near_marks(docs, rank_nodes(frame, old), config)
    indexed = frame.with_row_index("_at").with_columns(pl.col("_at").cast(pl.Int64))
    joined = indexed.join(marks, on="_at", how="left", maintain_order="left")
    is_dup = pl.col("duplicate_of").is_not_null()
    kept = joined.filter(~is_dup).drop("_at", "duplicate_of", "similarity")
    duplicates = joined.filter(is_dup).select(
        "source_path",
        "id",
        "duplicate_of",
        pl.lit(DuplicateKind.NEAR.value).alias("kind"),
        "similarity",
        "url",
        source_type_column(joined),
    )
    return kept, duplicates
