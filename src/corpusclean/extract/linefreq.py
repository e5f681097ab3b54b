"""Cross-page line statistics: a line that many pages of one site share is boilerplate.

This is the CCNet idea (Wenzek et al., 2020) kept per site: menus, footers, newsletter
prompts and "Most read" headings repeat on every page of a site while article sentences
do not. Counting needs the whole batch, so the pipeline works in two passes:

    index = SiteLineIndex()
    for page in batch:                       # pass 1: count
        index.add_page(site_key(page.url, fallback=...), text)
    index.write_parquet(path)                # optional: carry the counts to later runs
    for page in batch:                       # pass 2: clean
        clean_dump(text, site_lines=index.for_site(site_key(page.url, fallback=...)))

A line is counted once per page (a menu repeated inside one page is still one page), and
a page whose exact text was already counted is skipped, so a crawl that fetched the same
article twice does not turn its paragraphs into "site boilerplate". Counts are keyed by a
64-bit BLAKE2b hash of :func:`~corpusclean.extract.residual.normalize_line`, which is stable
across processes and runs (unlike ``hash()``), so the result is deterministic.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq

from corpusclean.extract.residual import normalize_line

# Lines shorter than this (after normalization) are too generic to count: "Home", "1", "Share".
MIN_LINE_CHARS = 3
_META_KEY = b"corpusclean.site_pages"
_SCHEMA = pa.schema(
    [
        pa.field("site", pa.string(), nullable=False),
        pa.field("line_hash", pa.uint64(), nullable=False),
        pa.field("pages", pa.uint32(), nullable=False),
    ]
)


def line_hash(line: str) -> int:
    """Stable 64-bit hash of a line's normalized form; 0 for lines too short to count."""
    key = normalize_line(line)
    if len(key) < MIN_LINE_CHARS:
        return 0
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


def site_key(url: str | None, *, fallback: str) -> str:
    """The key pages are grouped by: the URL's host without "www.", else `fallback`."""
    if url:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            host = ""
        if host:
            return host.removeprefix("www.")
    return fallback


@dataclass(frozen=True, slots=True)
class SiteLineStats:
    """How many counted pages of one site contain each line."""

    site: str
    pages: int  # pages counted for the site
    counts: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))

    def page_count(self, line: str) -> int:
        """Number of counted pages of the site that contain `line` (normalized)."""
        h = line_hash(line)
        return self.counts.get(h, 0) if h else 0


class SiteLineIndex:
    """Per-site line counts built from a batch of pages; mergeable and stored as Parquet."""

    def __init__(self) -> None:
        self._counts: dict[str, dict[int, int]] = {}
        self._pages: dict[str, int] = {}
        self._seen_pages: set[bytes] = set()

    @property
    def sites(self) -> tuple[str, ...]:
        return tuple(sorted(self._pages))

    def pages(self, site: str) -> int:
        return self._pages.get(site, 0)

    def add_page(self, site: str, text: str) -> bool:
        """Count the distinct lines of one page; False if this exact page was counted before."""
        digest = hashlib.blake2b(f"{site}\n{text}".encode("utf-8", "replace"), digest_size=16).digest()
        if digest in self._seen_pages:
            return False
        self._seen_pages.add(digest)
        self._pages[site] = self._pages.get(site, 0) + 1
        counts = self._counts.setdefault(site, {})
        for h in {line_hash(line) for line in text.splitlines()}:
            if h:
                counts[h] = counts.get(h, 0) + 1
        return True

    def merge(self, other: SiteLineIndex) -> SiteLineIndex:
        """A new index with the counts of both (e.g. this run's batch and a stored file)."""
        merged = SiteLineIndex()
        for source in (self, other):
            for site, pages in source._pages.items():
                merged._pages[site] = merged._pages.get(site, 0) + pages
            for site, counts in source._counts.items():
                target = merged._counts.setdefault(site, {})
                for h, c in counts.items():
                    target[h] = target.get(h, 0) + c
            merged._seen_pages |= source._seen_pages
        return merged

    def for_site(self, site: str) -> SiteLineStats:
        """The read-only stats of one site (empty if the site was never counted)."""
        return SiteLineStats(site, self._pages.get(site, 0), MappingProxyType(self._counts.get(site, {})))

    def to_table(self, *, min_pages: int = 2) -> pa.Table:
        """Rows (site, line_hash, pages) for lines on at least `min_pages` pages, sorted."""
        sites: list[str] = []
        hashes: list[int] = []
        pages: list[int] = []
        for site in sorted(self._counts):
            for h, c in sorted(self._counts[site].items()):
                if c >= min_pages:
                    sites.append(site)
                    hashes.append(h)
                    pages.append(c)
        meta = {_META_KEY: json.dumps(dict(sorted(self._pages.items()))).encode()}
        return pa.table([sites, hashes, pages], schema=_SCHEMA.with_metadata(meta))

    def write_parquet(self, path: str | Path, *, min_pages: int = 2) -> None:
        """Persist the counts; lines on fewer than `min_pages` pages are left out to stay small.

        Leaving them out means a later merge undercounts such lines by at most
        `min_pages - 1` each, a price paid for a file that does not grow with every sentence
        ever crawled.
        """
        pq.write_table(self.to_table(min_pages=min_pages), str(path), compression="zstd")

    @classmethod
    def read_parquet(cls, path: str | Path) -> SiteLineIndex:
        table = pq.read_table(str(path))
        index = cls()
        meta = table.schema.metadata or {}
        for site, pages in json.loads(meta.get(_META_KEY, b"{}")).items():
            index._pages[str(site)] = int(pages)
        columns = table.to_pydict()
        for site, h, c in zip(columns["site"], columns["line_hash"], columns["pages"], strict=True):
            index._counts.setdefault(site, {})[int(h)] = int(c)
        return index

    @classmethod
    def from_pages(cls, pages: Iterable[tuple[str, str]]) -> SiteLineIndex:
        """Pass 1 over (site key, text) pairs."""
        index = cls()
        for site, text in pages:
            index.add_page(site, text)
        return index
