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
    """Streams rows of one table into hive partitions, one Parquet file per partition, in arrival order.

    Rows are appended to a spill file per partition (Arrow IPC, uncompressed) as they come,
    and each partition is converted to Parquet on close, one row group at a time. Memory holds
    at most one row group, whatever the size of the run or the number of partitions.
    """

    def __init__(self, table_name: str, root: Path, file_name: str, row_group_bytes: int) -> None:
        self.table_name = table_name
        self.root = root
        self.file_name = file_name
        self.group_rows = max(1, row_group_bytes // NOMINAL_ROW_BYTES)
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

    def close(self) -> list[tuple[str, int]]:
        """Write every partition's Parquet file (fsynced); returns (partition/file name, rows), sorted."""
        out = []
        for partition, (spill, sink, stream) in self.spills.items():
            stream.close()
            sink.close()
            path = self.root / partition / self.file_name
            path.parent.mkdir(parents=True, exist_ok=True)
            out.append((f"{partition}/{self.file_name}", self._convert(spill, path)))
        shutil.rmtree(self.spill_dir, ignore_errors=True)
        return sorted(out)

    def _convert(self, spill: Path, path: Path) -> int:
        rows = 0
        with pa.memory_map(str(spill)) as source:
            reader = pa.ipc.open_stream(source)
            with pq.ParquetWriter(path, reader.schema, compression=COMPRESSION, store_schema=True) as writer:
                pending: list[pa.RecordBatch] = []
                pending_rows = 0
                for batch in reader:
                    pending.append(batch)
                    pending_rows += batch.num_rows
                    while pending_rows >= self.group_rows:
                        group = pa.Table.from_batches(pending)
                        writer.write_table(group.slice(0, self.group_rows), row_group_size=self.group_rows)
                        rest = group.slice(self.group_rows)
                        pending, pending_rows = rest.to_batches(), rest.num_rows
                        rows += self.group_rows
                if pending_rows:
                    writer.write_table(pa.Table.from_batches(pending), row_group_size=self.group_rows)
                    rows += pending_rows
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
        return rows


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
