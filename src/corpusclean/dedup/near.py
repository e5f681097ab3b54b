"""Near duplicates: MinHash LSH candidates, verified on signatures, clustered transitively.

Steps, all columnar:
1. signatures of the candidates' bodies (:mod:`corpusclean.dedup.minhash`), unless the
   frame already carries them (a `signature` column, e.g. computed per shard);
2. band keys (documents x bands); a key shared by two documents makes them a candidate
   pair. Buckets come from sorting the (key, node) table of one band at a time: every
   member is paired with the bucket's best-ranked member and with its neighbour in rank
   order, so a bucket of m documents gives < 2m pairs, never m**2;
3. a pair is merged only if the Jaccard estimated from the full signatures is >= threshold;
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

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from corpusclean.dedup.index import SIGNATURE, NearIndex, signature_matrix, signature_series
from corpusclean.dedup.minhash import EMPTY_SLOT, I64, U32, NearConfig, band_keys, estimated_jaccard, signatures
from corpusclean.records import DuplicateKind

DUPLICATE_COLUMNS = ("source_path", "id", "duplicate_of", "kind", "similarity", "url", "source_type")
SKETCH_COLUMNS = ("id", "url", "published", "word_count", "source_path", "source_type", "content_hash")
_VERIFY_BLOCK = 65_536  # pairs compared per step: (block x num_perm) booleans stay small


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


def _bucket_pairs(keys: np.ndarray, nodes: I64) -> tuple[I64, I64]:
    """Candidate pairs (lo, hi), lo < hi, from documents sharing a band key."""
    table = (
        pl.DataFrame({"key": keys, "node": nodes.astype(np.int32)})
        .filter(pl.col("key").is_duplicated())  # most keys are unique: drop them before sorting
        .sort("key", "node")
    )
    key = table.get_column("key").to_numpy()
    node = table.get_column("node").to_numpy().astype(np.int64)
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


def _unique_pairs(pairs: list[tuple[I64, I64]], size: int) -> tuple[I64, I64]:
    """One (lo, hi) per pair of nodes, however many bands it came from, sorted."""
    if not pairs:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    code = np.unique(np.concatenate([lo * size + hi for lo, hi in pairs]))
    return code // size, code % size


def _verified(lo: I64, hi: I64, sigs: U32, threshold: float) -> tuple[I64, I64]:
    """The pairs of signature rows whose estimated Jaccard reaches the threshold."""
    keep = np.zeros(lo.size, dtype=bool)
    for start in range(0, lo.size, _VERIFY_BLOCK):
        stop = start + _VERIFY_BLOCK
        keep[start:stop] = estimated_jaccard(sigs[lo[start:stop]], sigs[hi[start:stop]]) >= threshold
    return lo[keep], hi[keep]


def _rank_nodes(new: pl.DataFrame, existing: pl.DataFrame) -> pl.DataFrame:
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
    new_keys = band_keys(new_sigs, config)
    has_shingles = ~(new_sigs == EMPTY_SLOT).all(axis=1)  # empty bodies never match anything

    # Indexed articles that share at least one band key with a new document.
    old_keys = existing.keys()
    if old_keys.shape[0]:
        wanted = pl.Series(new_keys[has_shingles].ravel()).unique().implode()
        hit = (
            pl.DataFrame({"key": old_keys.ravel(), "row": np.repeat(np.arange(old_keys.shape[0]), config.bands)})
            .filter(pl.col("key").is_in(wanted))
            .get_column("row")
            .unique()
            .sort()
            .to_numpy()
        )
    else:
        hit = np.empty(0, dtype=np.int64)
    old = existing.rows[hit]
    old_sigs = existing.signatures_of(old.get_column("id").to_list()) if old.height else new_sigs[:0]

    ranked = _rank_nodes(frame, old)
    is_new = ranked.get_column("_new").to_numpy()
    at = ranked.get_column("_at").to_numpy().astype(np.int64)
    size = ranked.height
    # Rows of [indexed hits; new documents] -> node, so signatures and keys are never copied per node.
    row = np.where(is_new, at + old.height, at)
    node_of_row = np.empty(size, dtype=np.int64)
    node_of_row[row] = np.arange(size)
    sigs = np.concatenate((old_sigs, new_sigs)) if old.height else new_sigs
    usable_new = np.flatnonzero(has_shingles)
    key_nodes = np.concatenate((node_of_row[: old.height], node_of_row[usable_new + old.height]))
    pairs = []
    for band in range(config.bands):
        # One band at a time: the sort holds N rows, not N x bands (a band table is also the unit
        # to spill to Parquet when even that is over RAM).
        band_keys_ = (
            np.concatenate((old_keys[hit, band], new_keys[usable_new, band]))
            if old.height
            else (new_keys[usable_new, band])
        )
        pairs.append(_bucket_pairs(band_keys_, key_nodes))
    lo, hi = _unique_pairs(pairs, size)
    involves_new = is_new[lo] | is_new[hi]  # two indexed articles both stay, whatever their similarity
    lo, hi = _verified(row[lo[involves_new]], row[hi[involves_new]], sigs, config.threshold)
    label = connected_labels(size, node_of_row[lo], node_of_row[hi])

    dropped = np.flatnonzero(is_new & (label != np.arange(size)))
    similarity = estimated_jaccard(sigs[row[dropped]], sigs[row[label[dropped]]])
    ids = ranked.get_column("id")
    marks = pl.DataFrame(
        {
            "_at": at[dropped],
            "duplicate_of": ids.gather(label[dropped]),
            "similarity": similarity,
        },
        schema={"_at": pl.Int64, "duplicate_of": pl.String, "similarity": pl.Float64},
    )
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
