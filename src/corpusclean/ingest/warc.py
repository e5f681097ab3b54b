"""WARC and WARC.gz files (Common Crawl, wget, Heritrix, browsertrix output): one page per HTML response.

We frame records ourselves and let FastWARC parse each one. Both FastWARC and
warcio stop at the first corrupt record (a broken gzip member, a bad header),
and with gzip both can let one wrong Content-Length swallow every later record
silently (benchmarks/RESULTS-ingest.md). Framing ourselves means:

- in a .warc.gz, every gzip member is one record (what the WARC spec's Annex D
  and every crawler write), so a record's bytes end where its member ends and
  a corrupt member costs that record only: we look for the next member that
  inflates to "WARC/" and go on from there;
- in a plain .warc, a record ends at its Content-Length plus the CRLF CRLF
  trailer; a record without a valid header or trailer is skipped to the next
  "WARC/1." line;
- the byte offset of every record is known, so planning can cut a file into
  runs and a reader can seek straight to the first record of its run;
- memory is bounded: a record's bytes are kept up to the page cap (plus room
  for the HTTP headers) and the rest is inflated and thrown away.

FastWARC then parses the WARC and HTTP headers of the record's bytes and
decodes chunked / gzip / brotli payloads (3x faster than warcio here), and
zlib-ng inflates the members (1.6x faster than the standard zlib, which is
most of the reading time).

What a record becomes: an HTTP 200 response with an HTML content type is a
page (`RawPage`, with the target URI and WARC date as provenance); a record
that cannot be read is a `corrupt_record` reject (detail: its byte offset); a
page over the size cap is a `too_large` reject; everything else (request,
metadata, warcinfo, revisit records, non-200 and non-HTML responses) is
skipped and counted under a reason (`SKIP_REASONS`).
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast

from fastwarc.warc import WarcRecord, WarcRecordType
from zlib_ng import zlib_ng

from corpusclean.records import RawPage, Reject, RejectReason

NOT_RESPONSE = "not_response"  # request, metadata, warcinfo, revisit, resource ... records
NOT_200 = "not_200"  # an HTTP response with another status (redirects, errors)
NOT_HTML = "not_html"  # an HTTP 200 response that is not HTML (images, PDF, JSON, CSS ...)
SKIP_REASONS = (NOT_RESPONSE, NOT_200, NOT_HTML)

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_GZIP_MEMBER = b"\x1f\x8b\x08"
_CHUNK = 1 << 14  # small reads: each member's leftover input is copied once per member
_INFLATE_STEP = 1 << 20  # inflate at most this much per call, so a gzip bomb never costs more
_MAX_HEADER = 1 << 16  # a WARC header longer than this is not one
_HEADER_ROOM = 1 << 16  # bytes kept beyond the page cap, for the HTTP headers in front of the page
_RECORD_END = b"\r\n\r\n"
_CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\d+)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_PLAIN_START = b"\nWARC/1."
_ZLIB_ERROR = cast(type[Exception], zlib_ng.error)  # zlib_ng's stub declares the class as an instance


@dataclass(frozen=True, slots=True)
class WarcEntry:
    """One record of a WARC file: where it is and what it became (a page, a reject, or a skip reason)."""

    offset: int  # byte offset of the record in the file (of its gzip member in a .warc.gz)
    outcome: RawPage | Reject | str


@dataclass(frozen=True, slots=True)
class _Blob:
    offset: int
    data: bytes  # the record's bytes (WARC header + block), at most `keep` of them
    size: int  # the record's full size in bytes
    error: str | None  # why these bytes are not one whole record


class _Source:
    """A file read forward in chunks, with the absolute position of the unread bytes."""

    def __init__(self, fh: BinaryIO, pos: int) -> None:
        self.fh = fh
        self.buf = b""
        self.pos = pos  # file position of buf[0]
        fh.seek(pos)

    def fill(self, n: int) -> bool:
        """Have at least n unread bytes buffered; False at end of file with fewer."""
        while len(self.buf) < n:
            chunk = self.fh.read(max(_CHUNK, n - len(self.buf)))
            if not chunk:
                return False
            self.buf += chunk
        return True

    def take(self) -> bytes:
        """The buffered bytes (reading a chunk if there are none); empty at end of file."""
        if not self.buf:
            self.buf = self.fh.read(_CHUNK)
        out, self.buf = self.buf, b""
        self.pos += len(out)
        return out

    def push_back(self, data: bytes) -> None:
        self.buf = data + self.buf
        self.pos -= len(data)

    def skip(self, n: int) -> None:
        if n <= len(self.buf):
            self.buf = self.buf[n:]
            self.pos += n
        else:
            self.seek(self.pos + n)

    def seek(self, pos: int) -> None:
        self.fh.seek(pos)
        self.buf = b""
        self.pos = pos


def _inflate_member(src: _Source, keep: int) -> _Blob:
    """Inflate the gzip member at src.pos, keeping at most `keep` bytes; src ends after it."""
    start = src.pos
    inflater = zlib_ng.decompressobj(zlib_ng.MAX_WBITS | 16)
    out = bytearray()
    size = 0
    try:
        while not inflater.eof:
            pending = src.take()
            if not pending:
                return _Blob(start, bytes(out), size, "gzip member cut short by the end of the file")
            while True:
                piece = inflater.decompress(pending, _INFLATE_STEP)
                size += len(piece)
                if len(out) < keep:
                    out += piece[: keep - len(out)]
                pending = inflater.unconsumed_tail
                if inflater.eof or (not pending and len(piece) < _INFLATE_STEP):
                    break
            if inflater.eof:
                src.push_back(inflater.unused_data + pending)
    except _ZLIB_ERROR as exc:
        return _Blob(start, bytes(out), size, f"corrupt gzip data ({exc})")
    return _Blob(start, bytes(out), size, _record_error(out, size))


def _record_error(data: bytes | bytearray, size: int) -> str | None:
    """Why the bytes of one gzip member are not exactly one WARC record, or None."""
    if not data.startswith(b"WARC/"):
        return "no WARC header at the start of the record"
    head_end = data.find(_RECORD_END, 0, _MAX_HEADER)
    if head_end < 0:
        return "WARC header without an end"
    match = _CONTENT_LENGTH.search(data, 0, head_end + 2)
    if match is None:
        return "WARC header without a Content-Length"
    end = head_end + 4 + int(match.group(1))
    if end > size:
        return f"record shorter ({size - head_end - 4} bytes) than its Content-Length ({int(match.group(1))})"
    if end + 4 < size and data[end : end + 16].lstrip(b"\r\n").startswith(b"WARC/"):
        return "gzip member holds more than one WARC record (recompress one record per member)"
    return None


def _is_member_start(fh: BinaryIO, pos: int) -> bool:
    """True when a gzip member starting at pos inflates to the start of a WARC record."""
    fh.seek(pos)
    head = fh.read(_CHUNK)
    try:
        return zlib_ng.decompressobj(zlib_ng.MAX_WBITS | 16).decompress(head, 5) == b"WARC/"
    except _ZLIB_ERROR:
        return False


def _next_member(src: _Source, after: int) -> int | None:
    """The offset of the next good gzip member after a corrupt one, or None at end of file."""
    pos = after
    src.seek(pos)
    tail = b""
    while True:
        chunk = src.fh.read(_CHUNK)
        if not chunk:
            return None
        data = tail + chunk
        base = pos - len(tail)
        at = data.find(_GZIP_MEMBER)
        while at >= 0:
            if _is_member_start(src.fh, base + at):
                return base + at
            at = data.find(_GZIP_MEMBER, at + 1)
        src.fh.seek(pos + len(chunk))
        pos += len(chunk)
        tail = data[-2:]


def _gzip_blobs(fh: BinaryIO, start: int, end: int, keep: int) -> Iterator[_Blob]:
    src = _Source(fh, start)
    while end < 0 or src.pos < end:
        src.fill(len(_GZIP_MEMBER))
        if not src.buf:
            return
        at = src.pos
        if not src.buf.startswith(_GZIP_MEMBER):
            blob = _Blob(at, b"", 0, "not a gzip member")
        else:
            blob = _inflate_member(src, keep)
        yield blob
        if blob.error is not None:
            resume = _next_member(src, at + 1)
            if resume is None:
                return
            src.seek(resume)


def _plain_blobs(fh: BinaryIO, start: int, end: int, keep: int) -> Iterator[_Blob]:
    src = _Source(fh, start)
    while end < 0 or src.pos < end:
        # Stray line ends between records belong to neither.
        while src.fill(1) and src.buf[:1] in (b"\r", b"\n"):
            src.skip(1)
        if not src.buf:
            return
        src.fill(_MAX_HEADER)
        at = src.pos
        blob = _plain_record(src, keep)
        yield blob
        if blob.error is not None:
            resume = _next_plain(src, at + 1)
            if resume is None:
                return
            src.seek(resume)


def _plain_record(src: _Source, keep: int) -> _Blob:
    """Frame the uncompressed record at src.pos by its Content-Length; src ends after its trailer."""
    at = src.pos
    buf = src.buf
    head_end = buf.find(_RECORD_END, 0, _MAX_HEADER)
    if not buf.startswith(b"WARC/") or head_end < 0:
        return _Blob(at, b"", 0, "no WARC header at the start of the record")
    match = _CONTENT_LENGTH.search(buf, 0, head_end + 2)
    if match is None:
        return _Blob(at, b"", 0, "WARC header without a Content-Length")
    size = head_end + 4 + int(match.group(1))
    wanted = min(size, keep)
    src.fill(wanted)
    data = src.buf[:wanted]
    src.skip(size)
    src.fill(4)
    if not src.buf.startswith(_RECORD_END):
        return _Blob(at, data, size, "the record does not end where its Content-Length says")
    src.skip(4)
    return _Blob(at, data, size, None)


def _next_plain(src: _Source, after: int) -> int | None:
    pos = after
    src.seek(pos)
    tail = b""
    while True:
        chunk = src.fh.read(_CHUNK)
        if not chunk:
            return None
        data = tail + chunk
        at = data.find(_PLAIN_START)
        if at >= 0:
            return pos - len(tail) + at + 1
        pos += len(chunk)
        tail = data[-(len(_PLAIN_START) - 1) :]


def _target_uri(record: WarcRecord) -> str | None:
    uri = record.headers.get("WARC-Target-URI")
    if not uri:
        return None
    return uri.strip().strip("<>") or None


def _fetched(record: WarcRecord) -> dt.datetime | None:
    try:
        date: dt.datetime | None = record.record_date
    except (ValueError, OSError):
        return None
    return date


def _corrupt(path: str, offset: int, why: str) -> Reject:
    return Reject(f"{path}#{offset}", RejectReason.CORRUPT_RECORD, f"WARC record at byte offset {offset}: {why}")


def _entry(blob: _Blob, path: str, cap: int) -> WarcEntry:
    """What one record becomes. Never raises for bad bytes."""
    offset = blob.offset
    if blob.error is not None:
        return WarcEntry(offset, _corrupt(path, offset, blob.error))
    try:
        record = WarcRecord.from_bytes(blob.data)
    except OSError as exc:
        return WarcEntry(offset, _corrupt(path, offset, f"unreadable WARC header ({exc})"))
    if record.record_type != WarcRecordType.response:
        return WarcEntry(offset, NOT_RESPONSE)
    try:
        record.parse_http(auto_decode="all")
        status = record.http_headers.status_code if record.http_headers is not None else None
    except (OSError, ValueError) as exc:
        return WarcEntry(offset, _corrupt(path, offset, f"unreadable HTTP headers ({exc})"))
    if status != 200:
        return WarcEntry(offset, NOT_200)
    if (record.http_content_type or "").lower() not in _HTML_TYPES:
        return WarcEntry(offset, NOT_HTML)
    source = f"{path}#{offset}"
    if blob.size > len(blob.data):
        return WarcEntry(offset, Reject(source, RejectReason.TOO_LARGE, f"{blob.size} bytes, over the cap of {cap}"))
    try:
        body = record.reader.read(cap + 1)
    except OSError as exc:
        return WarcEntry(offset, _corrupt(path, offset, f"undecodable HTTP payload ({exc})"))
    if len(body) > cap:
        return WarcEntry(offset, Reject(source, RejectReason.TOO_LARGE, f"the page unpacks to over {cap} bytes"))
    return WarcEntry(offset, RawPage(source, bytes(body), url=_target_uri(record), fetched=_fetched(record)))


def is_gzipped(fh: BinaryIO) -> bool:
    fh.seek(0)
    magic = fh.read(2)
    fh.seek(0)
    return magic == _GZIP_MEMBER[:2]


def iter_warc(fh: BinaryIO, path: str, cap: int, start: int = 0, end: int = -1) -> Iterator[WarcEntry]:
    """The records that start in [start, end) of an open WARC file (end -1: to the end), in order.

    `path` names the file in source paths (`path#offset`); `cap` is the page size cap.
    """
    frame = _gzip_blobs if is_gzipped(fh) else _plain_blobs
    for blob in frame(fh, start, end, cap + _HEADER_ROOM):
        yield _entry(blob, path, cap)


# ---------------------------------------------------------------- writing (tests, samples, benchmarks)


def warc_record(
    uri: str,
    date: str,
    payload: bytes,
    status: int = 200,
    content_type: str = "text/html; charset=utf-8",
    record_id: str = "<urn:uuid:00000000-0000-0000-0000-000000000000>",
) -> bytes:
    """One WARC/1.1 response record holding an HTTP response with `payload` (date as 2025-01-31T10:00:00Z)."""
    http = (
        f"HTTP/1.1 {status} {'OK' if status == 200 else 'Other'}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload
    header = (
        f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: {record_id}\r\nWARC-Date: {date}\r\n"
        f"WARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return header + http + _RECORD_END


def warc_other_record(kind: str, uri: str, date: str, block: bytes) -> bytes:
    """A non-response record (request, metadata, warcinfo), for tests of what is skipped."""
    header = (
        f"WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Date: {date}\r\nWARC-Target-URI: {uri}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {len(block)}\r\n\r\n"
    ).encode()
    return header + block + _RECORD_END


def gzip_member(record: bytes) -> bytes:
    """One record as its own gzip member (mtime 0: the same record gives the same bytes)."""
    return gzip.compress(record, compresslevel=6, mtime=0)
