"""The typed records that move between pipeline stages.

A page is read once into a :class:`RawPage`, an extractor turns it into an
:class:`Extraction` (body plus the fields it could see), and normalization
turns that into an :class:`Article` row. Pages that cannot become an article
become a :class:`Reject`; articles dropped by deduplication become a
:class:`Duplicate`. Every page read ends as exactly one of the three.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class SourceType(StrEnum):
    """What kind of content a page holds, decided from its bytes."""

    HTML = "html"
    TEXT = "text"


class RejectReason(StrEnum):
    """Why a page could not become an article (the `reason` column of rejects/)."""

    EMPTY = "empty"  # zero bytes, or only white space
    BINARY = "binary"  # not text: an image, archive, executable, ...
    TOO_LARGE = "too_large"  # over the configured byte cap; never parsed
    DECODE_ERROR = "decode_error"  # bytes that no encoding turns into text
    READ_ERROR = "read_error"  # the file could not be read (permissions, I/O)
    NO_MAIN_CONTENT = "no_main_content"  # parsed, but nothing article-like in it
    TOO_SHORT = "too_short"  # a body, but under the minimum word count
    EXTRACT_ERROR = "extract_error"  # the extractor raised; detail has the error
    TIMEOUT = "timeout"  # the extractor went over the per-page time limit
    # A record inside a container (WARC, JSONL, Parquet) that cannot be read as a page:
    # a broken WARC record, a line that is not a JSON object, a row with neither html nor text.
    CORRUPT_RECORD = "corrupt_record"


class DuplicateKind(StrEnum):
    """How a dropped page duplicates a kept one (the `kind` column of duplicates/)."""

    EXACT = "exact"
    NEAR = "near"
    URL = "url"


@dataclass(frozen=True, slots=True)
class RawPage:
    """One input page as read from disk, before any parsing."""

    source_path: str  # the input as given; `path#record` inside containers
    data: bytes  # raw bytes, decompressed
    url: str | None = None  # from the container (WARC target URI), if any
    fetched: dt.datetime | None = None  # from the container (WARC date), if any
    # A publication date the container gives (the JSONL/Parquet date field), used only
    # when the page itself shows none: a page's own date is the better witness.
    published: str | None = None
    # SHA-256 of the file's bytes when the page is a whole local file read as stored (not
    # gzip): the input ledger's digest, taken from the bytes already in hand instead of
    # reading the file a second time at commit (ingest/ledger.py).
    file_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Extraction:
    """What an extractor found in one page: the body and the fields it could see.

    Strings are as seen on the page; `published` is the raw date text (or an
    ISO date from the HTML metadata) and is parsed by normalization.
    """

    text: str  # body paragraphs joined by one blank line
    title: str | None = None
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    section: str | None = None
    source_agency: str | None = None
    site_name: str | None = None
    url: str | None = None
    language: str | None = None  # declared by the page (html lang, og:locale)
    image_credits: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    input_chars: int = 0  # characters of visible text before cleaning
    removed_lines: tuple[str, ...] = ()  # boilerplate lines dropped (for reports)


@dataclass(frozen=True, slots=True)
class Article:
    """One row of articles/: see schemas/articles.json for each field."""

    id: str
    text: str
    title: str | None
    subtitle: str | None
    authors: tuple[str, ...]
    published: dt.datetime | None
    section: str | None
    source_agency: str | None
    site_name: str | None
    url: str | None
    domain: str | None
    language: str
    word_count: int
    image_credits: tuple[str, ...]
    related: tuple[str, ...]
    source_path: str
    source_type: str
    content_hash: str
    source_chars: int = 0
    # Staging-only, for the quality report: never columns of articles/.
    removed_lines: tuple[str, ...] = field(default=(), compare=False)
    published_dropped: str | None = None  # a date the page gave that failed the plausibility checks


@dataclass(frozen=True, slots=True)
class Reject:
    """One row of rejects/."""

    source_path: str
    reason: RejectReason
    detail: str
    source_type: str | None = None


@dataclass(frozen=True, slots=True)
class Duplicate:
    """One row of duplicates/."""

    source_path: str
    id: str  # the id the dropped page would have had
    duplicate_of: str  # id of the kept article
    kind: DuplicateKind
    similarity: float
    url: str | None = None
