"""Container files, many pages in one file: WARC (warc.py), JSONL (jsonl.py), Parquet (parquet.py).

Which container a file is comes from its name (`container_kind`); compression
(gzip) from its bytes. Planning scans a container once and cuts it into runs of
at most `shard_size` records that count as pages (pages, and records that
become rejects), each starting at a byte offset (WARC, JSONL) or row index
(Parquet) where a reader can seek, so no file is ever held in memory whole and
one big file spreads over many shards. Records that are not pages (a WARC
request record, a 404 response, an image, a blank JSONL line) are skipped; each
run carries how many it skipped and why (`ContainerRun.skipped`).

A file that cannot be opened or scanned at planning time becomes one run whose
reader meets the same problem and turns it into a reject, so it is still
accounted for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pyarrow as pa

from corpusclean.config import BuildConfig
from corpusclean.ingest import jsonl, parquet, warc
from corpusclean.ingest.remote import open_binary
from corpusclean.records import RawPage, Reject, RejectReason

WARC = "warc"
JSONL = "jsonl"
PARQUET = "parquet"
KINDS = (WARC, JSONL, PARQUET)
SKIP_REASONS = warc.SKIP_REASONS + jsonl.SKIP_REASONS

_SUFFIXES = (
    (".warc", WARC),
    (".warc.gz", WARC),
    (".jsonl", JSONL),
    (".jsonl.gz", JSONL),
    (".ndjson", JSONL),
    (".ndjson.gz", JSONL),
    (".parquet", PARQUET),
)
# Errors from reading a container: I/O (local or remote), and Arrow's for Parquet.
_READ_ERRORS = (OSError, ValueError, EOFError, pa.ArrowException)


@dataclass(frozen=True, slots=True)
class ContainerRun:
    """A run of records of one container: what a Unit of that container holds."""

    start: int  # index of the first record (WARC record, JSONL line, Parquet row; 0-based)
    count: int  # records in the run that become a page or a reject
    offset: int  # byte offset of the first record (WARC, JSONL: uncompressed); 0 for Parquet
    end: int = -1  # byte offset where the next run starts; -1: the end of the file
    skipped: tuple[tuple[str, int], ...] = ()  # records skipped in the run, by reason, sorted


def container_kind(path: str) -> str | None:
    """The container format by the file's name (WARC, JSONL, PARQUET), None for a page file."""
    name = path.lower()
    for suffix, kind in _SUFFIXES:
        if name.endswith(suffix):
            return kind
    return None


def _cut(marks: Iterable[tuple[int, int, str | None]], size: int) -> list[ContainerRun]:
    """Runs of at most `size` counted records from (record index, byte offset, skip reason or None)."""
    runs: list[ContainerRun] = []
    start, offset, count = 0, 0, 0
    skipped: Counter[str] = Counter()
    for index, pos, skip in marks:
        if skip is not None:
            skipped[skip] += 1
            continue
        if count == size:
            runs.append(ContainerRun(start, count, offset, pos, tuple(sorted(skipped.items()))))
            start, offset, count = index, pos, 0
            skipped = Counter()
        count += 1
    runs.append(ContainerRun(start, count, offset, -1, tuple(sorted(skipped.items()))))
    return runs


def _warc_marks(fh: BinaryIO, path: str, cap: int) -> Iterator[tuple[int, int, str | None]]:
    for index, entry in enumerate(warc.iter_warc(fh, path, cap)):
        yield index, entry.offset, entry.outcome if isinstance(entry.outcome, str) else None


def _jsonl_marks(fh: BinaryIO, path: str, config: BuildConfig) -> Iterator[tuple[int, int, str | None]]:
    for entry in jsonl.iter_jsonl(fh, path, config.ingest, config.limits.max_page_bytes):
        yield entry.line - 1, entry.offset, entry.outcome if isinstance(entry.outcome, str) else None


def plan_runs(path: str, kind: str, config: BuildConfig) -> list[ContainerRun]:
    """Scan the container once and cut it into runs of at most config.shard_size counted records."""
    size = config.shard_size
    cap = config.limits.max_page_bytes
    try:
        with open_binary(path) as fh:
            if kind == WARC:
                return _cut(_warc_marks(fh, path, cap), size)
            if kind == JSONL:
                return _cut(_jsonl_marks(fh, path, config), size)
            rows = parquet.count_rows(fh)
    except _READ_ERRORS:
        return [ContainerRun(0, 1, 0)]  # read again by iter_container, which makes the error a reject
    return [ContainerRun(s, min(size, rows - s), 0) for s in range(0, rows, size)] or [ContainerRun(0, 0, 0)]


def iter_container(path: str, kind: str, run: ContainerRun, config: BuildConfig) -> Iterator[RawPage | Reject]:
    """The pages and rejects of one run, in file order. Never raises for a bad file or record."""
    cap = config.limits.max_page_bytes
    try:
        with open_binary(path) as fh:
            if kind == WARC:
                for entry in warc.iter_warc(fh, path, cap, run.offset, run.end):
                    if not isinstance(entry.outcome, str):
                        yield entry.outcome
            elif kind == JSONL:
                for line in jsonl.iter_jsonl(fh, path, config.ingest, cap, run.start, run.offset, run.end):
                    if not isinstance(line.outcome, str):
                        yield line.outcome
            else:
                yield from parquet.iter_parquet(fh, path, config.ingest, cap, run.start, run.count)
    except _READ_ERRORS as exc:
        # Only I/O gets here (bad records are rejects already): the rest of this run is lost, and said so,
        # under a name no record has (records are `path#<digits>`).
        where = path if run.start == 0 and run.offset == 0 else f"{path}#run{run.start}"
        yield Reject(where, RejectReason.READ_ERROR, f"{type(exc).__name__}: {exc}"[:500])
