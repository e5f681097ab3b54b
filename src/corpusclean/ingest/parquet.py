"""Parquet files: one page per row, columns named by IngestConfig (as for JSONL).

Planning reads only the footer (the row count); a run of rows is read from the
row groups that hold it, a batch at a time, only the configured columns. Source
paths are `path#<row index>` (0-based). A row with neither HTML nor text is a
`corrupt_record` reject; a file that is not Parquet is one `corrupt_record`
reject for the whole file.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from corpusclean.config import IngestConfig
from corpusclean.ingest.jsonl import page_from_fields
from corpusclean.records import RawPage, Reject, RejectReason

_BATCH_ROWS = 64  # pages can be megabytes each: small batches keep memory flat


def _columns(schema: pa.Schema, config: IngestConfig) -> list[str]:
    wanted = (config.url_field, config.html_field, config.text_field, config.date_field)
    return [name for name in dict.fromkeys(wanted) if name in schema.names]


def count_rows(fh: BinaryIO) -> int:
    """Rows in the file, from its footer. Raises for a file that is not Parquet."""
    return int(pq.ParquetFile(fh).metadata.num_rows)


def not_parquet(path: str, exc: Exception) -> Reject:
    return Reject(path, RejectReason.CORRUPT_RECORD, f"not a readable Parquet file: {exc}"[:500])


def iter_parquet(
    fh: BinaryIO, path: str, config: IngestConfig, cap: int, start: int = 0, count: int = -1
) -> Iterator[RawPage | Reject]:
    """Rows start .. start+count-1 (count -1: to the end), each as a page or a reject."""
    try:
        pf = pq.ParquetFile(fh)
    except (OSError, ValueError, pa.ArrowException) as exc:
        yield not_parquet(path, exc)
        return
    meta = pf.metadata
    stop = meta.num_rows if count < 0 else min(meta.num_rows, start + count)
    groups: list[int] = []
    first = 0  # the index of the first row of the first row group read
    row = 0
    for index in range(meta.num_row_groups):
        rows = meta.row_group(index).num_rows
        if row + rows > start and row < stop:
            if not groups:
                first = row
            groups.append(index)
        row += rows
    if not groups:
        return
    columns = _columns(pf.schema_arrow, config)
    row = first
    try:
        if columns:
            for batch in pf.iter_batches(batch_size=_BATCH_ROWS, row_groups=groups, columns=columns):
                for fields in batch.to_pylist():
                    if start <= row < stop:
                        yield page_from_fields(f"{path}#{row}", fields, config, cap)
                    row += 1
                    if row >= stop:
                        return
    except (OSError, ValueError, pa.ArrowException) as exc:
        problem = f"unreadable row data: {exc}"[:500]
    else:
        problem = f"no {config.html_field!r} or {config.text_field!r} column" if not columns else "row missing"
    # Every row is accounted for: those we could not read become rejects.
    for index in range(max(row, start), stop):
        yield Reject(f"{path}#{index}", RejectReason.CORRUPT_RECORD, problem)
