"""JSONL and JSONL.gz files: one page per line, fields named by IngestConfig.

A line is a JSON object with the page's HTML (`html_field`) or, when it has no
HTML, its text dump (`text_field`), plus an optional URL and date. A line that
is not a JSON object, or has neither field, is a `corrupt_record` reject; a
blank line is skipped and counted. Source paths are `path#<line number>`
(1-based, as an editor shows it).

Plain JSONL is seekable: a run of lines starts at its byte offset. Gzipped
JSONL has no random access, so a run that starts deep in the file re-reads it
from the start and throws the bytes before its offset away (inflating only, no
JSON parsing): with many runs per .jsonl.gz the file is inflated once per run.
Split big gzipped JSONL files, or leave them uncompressed, when that matters.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from corpusclean.config import IngestConfig
from corpusclean.records import RawPage, Reject, RejectReason

BLANK_LINE = "blank_line"
SKIP_REASONS = (BLANK_LINE,)

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 16
# JSON escapes can double a page's size (\" \\ \n), so a line may be this much over the page cap.
_LINE_SLACK = 2


@dataclass(frozen=True, slots=True)
class JsonlEntry:
    """One line: its number, the byte offset it starts at (uncompressed), and what it became."""

    line: int  # 1-based
    offset: int
    outcome: RawPage | Reject | str


def _date_text(value: object) -> str | None:
    """A date field as text for the date parser: strings as given, dates and datetimes as ISO."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return None


def _as_bytes(value: object) -> bytes | None:
    if isinstance(value, str):
        # Lone surrogates (legal in JSON) become U+FFFD rather than an encode error.
        return value.encode("utf-8", "replace")
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return None


def page_from_fields(source: str, fields: dict[str, Any], config: IngestConfig, cap: int) -> RawPage | Reject:
    """One record's fields (a JSON object, a Parquet row) as a page: HTML first, else text."""
    data = _as_bytes(fields.get(config.html_field))
    if data is None:
        data = _as_bytes(fields.get(config.text_field))
    if data is None:
        detail = f"no {config.html_field!r} or {config.text_field!r} field holding text"
        return Reject(source, RejectReason.CORRUPT_RECORD, detail)
    if len(data) > cap:
        return Reject(source, RejectReason.TOO_LARGE, f"{len(data)} bytes, over the cap of {cap}")
    url = fields.get(config.url_field)
    return RawPage(
        source_path=source,
        data=data,
        url=(url.strip() or None) if isinstance(url, str) else None,
        published=_date_text(fields.get(config.date_field)),
    )


def _line_entry(raw: bytes | None, source: str, size: int, config: IngestConfig, cap: int) -> RawPage | Reject | str:
    if raw is None:
        return Reject(source, RejectReason.TOO_LARGE, f"a line of {size} bytes, over the cap of {cap * _LINE_SLACK}")
    if not raw.strip():
        return BLANK_LINE
    try:
        obj = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        return Reject(source, RejectReason.CORRUPT_RECORD, f"not valid JSON: {exc}"[:500])
    if not isinstance(obj, dict):
        return Reject(source, RejectReason.CORRUPT_RECORD, f"a JSON {type(obj).__name__}, not an object")
    return page_from_fields(source, obj, config, cap)


def _read_line(stream: BinaryIO | gzip.GzipFile, limit: int) -> tuple[bytes | None, int]:
    """The next line (None when longer than limit) and its size in bytes; (b"", 0) at the end."""
    line = stream.readline(limit + 1)
    if len(line) <= limit or line.endswith(b"\n"):
        return line, len(line)
    size = len(line)
    while line and not line.endswith(b"\n"):  # read the rest of an overlong line away, chunk by chunk
        line = stream.readline(_CHUNK)
        size += len(line)
    return None, size


def open_lines(fh: BinaryIO) -> BinaryIO | gzip.GzipFile:
    """The file's uncompressed bytes (gzip unpacked by its magic number)."""
    fh.seek(0)
    magic = fh.read(2)
    fh.seek(0)
    if magic == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=fh, mode="rb")
    if isinstance(fh, io.BufferedReader):
        return fh
    # fsspec's remote files have a readline() without a size limit: buffer them in the standard way.
    return cast(BinaryIO, io.BufferedReader(cast(io.RawIOBase, fh), _CHUNK))


def iter_jsonl(
    fh: BinaryIO, path: str, config: IngestConfig, cap: int, first_line: int = 0, start: int = 0, end: int = -1
) -> Iterator[JsonlEntry]:
    """The lines in [start, end) of the uncompressed bytes (end -1: to the end); first_line numbers the first.

    A gzip file that breaks part way costs the lines after the break: one
    `corrupt_record` reject says where.
    """
    stream = open_lines(fh)
    limit = cap * _LINE_SLACK
    line_no = first_line
    pos = start
    try:
        stream.seek(start)  # a GzipFile seeks forward by inflating: see the module docstring
        while end < 0 or pos < end:
            raw, size = _read_line(stream, limit)
            if size == 0:
                return
            line_no += 1
            source = f"{path}#{line_no}"
            yield JsonlEntry(line_no, pos, _line_entry(raw, source, size, config, cap))
            pos += size
    except (OSError, EOFError, zlib.error) as exc:
        source = f"{path}#{line_no + 1}"
        detail = f"unreadable from line {line_no + 1} (byte {pos}) on: {exc}"[:500]
        yield JsonlEntry(line_no + 1, pos, Reject(source, RejectReason.CORRUPT_RECORD, detail))
