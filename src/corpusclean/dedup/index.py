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

from corpusclean.dedup.minhash import I64, U32, U64, NearConfig, band_key, band_keys
from corpusclean.errors import DatasetError
from corpusclean.sink import RowGroupWriter

INDEX_DIR = "index"
SIGNATURE = "signature"
METADATA_KEY = b"corpusclean.near"
META_COLUMNS = ("id", "content_hash", "url", "published", "word_count")
# Index rows per Parquet row group: a fixed count, so the file does not depend on how the run was
# sharded; ~0.9 KB a row (signature and band keys), so the writer holds ~1.8 MB at most.
INDEX_GROUP_ROWS = 2048


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


class IndexWriter:
    """This run's index file (index/part-<run_id>.parquet under staging), fed with kept articles shard by shard.

    The caller moves the file into the dataset with the run's other files (sink.commit), so
    the index never lists an article that is not committed, nor misses one that is.
    """

    def __init__(self, staging: Path, run_id: str, config: NearConfig) -> None:
        self.rel = f"{INDEX_DIR}/part-{run_id}.parquet"
        self.path = staging / self.rel
        self.config = config
        self._writer: RowGroupWriter | None = None

    def add(self, kept: pl.DataFrame) -> None:
        """Index rows of kept articles (META_COLUMNS and a `signature` column), in input order."""
        if kept.height == 0:
            return
        table = index_rows(kept, self.config).to_arrow()
        if self._writer is None:
            schema = table.schema.with_metadata({**(table.schema.metadata or {}), METADATA_KEY: _metadata(self.config)})
            self._writer = RowGroupWriter(self.path, schema, INDEX_GROUP_ROWS)
        self._writer.add(table.cast(self._writer.schema))

    def close(self, sync: bool = True) -> list[tuple[str, int]]:
        """(relative path, rows) of the file to commit; none when no article was kept.
        sync=False: the caller fsyncs the file (sink.fsync_all)."""
        if self._writer is None:
            return []
        return [(self.rel, self._writer.close(sync=sync))]


def write_index(kept: pl.DataFrame, staging: Path, run_id: str, config: NearConfig) -> list[str]:
    """Write this run's index rows under staging/index/; returns the relative paths to commit (maybe none)."""
    writer = IndexWriter(staging, run_id, config)
    writer.add(kept)
    return [rel for rel, _ in writer.close()]


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


@dataclass(frozen=True, slots=True)
class IndexFiles:
    """The committed index, read a column or a band at a time, and in full only at the rows asked for.

    A run is compared with the dataset without loading the index: per indexed article, a
    comparison holds one uint64 (a hash of its content hash or URL, or one band key), and only
    the articles that match one of the run's candidates become a :class:`NearIndex`.
    """

    files: tuple[Path, ...]
    stored_bands: tuple[bool, ...]  # per file: band keys usable as stored (else derived from signatures)
    config: NearConfig

    @classmethod
    def open(cls, root: Path, config: NearConfig) -> IndexFiles:
        """The index files under root/index/ (raises DatasetError for signatures made another way)."""
        files = index_files(root)
        return cls(tuple(files), tuple(_check_file(path, config) for path in files), config)

    def scan(self) -> pl.LazyFrame:
        """META_COLUMNS and signature of every indexed article, in file order."""
        if not self.files:
            return pl.LazyFrame(schema={**_meta_schema(), SIGNATURE: pl.Array(pl.UInt32, self.config.num_perm)})
        return pl.scan_parquet(list(self.files), hive_partitioning=False).select(*META_COLUMNS, SIGNATURE)

    def hashes(self, column: str) -> U64:
        """polars' hash of `column` for every indexed article where it is not null (order irrelevant)."""
        if not self.files:
            return np.empty(0, dtype=np.uint64)
        values = (
            pl.scan_parquet(list(self.files), hive_partitioning=False)
            .select(pl.col(column).drop_nulls().hash())
            .collect(engine="streaming")
        )
        return np.asarray(values.to_series().to_numpy(), dtype=np.uint64)

    def band(self, band: int) -> U64:
        """The key of one band for every indexed article, in file order."""
        name = band_columns(self.config)[band]
        parts = [np.empty(0, dtype=np.uint64)]
        for path, stored in zip(self.files, self.stored_bands, strict=True):
            if stored:
                keys = pq.read_table(path, columns=[name]).column(0).to_numpy()
            else:
                sigs = signature_matrix(pl.read_parquet(path, columns=[SIGNATURE]), self.config.num_perm)
                keys = band_key(sigs, self.config, band)
            parts.append(np.asarray(keys, dtype=np.uint64))
        return np.concatenate(parts)

    def positions(self, where: pl.Expr) -> I64:
        """File-order positions of the indexed articles that match `where` (on META_COLUMNS)."""
        found = self.scan().select(*META_COLUMNS).with_row_index("_pos").filter(where).select("_pos")
        return np.asarray(found.collect(engine="streaming").to_series().to_numpy(), dtype=np.int64)

    def rows_at(self, positions: I64) -> pl.DataFrame:
        """META_COLUMNS and signature of the indexed articles at these file-order positions (ascending)."""
        wanted = pl.Series("_pos", positions, dtype=pl.UInt32).implode()
        rows = self.scan().with_row_index("_pos").filter(pl.col("_pos").is_in(wanted)).drop("_pos")
        return rows.collect(engine="streaming")

    def near_index(self, positions: I64) -> NearIndex:
        """The indexed articles at these file-order positions as a NearIndex (band keys for this config)."""
        if positions.size == 0:
            return NearIndex.empty(self.config)
        return NearIndex.from_frame(self.rows_at(positions), self.config)
