"""The input ledger: which input files committed runs have processed, so nightly runs take only new ones.

An input is unchanged when its absolute path, size and modification time match a
ledger row; when only the time differs (a copy, a `touch`), the file is hashed
and compared, so a re-synced folder is not processed again.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

import pyarrow as pa

from corpusclean.ingest.files import display_path
from corpusclean.ingest.remote import is_url
from corpusclean.ingest.remote import stat_key as remote_stat_key
from corpusclean.schema import arrow_schema

LEDGER = "ledger"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    size: int
    mtime_ns: int
    sha256: str


def file_sha256(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@dataclass(frozen=True, slots=True)
class Ledger:
    entries: dict[str, LedgerEntry]

    @classmethod
    def load(cls, root: Path) -> Ledger:
        files = sorted((root / LEDGER).glob("*.parquet")) if (root / LEDGER).is_dir() else []
        if not files:
            return cls({})
        import polars as pl  # here: the CLI imports this module before it starts its workers

        frame = pl.read_parquet(files).select("input", "size", "mtime_ns", "sha256")
        # Later runs win: the newest state of a file is the one that counts.
        return cls({row[0]: LedgerEntry(row[1], row[2], row[3]) for row in frame.iter_rows()})

    def is_unchanged(self, path: str) -> bool:
        entry = self.entries.get(_identity(path))
        if entry is None:
            return False
        key = stat_key(path)
        if key is None:
            return False  # unreadable or not a file now: process it, so it gets a reject row
        if key[0] != entry.size:
            return False
        if key[1] == entry.mtime_ns:
            return True
        if is_url(path):
            return False  # not hashed: reading a remote file to compare costs as much as processing it
        try:
            return file_sha256(path) == entry.sha256
        except OSError:
            return False


def _identity(path: str) -> str:
    """The ledger key of an input: its absolute path, or the URL itself for remote inputs."""
    return path if is_url(path) else display_path(os.path.abspath(path))


def stat_key(path: str) -> tuple[int, int] | None:
    """(size, mtime_ns) of a regular file; None for anything else (a FIFO would block a reader)."""
    if is_url(path):
        return remote_stat_key(path)
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    return stat.st_size, stat.st_mtime_ns


def _digest_or_none(path: str) -> str | None:
    try:
        return "" if is_url(path) else file_sha256(path)
    except OSError:
        return None


def ledger_rows(
    planned: dict[str, tuple[int, int] | None], pages: dict[str, int], known: dict[str, str] | None = None
) -> pa.Table:
    """Ledger rows (without run columns) for the input files a run processed.

    `planned` is each file's (size, mtime_ns) when the run was planned: a file that
    changed since, or could not be read, is left out, so the next run takes it again.
    `known` holds digests the extraction took of the bytes it read (RawPage.file_sha256):
    a file whose size and time are still the planned ones still holds those bytes, and is
    not read again. The others are hashed here.
    """
    known = known or {}
    unchanged = [path for path, planned_stat in planned.items() if planned_stat and stat_key(path) == planned_stat]
    to_hash = [path for path in unchanged if path not in known]
    # Hashing is most of this and hashlib runs without the GIL: one thread per core (the
    # run's workers are done by now).
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        hashed = dict(zip(to_hash, pool.map(_digest_or_none, to_hash), strict=True))
    digests = [known[path] if path in known else hashed[path] for path in unchanged]
    rows = []
    for path, digest in zip(unchanged, digests, strict=True):
        planned_stat = planned[path]
        if digest is None or planned_stat is None:
            continue
        rows.append(
            {
                "input": _identity(path),
                "source_path": display_path(path),
                "size": planned_stat[0],
                "mtime_ns": planned_stat[1],
                "sha256": digest,
                "pages": pages.get(path, 0),
            }
        )
    schema = pa.schema([f for f in arrow_schema("ledger") if f.name not in ("run_id", "pipeline_version")])
    return pa.Table.from_pylist(rows, schema=schema)
