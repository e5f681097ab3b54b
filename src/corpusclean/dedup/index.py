"""The persistent dedup index next to the dataset: one row per kept article, written by the run that kept it.

Layout (inside the dataset directory):

    index/part-<run_id>.parquet   id, content_hash, url, published, word_count,
                                  signature (num_perm x uint32), band_00 .. band_NN (uint64 LSH keys)

Each file carries the near-duplicate settings in its Parquet metadata
(``corpusclean.near``): a later run compares signatures only if they were made
the same way (same hash scheme, permutations, shingle size and seed), and
re-derives band keys from the stored signatures when only bands x rows changed.
A run never rewrites an old file; it adds one, committed with its data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from corpusclean.dedup.minhash import U32, U64, NearConfig, band_keys
from corpusclean.errors import DatasetError

INDEX_DIR = "index"
SIGNATURE = "signature"
METADATA_KEY = b"corpusclean.near"
META_COLUMNS = ("id", "content_hash", "url", "published", "word_count")


def band_columns(config: NearConfig) -> list[str]:
    return [f"band_{i:02d}" for i in range(config.bands)]


def _meta_schema() -> dict[str, pl.DataType]:
    return {
        "id": pl.String(),
        "content_hash": pl.String(),
        "url": pl.String(),
        "published": pl.Datetime("us", "UTC"),
        "word_count": pl.Int32(),
    }


def signature_matrix(frame: pl.DataFrame, num_perm: int) -> U32:
    """The `signature` column as a (rows x num_perm) uint32 array."""
    if frame.height == 0:
        return np.empty((0, num_perm), dtype=np.uint32)
    return np.ascontiguousarray(frame.get_column(SIGNATURE).to_numpy(), dtype=np.uint32)


def signature_series(sigs: U32) -> pl.Series:
    return pl.Series(SIGNATURE, sigs, dtype=pl.Array(pl.UInt32, sigs.shape[1]))


@dataclass(frozen=True, slots=True)
class NearIndex:
    """Articles already in the dataset, as near-duplicate detection sees them.

    `rows` holds the metadata and band keys (small, loaded whole); `signatures` is
    read lazily, only for the few documents that share a band with a new one.
    """

    rows: pl.DataFrame  # META_COLUMNS + band_00..band_NN
    signatures: pl.LazyFrame  # id, signature
    config: NearConfig

    @classmethod
    def empty(cls, config: NearConfig) -> NearIndex:
        schema = {**_meta_schema(), **dict.fromkeys(band_columns(config), pl.UInt64())}
        sig_schema = {"id": pl.String(), SIGNATURE: pl.Array(pl.UInt32, config.num_perm)}
        return cls(pl.DataFrame(schema=schema), pl.LazyFrame(schema=sig_schema), config)

    @classmethod
    def from_frame(cls, frame: pl.DataFrame, config: NearConfig) -> NearIndex:
        """An in-memory index of articles with a `signature` column (tests, or one process end to end)."""
        table = index_rows(frame, config)
        rows = table.select([*META_COLUMNS, *band_columns(config)])
        return cls(rows, table.select("id", SIGNATURE).lazy(), config)

    @property
    def size(self) -> int:
        return self.rows.height

    def keys(self) -> U64:
        """(rows x bands) band keys."""
        if self.rows.height == 0:
            return np.empty((0, self.config.bands), dtype=np.uint64)
        return np.ascontiguousarray(self.rows.select(band_columns(self.config)).to_numpy(), dtype=np.uint64)

    def signatures_of(self, ids: Sequence[str]) -> U32:
        """Signatures of the given indexed ids, in that order (each id must be in the index)."""
        wanted = pl.DataFrame({"id": list(ids)}, schema={"id": pl.String}).with_row_index("_at")
        found = (
            self.signatures.filter(pl.col("id").is_in(wanted.get_column("id").implode()))
            .unique(subset="id", keep="first")
            .collect()
        )
        aligned = wanted.join(found, on="id", how="left").sort("_at")
        if aligned.get_column(SIGNATURE).null_count():
            raise DatasetError("dedup index: a band key has no stored signature (index files are inconsistent)")
        return signature_matrix(aligned, self.config.num_perm)


def index_rows(frame: pl.DataFrame, config: NearConfig) -> pl.DataFrame:
    """Index rows (META_COLUMNS, signature, band keys) of kept articles that carry a `signature` column."""
    sigs = signature_matrix(frame, config.num_perm)
    keys = band_keys(sigs, config)
    meta = frame.select(
        pl.col("id").cast(pl.String),
        pl.col("content_hash").cast(pl.String),
        pl.col("url").cast(pl.String),
        pl.col("published").cast(pl.Datetime("us", "UTC")),
        pl.col("word_count").cast(pl.Int32),
    )
    bands = pl.DataFrame(
        {name: keys[:, i] for i, name in enumerate(band_columns(config))},
        schema=dict.fromkeys(band_columns(config), pl.UInt64()),
    )
    return pl.concat([meta, signature_series(sigs).to_frame(), bands], how="horizontal")


def _metadata(config: NearConfig) -> bytes:
    payload = {"fingerprint": config.signature_fingerprint(), "bands": config.bands, "rows": config.rows}
    return json.dumps(payload, sort_keys=True).encode()


def write_index(kept: pl.DataFrame, staging: Path, run_id: str, config: NearConfig) -> list[str]:
    """Write this run's index rows under staging/index/; returns the relative paths to commit (maybe none).

    The caller moves them into the dataset with the run's other files (sink.commit), so
    the index never lists an article that is not committed, nor misses one that is.
    """
    if kept.height == 0:
        return []
    rel = f"{INDEX_DIR}/part-{run_id}.parquet"
    table = index_rows(kept, config).to_arrow()
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), METADATA_KEY: _metadata(config)})
    path = staging / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")
    return [rel]


def _check_file(path: Path, config: NearConfig) -> bool:
    """Whether the file's band keys can be used as stored (False: re-derive them from signatures)."""
    raw = (pq.read_schema(path).metadata or {}).get(METADATA_KEY)
    if raw is None:
        raise DatasetError(f"{path}: not a corpusclean dedup index file (no {METADATA_KEY.decode()} metadata)")
    meta = json.loads(raw)
    if meta["fingerprint"] != config.signature_fingerprint():
        raise DatasetError(
            f"{path}: signatures made as {meta['fingerprint']!r}, this run makes {config.signature_fingerprint()!r}; "
            "rebuild the index (or run with the dataset's near-duplicate settings)"
        )
    return bool(meta["bands"] == config.bands and meta["rows"] == config.rows)


def index_files(root: Path) -> list[Path]:
    folder = root / INDEX_DIR
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def load_index(root: Path, config: NearConfig) -> NearIndex:
    """The index of every committed run under root/index/ (empty for a new dataset)."""
    files = index_files(root)
    if not files:
        return NearIndex.empty(config)
    parts = []
    for path in files:
        if _check_file(path, config):
            parts.append(pl.read_parquet(path, columns=[*META_COLUMNS, *band_columns(config)]))
        else:
            stored = pl.read_parquet(path, columns=[*META_COLUMNS, SIGNATURE])
            parts.append(index_rows(stored, config))
    rows = pl.concat(parts, how="vertical").select([*META_COLUMNS, *band_columns(config)])
    signatures = pl.scan_parquet(files).select("id", SIGNATURE)
    return NearIndex(rows, signatures, config)
