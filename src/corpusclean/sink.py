"""Atomic commits of a run's tables into a dataset directory.

Layout of DIR:
    articles/language=xx/month=YYYY-MM/part-<run_id>-NNNNN.parquet
    duplicates/part-<run_id>.parquet
    rejects/part-<run_id>.parquet
    reports/<run_id>/report.{json,md}
    manifests/<run_id>.json          written last: a run exists once its manifest does
    quarantine/<run_id>/...          tables of a run that broke a quality gate (same layout)
    _staging/<run_id>/               work area, never read by consumers
    .lock                            one writer at a time

A run writes everything under _staging/<run_id>/, then writes a commit journal
(the list of moves and the manifest) atomically, then renames each file to its
final name and writes the manifest. A crash before the journal leaves only
staging files, which the next run deletes; a crash after it is rolled forward by
the next run. Files under their final names are always complete.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
import shutil
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from corpusclean.errors import DatasetLockedError
from corpusclean.schema import check_table

STAGING = "_staging"
QUARANTINE = "quarantine"
MANIFESTS = "manifests"
JOURNAL = "commit.json"
COMPRESSION = "zstd"
_HELD: set[str] = set()
_HELD_GUARD = threading.Lock()


# fsyncs in flight at once: each waits on the disk, not the CPU, and the file system commits
# concurrent ones together (a run's files: one per partition, measured 2-8 ms each in turn).
_SYNC_THREADS = 8


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def fsync_all(paths: Iterable[Path], directories: bool = False) -> None:
    """fsync every file (or directory) of `paths`, several at a time; returns when all are on disk."""
    unique = sorted(set(paths))
    sync = fsync_dir if directories else fsync_file
    if len(unique) <= 1:
        for path in unique:
            sync(path)
        return
    with ThreadPoolExecutor(max_workers=min(_SYNC_THREADS, len(unique)), thread_name_prefix="corpusclean-sync") as pool:
        for _ in pool.map(sync, unique):  # re-raises the first error
            pass


def remove_tree(root: Path) -> None:
    """shutil.rmtree(root, ignore_errors=True), with the files, then each level of folders from
    the deepest up, removed several at a time: one at a time, each removal waits on the file
    system's journal (a run's staging folder, ~50 folders: 0.03-0.2 s in turn, ~0.02 s so)."""
    levels: dict[int, list[str]] = {}
    files: list[str] = []
    for folder, _, names in os.walk(root):
        levels.setdefault(folder.count(os.sep), []).append(folder)
        files += [os.path.join(folder, name) for name in names]
    if len(files) + len(levels) > 1:
        with ThreadPoolExecutor(max_workers=_SYNC_THREADS, thread_name_prefix="corpusclean-rm") as pool:
            for _ in pool.map(_unlink_quietly, files):
                pass
            for depth in sorted(levels, reverse=True):
                for _ in pool.map(_rmdir_quietly, levels[depth]):
                    pass
    shutil.rmtree(root, ignore_errors=True)  # whatever is left (a symbolic link to a folder, a late file)


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _rmdir_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.rmdir(path)


def write_json_atomic(path: Path, payload: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=2, sort_keys=True, ensure_ascii=False)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def write_parquet(table_name: str, table: pa.Table, path: Path, row_group_bytes: int, sync: bool = True) -> int:
    """Write one Parquet file of a declared table (checked against its schema); returns rows.

    sync=False leaves the fsync to the caller (fsync_all over every file of a run at once)."""
    check_table(table_name, table)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows: int = table.num_rows
    per_row = max(1, table.nbytes // rows) if rows else 1
    row_group_rows = max(1, row_group_bytes // per_row)
    pq.write_table(
        table,
        path,
        compression=COMPRESSION,
        row_group_size=row_group_rows,
        write_statistics=True,
        store_schema=True,
    )
    if sync:
        fsync_file(path)
    return rows


# Rows per Parquet row group for articles: a fixed count (not a byte measure taken as rows
# arrive), so where row groups end depends only on the rows, never on how the run was sharded.
# 16,384 rows of ~8 KB of text each is ~128 MB.
NOMINAL_ROW_BYTES = 8 * 1024


# Rows per row group of the bookkeeping tables written in pieces (rejects, ledger): their rows
# are a few hundred bytes, and the writer holds a group and its encoding buffers at a time.
# Bigger groups were measured to cost memory in proportion to the run (up to a group), to no
# reader's benefit: these tables are small and read whole.
SMALL_TABLE_GROUP_ROWS = 1024


# Parquet's encoder works in batches of rows and buffers a page per column before compressing
# it; it allocates from Arrow's mimalloc pool, which keeps its high-water mark for the life of
# the process. Smaller batches and pages than the defaults (1,024 rows, 1 MB) halved that mark
# when writing a partition of 2,600 articles (16 -> 8 MB), for a few more page headers.
_WRITE_BATCH_ROWS = 256
_DATA_PAGE_BYTES = 256 << 10


def group_rows(row_group_bytes: int) -> int:
    """Rows per row group of articles, streamed in pieces."""
    return max(1, row_group_bytes // NOMINAL_ROW_BYTES)


class RowGroupWriter:
    """One Parquet file written from tables as they arrive, in row groups of exactly `group_rows` rows.

    The file's bytes depend only on its rows, not on the pieces they came in (one per shard), so
    they do not depend on how the run was cut: row groups end at fixed row counts, and rows are
    regrouped into chunks of exactly `batch_rows` from the start of the file. Parquet's encoder
    works a batch at a time within each chunk and closes a page when it is full at a batch's end,
    so with chunks as they arrived, page boundaries (and the bytes) would move with the shards.
    Memory holds at most one row group. `table_name` checks every piece against that declared
    table; None writes `schema` as given (the dedup index, which carries its own metadata).
    """

    def __init__(self, path: Path, schema: pa.Schema, group_rows: int, table_name: str | None = None) -> None:
        self.path = path
        self.schema = schema
        self.group_rows = max(1, group_rows)
        self.batch_rows = math.gcd(_WRITE_BATCH_ROWS, self.group_rows)
        self.table_name = table_name
        self.rows = 0
        self._loose: list[pa.RecordBatch] = []  # as they came, fewer than batch_rows rows once regrouped
        self._loose_rows = 0
        self._chunks: list[pa.RecordBatch] = []  # of batch_rows rows each, not written yet
        self._writer: pq.ParquetWriter | None = None

    def add(self, table: pa.Table | pa.RecordBatch) -> None:
        if self.table_name is not None:
            check_table(self.table_name, table if isinstance(table, pa.Table) else pa.Table.from_batches([table]))
        for batch in table.to_batches() if isinstance(table, pa.Table) else [table]:
            if batch.num_rows:
                self._loose.append(batch)
                self._loose_rows += batch.num_rows
        while self._loose_rows >= self.batch_rows:
            self._chunks.append(self._take(self.batch_rows))
            if len(self._chunks) * self.batch_rows == self.group_rows:
                self._write(self._chunks)
                self._chunks = []

    def _take(self, rows: int) -> pa.RecordBatch:
        """The first `rows` loose rows as one contiguous chunk (a copy), the others left loose."""
        loose = pa.Table.from_batches(self._loose, schema=self.schema)
        chunk = loose.slice(0, rows).combine_chunks().to_batches()
        rest = loose.slice(rows)
        self._loose, self._loose_rows = rest.to_batches(), rest.num_rows
        return chunk[0] if chunk else pa.RecordBatch.from_pylist([], schema=self.schema)

    def _write(self, chunks: list[pa.RecordBatch]) -> None:
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(
                self.path,
                self.schema,
                compression=COMPRESSION,
                store_schema=True,
                write_batch_size=self.batch_rows,
                data_page_size=_DATA_PAGE_BYTES,
            )
        table = pa.Table.from_batches(chunks, schema=self.schema)
        self._writer.write_table(table, row_group_size=self.group_rows)
        self.rows += table.num_rows

    def close(self, sync: bool = True) -> int:
        """Write what is pending and finish the file (also a file of no rows); fsynced unless sync=False
        (then the caller fsyncs it, e.g. with the run's other files in fsync_all). Returns the rows."""
        if self._loose_rows:
            self._chunks.append(self._take(self._loose_rows))
        if self._chunks or self._writer is None:
            self._write(self._chunks)
        self._chunks = []
        assert self._writer is not None
        self._writer.close()
        if sync:
            fsync_file(self.path)
        return self.rows


class PartitionedWriter:
    """Streams rows of one table into hive partitions, one Parquet file per partition, in arrival order.

    Rows are appended to a spill file per partition (Arrow IPC, uncompressed) as they come,
    and each partition is converted to Parquet on close, one row group at a time. Memory holds
    at most one row group, whatever the size of the run or the number of partitions.
    """

    def __init__(self, table_name: str, root: Path, file_name: str, row_group_bytes: int) -> None:
        self.table_name = table_name
        self.root = root
        self.file_name = file_name
        self.group_rows = group_rows(row_group_bytes)
        self.spill_dir = root / ".spill"
        self.spills: dict[str, tuple[Path, pa.OSFile, pa.ipc.RecordBatchStreamWriter]] = {}

    def add(self, partition: str, table: pa.Table) -> None:
        check_table(self.table_name, table)
        if partition not in self.spills:
            self.spill_dir.mkdir(parents=True, exist_ok=True)
            spill = self.spill_dir / f"{len(self.spills):05d}.arrow"
            sink = pa.OSFile(str(spill), "wb")
            self.spills[partition] = (spill, sink, pa.ipc.new_stream(sink, table.schema))
        self.spills[partition][2].write_table(table)

    def close(self, sync: bool = True) -> list[tuple[str, int]]:
        """Write every partition's Parquet file (fsynced, all at once at the end, unless sync=False);
        returns (partition/file name, rows), sorted."""
        out = []
        for partition, (spill, sink, stream) in self.spills.items():
            stream.close()
            sink.close()
            path = self.root / partition / self.file_name
            out.append((f"{partition}/{self.file_name}", self._convert(spill, path)))
            spill.unlink()
        shutil.rmtree(self.spill_dir, ignore_errors=True)
        if sync:
            fsync_all(self.root / rel for rel, _ in out)
        return sorted(out)

    def _convert(self, spill: Path, path: Path) -> int:
        # Read, not memory-mapped: batches of a mapped spill are views into the mapping, and every
        # page read would stay resident until the whole partition is done.
        with pa.OSFile(str(spill), "rb") as source:
            reader = pa.ipc.open_stream(source)
            writer = RowGroupWriter(path, reader.schema, self.group_rows)
            for batch in reader:
                writer.add(batch)
            return writer.close(sync=False)  # close() syncs the partitions together


@contextlib.contextmanager
def dataset_lock(root: Path) -> Iterator[None]:
    """Exclusive writer lock on the dataset; fails at once if another run holds it.

    A POSIX record lock (lockf), not flock: forked extraction workers do not inherit
    it, so a killed run's lock dies with the run even if a worker lingers.
    """
    root.mkdir(parents=True, exist_ok=True)
    key = str(root.resolve())
    # POSIX locks do not exclude the process that holds them: track our own holds too.
    with _HELD_GUARD:
        if key in _HELD:
            raise DatasetLockedError(f"{root} is being written by another run in this process")
        _HELD.add(key)
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise DatasetLockedError(f"{root} is being written by another run") from exc
        yield
    finally:
        os.close(fd)
        with _HELD_GUARD:
            _HELD.discard(key)


@dataclass(frozen=True, slots=True)
class Move:
    src: str  # relative to the run's staging dir
    dst: str  # relative to the dataset root


def commit(root: Path, run_id: str, moves: list[Move], manifest: dict[str, Any]) -> None:
    """Journal, move every staged file to its final name, then write the manifest."""
    staging = root / STAGING / run_id
    journal = {"run_id": run_id, "moves": [[m.src, m.dst] for m in moves], "manifest": manifest}
    write_json_atomic(staging / JOURNAL, journal)
    _apply_journal(root, staging, journal)


def _apply_journal(root: Path, staging: Path, journal: dict[str, Any]) -> None:
    moved: set[Path] = set()
    for src, dst in journal["moves"]:
        source, target = staging / src, root / dst
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            moved.add(target.parent)
        elif not target.exists():
            raise FileNotFoundError(f"commit of {journal['run_id']}: neither {source} nor {target} exists")
    # Every renamed file's folder is on disk before the manifest says the run exists.
    fsync_all(moved, directories=True)
    write_json_atomic(root / MANIFESTS / f"{journal['run_id']}.json", journal["manifest"])
    remove_tree(staging)
    with contextlib.suppress(OSError):  # only when no other staging is left
        staging.parent.rmdir()


def recover(root: Path) -> list[str]:
    """Finish commits a crash interrupted (those whose journal was written).

    Staging areas without a journal are left alone: the next attempt of the same
    run resumes from them, and planning deletes those of other runs. Returns the
    run ids rolled forward. Call with the dataset lock held.
    """
    staging_root = root / STAGING
    if not staging_root.is_dir():
        return []
    rolled = []
    for staging in sorted(p for p in staging_root.iterdir() if p.is_dir()):
        journal_path = staging / JOURNAL
        if journal_path.is_file():
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
            _apply_journal(root, staging, journal)
            rolled.append(journal["run_id"])
    with contextlib.suppress(OSError):
        staging_root.rmdir()
    return rolled


def committed_runs(root: Path) -> list[dict[str, Any]]:
    """Manifests of every committed run, oldest first."""
    folder = root / MANIFESTS
    if not folder.is_dir():
        return []
    runs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    return sorted(runs, key=lambda m: m.get("sequence", 0))
