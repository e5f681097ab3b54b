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
import os
import shutil
import threading
from collections.abc import Iterator
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


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def write_parquet(table_name: str, table: pa.Table, path: Path, row_group_bytes: int) -> int:
    """Write one Parquet file of a declared table (checked against its schema); returns rows."""
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
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())
    return rows


# Rows per Parquet row group for articles: a fixed count (not a byte measure taken as rows
# arrive), so where row groups end depends only on the rows, never on how the run was sharded.
# 16,384 rows of ~8 KB of text each is ~128 MB.
NOMINAL_ROW_BYTES = 8 * 1024


class PartitionedWriter:
    """Streams rows of one table into hive partitions, one file per partition, in arrival order.

    Memory holds at most one row group's worth of rows per open partition, so a run of any
    size is written without collecting its articles.
    """

    def __init__(self, table_name: str, root: Path, file_name: str, row_group_bytes: int) -> None:
        self.table_name = table_name
        self.root = root
        self.file_name = file_name
        self.group_rows = max(1, row_group_bytes // NOMINAL_ROW_BYTES)
        self.buffers: dict[str, list[pa.Table]] = {}
        self.buffered: dict[str, int] = {}
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}

    def add(self, partition: str, table: pa.Table) -> None:
        check_table(self.table_name, table)
        self.buffers.setdefault(partition, []).append(table)
        self.buffered[partition] = self.buffered.get(partition, 0) + table.num_rows
        if self.buffered[partition] >= self.group_rows:
            self._flush(partition, final=False)

    def _flush(self, partition: str, final: bool) -> None:
        table = pa.concat_tables(self.buffers.pop(partition, []))
        whole = table.num_rows if final else table.num_rows - table.num_rows % self.group_rows
        if whole:
            writer = self.writers.get(partition)
            if writer is None:
                path = self.root / partition / self.file_name
                path.parent.mkdir(parents=True, exist_ok=True)
                writer = pq.ParquetWriter(path, table.schema, compression=COMPRESSION, store_schema=True)
                self.writers[partition] = writer
            writer.write_table(table.slice(0, whole), row_group_size=self.group_rows)
            self.rows[partition] = self.rows.get(partition, 0) + whole
        rest = table.slice(whole)
        self.buffers[partition] = [rest] if rest.num_rows else []
        self.buffered[partition] = rest.num_rows

    def close(self) -> list[tuple[str, int]]:
        """Flush and close every file (fsynced); returns (partition/file name, rows), sorted."""
        for partition in list(self.buffers):
            self._flush(partition, final=True)
        out = []
        for partition, writer in self.writers.items():
            writer.close()
            path = self.root / partition / self.file_name
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
            out.append((f"{partition}/{self.file_name}", self.rows[partition]))
        return sorted(out)


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
    for src, dst in journal["moves"]:
        source, target = staging / src, root / dst
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
            fsync_dir(target.parent)
        elif not target.exists():
            raise FileNotFoundError(f"commit of {journal['run_id']}: neither {source} nor {target} exists")
    write_json_atomic(root / MANIFESTS / f"{journal['run_id']}.json", journal["manifest"])
    shutil.rmtree(staging, ignore_errors=True)
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
