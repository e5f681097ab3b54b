"""Deduplication of a run's staged candidates, with memory that does not grow with their texts or signatures.

The rules are those of exact.py, urls.py and near.py, applied in that order (exact is the
cheapest and certain, a URL's versions resolve to the newest, near-duplicates on what is left;
the dataset's own articles always win). What this module adds is how they reach a run of any
size without holding every candidate's keys and 112-slot signature in frames:

1. one pass over the shard files keeps, per candidate, a 64-bit hash of its content hash and of
   its URL and whether it has any shingle (18 bytes); its LSH band keys go to a spill file,
   band after band, and its signature to another;
2. before each stage, those hashes (or one band's keys at a time) find the candidates the stage
   can touch at all: those sharing a content hash, a URL or a band key with another live
   candidate or with an indexed article. A candidate that shares nothing is kept by the stage
   whatever the others are, so leaving it out changes no result;
3. the stage's rules then run on just those candidates, read back from the shard files with
   their signatures, against just the indexed articles they match (index.IndexFiles). The near
   stage can touch most of a run (articles made from one template share band keys by chance),
   so it is given arrays instead: a band's keys and the signatures of the rows that band pairs,
   read from the spills one band at a time.

A hash only selects: two URLs with the same 64-bit hash both go to the url stage, which compares
the URLs themselves, so a collision costs a little time, never a wrong merge.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow.parquet as pq

from corpusclean.dedup.chains import resolve_chains
from corpusclean.dedup.exact import ExistingIndex, exact_duplicates
from corpusclean.dedup.index import SIGNATURE, IndexFiles, signature_matrix
from corpusclean.dedup.minhash import EMPTY_SLOT, I64, U32, U64, NearConfig, band_key
from corpusclean.dedup.near import Sketches, duplicated, empty_duplicates, near_marks, rank_nodes
from corpusclean.dedup.urls import url_duplicates
from corpusclean.records import DuplicateKind

Flags = npt.NDArray[np.bool_]

ROW = "_row"  # a candidate's position in the run: shard after shard, in input order
_SPILL_BLOCK = 4096  # rows of the signature spill read at a time (~1.8 MB)
EXACT_COLUMNS = ["id", "content_hash", "url", "source_path", "source_type"]
SIMILAR_COLUMNS = ["id", "url", "published", "word_count", "source_path", "source_type", SIGNATURE]


@dataclass(frozen=True, slots=True)
class RunDedup:
    """Which candidates a run keeps, and the duplicates/ rows of the others."""

    kept: Flags  # one flag per candidate, in run order
    offsets: I64  # the candidates of shard i are kept[offsets[i]:offsets[i + 1]]
    duplicates: pl.DataFrame  # near.DUPLICATE_COLUMNS; duplicate_of is always a kept or indexed id

    def kept_in(self, shard: int) -> Flags:
        return self.kept[self.offsets[shard] : self.offsets[shard + 1]]


@dataclass(frozen=True, slots=True)
class _Keys:
    offsets: I64
    content: U64  # polars' hash of content_hash
    url: U64  # polars' hash of url (meaningless where has_url is False)
    has_url: Flags
    usable: Flags  # has a shingle: empty bodies never near-match
    bands: Path  # spill: the bands x candidates uint64 keys, one band after the other
    sigs: Path  # spill: the candidates x num_perm uint32 signatures
    num_perm: int

    @property
    def size(self) -> int:
        return int(self.offsets[-1])

    def band(self, band: int) -> U64:
        return np.fromfile(self.bands, dtype=np.uint64, count=self.size, offset=band * self.size * 8)

    def signatures(self, rows: I64, out: U32) -> None:
        """The signatures of these rows (ascending) into `out`, reading the spill a block at a time."""
        edges = np.searchsorted(rows, np.arange(0, self.size + _SPILL_BLOCK, _SPILL_BLOCK)).tolist()
        with open(self.sigs, "rb") as fh:
            for block, (lo, hi) in enumerate(itertools.pairwise(edges)):
                if lo == hi:
                    continue
                start = block * _SPILL_BLOCK
                count = min(_SPILL_BLOCK, self.size - start)
                fh.seek(start * self.num_perm * 4)
                chunk = np.fromfile(fh, dtype=np.uint32, count=count * self.num_perm).reshape(count, self.num_perm)
                out[lo:hi] = chunk[rows[lo:hi] - start]

    def remove(self) -> None:
        self.bands.unlink(missing_ok=True)
        self.sigs.unlink(missing_ok=True)


def _scan_keys(paths: Sequence[Path], config: NearConfig, scratch: Path) -> _Keys:
    counts = [pq.ParquetFile(path).metadata.num_rows for path in paths]
    offsets = np.zeros(len(paths) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    n = int(offsets[-1])
    scratch.mkdir(parents=True, exist_ok=True)
    keys = _Keys(
        offsets,
        content=np.empty(n, dtype=np.uint64),
        url=np.empty(n, dtype=np.uint64),
        has_url=np.empty(n, dtype=bool),
        usable=np.empty(n, dtype=bool),
        bands=scratch / "bands.u64",
        sigs=scratch / "signatures.u32",
        num_perm=config.num_perm,
    )
    with open(keys.bands, "wb") as bands, open(keys.sigs, "wb") as signatures:
        bands.truncate(n * config.bands * 8)
        for path, lo, hi in zip(paths, offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
            frame = pl.read_parquet(path, columns=["content_hash", "url", SIGNATURE])
            urls = frame.get_column("url")
            keys.content[lo:hi] = frame.get_column("content_hash").hash().to_numpy()
            keys.url[lo:hi] = urls.hash().to_numpy()
            keys.has_url[lo:hi] = urls.is_not_null().to_numpy()
            sigs = signature_matrix(frame, config.num_perm)
            keys.usable[lo:hi] = ~(sigs == EMPTY_SLOT).all(axis=1)
            signatures.write(sigs.tobytes())
            for band in range(config.bands):
                bands.seek((band * n + lo) * 8)
                bands.write(band_key(sigs, config, band).tobytes())
    return keys


def _shared(values: U64, live: Flags, indexed: U64) -> Flags:
    """Live candidates whose value another live candidate, or an indexed article, also has."""
    at = np.flatnonzero(live)
    mine = values[at]
    shared = duplicated(mine)
    if indexed.size:
        shared |= np.isin(mine, indexed)
    out = np.zeros(values.size, dtype=bool)
    out[at[shared]] = True
    return out


def _gather(paths: Sequence[Path], offsets: I64, rows: I64, columns: list[str]) -> pl.DataFrame:
    """The columns of the candidates at these rows (ascending), with their ROW, in run order."""
    shard_of = np.searchsorted(offsets, rows, side="right") - 1
    parts = [pl.read_parquet(paths[0], columns=columns, n_rows=0).with_columns(pl.lit(0, pl.Int64).alias(ROW))]
    for shard in np.unique(shard_of).tolist():
        mine = rows[shard_of == shard]
        frame = pl.read_parquet(paths[shard], columns=columns).select(pl.all().gather(mine - offsets[shard]))
        parts.append(frame.with_columns(pl.Series(ROW, mine, dtype=pl.Int64)))
    return pl.concat(parts, how="vertical")


@dataclass(frozen=True, slots=True)
class _Run:
    paths: Sequence[Path]
    keys: _Keys
    index: IndexFiles
    root: Path
    live: Flags  # still kept after the stages so far
    config: NearConfig

    def gather(self, rows: I64, columns: list[str]) -> pl.DataFrame:
        return _gather(self.paths, self.keys.offsets, rows, columns)

    def settle(self, looked_at: pl.DataFrame, kept: pl.DataFrame) -> pl.DataFrame:
        """Of the candidates a stage looked at, only those it kept stay live; returns their ids and rows."""
        self.live[looked_at.get_column(ROW).to_numpy()] = False
        self.live[kept.get_column(ROW).to_numpy()] = True
        return looked_at.select("id", ROW)


def _exact_stage(run: _Run) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = np.flatnonzero(_shared(run.keys.content, run.live, run.index.hashes("content_hash")))
    if rows.size == 0:
        return empty_duplicates(), _NO_ROWS
    frame = run.gather(rows, EXACT_COLUMNS)
    kept, duplicates = exact_duplicates(frame, ExistingIndex.load(run.root, frame.get_column("content_hash").unique()))
    return duplicates, run.settle(frame, kept)


def _url_stage(run: _Run) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = np.flatnonzero(_shared(run.keys.url, run.live & run.keys.has_url, run.index.hashes("url")))
    if rows.size == 0:
        return empty_duplicates(), _NO_ROWS
    frame = run.gather(rows, SIMILAR_COLUMNS)
    urls = frame.get_column("url").unique().implode()
    indexed = run.index.near_index(run.index.positions(pl.col("url").is_in(urls)))
    kept, duplicates = url_duplicates(frame, indexed, run.config)
    return duplicates, run.settle(frame, kept)


def _near_stage(run: _Run) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows, hits = _band_neighbours(run.keys, run.live & run.keys.usable, run.index)
    if rows.size == 0:
        return empty_duplicates(), _NO_ROWS
    config = run.config
    new = run.gather(rows, ["id", "published", "word_count"])
    old = run.index.rows_at(hits) if hits.size else run.index.scan().head(0).collect()
    old_sigs = signature_matrix(old, config.num_perm)

    def band(b: int) -> U64:
        return np.concatenate((band_key(old_sigs, config, b), run.keys.band(b)[rows]))

    def signatures(wanted: I64) -> tuple[U32, I64]:
        # The first old.height rows are the indexed articles; row old.height + i is candidate rows[i].
        split = int(np.searchsorted(wanted, old.height))
        sigs = np.empty((wanted.size, config.num_perm), dtype=np.uint32)
        sigs[:split] = old_sigs[wanted[:split]]
        run.keys.signatures(rows[wanted[split:] - old.height], sigs[split:])
        return sigs, np.arange(wanted.size)

    docs = Sketches(signatures, band, np.ones(old.height + rows.size, dtype=bool), old.height)
    marks = near_marks(docs, rank_nodes(new, old), config).sort("_at")
    dropped = run.gather(rows[marks.get_column("_at").to_numpy()], ["source_path", "id", "url", "source_type"])
    duplicates = pl.concat([dropped, marks.drop("_at")], how="horizontal").select(
        "source_path",
        "id",
        "duplicate_of",
        pl.lit(DuplicateKind.NEAR.value).alias("kind"),
        "similarity",
        "url",
        "source_type",
    )
    run.live[dropped.get_column(ROW).to_numpy()] = False
    return duplicates, new.select("id", ROW)


_NO_ROWS = pl.DataFrame(schema={"id": pl.String, ROW: pl.Int64})


def deduplicate_shards(paths: Sequence[Path], root: Path, config: NearConfig, scratch: Path) -> RunDedup:
    """Deduplicate the candidates of these shard files (in input order) against each other and the dataset.

    root: the dataset (its index/ holds the committed articles); scratch: a folder for the
    spills of band keys and signatures, which are deleted before returning.
    """
    if not paths:
        return RunDedup(np.empty(0, dtype=bool), np.zeros(1, dtype=np.int64), empty_duplicates())
    keys = _scan_keys(paths, config, scratch)
    try:
        run = _Run(paths, keys, IndexFiles.open(root, config), root, np.ones(keys.size, dtype=bool), config)
        # Exact first (cheapest, certain), then URL (versions at one address resolve to the
        # newest), then near-duplicates on what is left.
        stages = [_exact_stage(run), _url_stage(run), _near_stage(run)]
    finally:
        keys.remove()
    duplicates = resolve_chains(pl.concat([d for d, _ in stages], how="vertical_relaxed"))
    _check_targets(duplicates, pl.concat([seen for _, seen in stages]), run.live, run.index)
    return RunDedup(run.live, keys.offsets, duplicates)


def _band_neighbours(keys: _Keys, usable: Flags, index: IndexFiles) -> tuple[I64, I64]:
    """Rows of the usable candidates that share a band key with another one or with an indexed
    article, and the positions of the indexed articles that share one with them; a band at a time."""
    at = np.flatnonzero(usable)
    shared = np.zeros(at.size, dtype=bool)
    hit: Flags | None = None
    for band in range(index.config.bands):
        mine = keys.band(band)[at]
        shared |= duplicated(mine)
        theirs = index.band(band)
        if theirs.size:
            shared |= np.isin(mine, theirs)
            found = np.isin(theirs, mine)
            hit = found if hit is None else hit | found
    hits = np.flatnonzero(hit) if hit is not None else np.empty(0, dtype=np.int64)
    return at[shared], hits.astype(np.int64)


def _check_targets(duplicates: pl.DataFrame, looked_at: pl.DataFrame, live: Flags, index: IndexFiles) -> None:
    """Every duplicate_of must be a kept candidate or an indexed article; anything else is a bug."""
    targets = duplicates.get_column("duplicate_of").unique()
    kept_ids = looked_at.filter(pl.Series(live[looked_at.get_column(ROW).to_numpy()])).get_column("id")
    rest = targets.filter(~targets.is_in(kept_ids.implode()))
    if rest.len():
        indexed = index.scan().select("id").filter(pl.col("id").is_in(rest.implode())).collect().get_column("id")
        if missing := sorted(set(rest.to_list()) - set(indexed.to_list())):
            raise AssertionError(f"duplicates point at ids that are not kept: {missing[:5]}")
