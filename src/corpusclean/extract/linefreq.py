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
64-bit hash of the line's casefolded word characters (see line_hash), which is stable
across processes and runs (unlike ``hash()``), so the result is deterministic.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

# Lines with fewer word characters than this are too generic to count: "1", "OK", "»".
MIN_LINE_CHARS = 3
_META_KEY = b"corpusclean.site_pages"
_SCHEMA = pa.schema(
    [
        pa.field("site", pa.string(), nullable=False),
        pa.field("line_hash", pa.uint64(), nullable=False),
        pa.field("pages", pa.uint32(), nullable=False),
    ]
)
_BMP = 0x10000
_MASK = (1 << 64) - 1
# The hash is a polynomial over the line's casefolded word characters (FNV's 64-bit prime as
# the base), finished with splitmix64. It is written twice: in numpy over a whole page at
# once (line_hashes, what the pipeline runs: ~30x faster than hashing line by line with
# BLAKE2b over normalize_line, measured on the text-dump set) and in plain Python
# (line_hash, the reference the tests hold the numpy version to). Both give the same
# number in every process and run, unlike hash().
_BASE = 0x100000001B3
U64 = npt.NDArray[np.uint64]


@functools.cache
def fold_table() -> npt.NDArray[np.int64]:
    """Per BMP code point: its casefolded code point when that is a word character (str.isalnum),
    0 when it is not, -1 when it casefolds to more than one character ("ß" -> "ss")."""
    table = np.zeros(_BMP, dtype=np.int64)
    for c in range(_BMP):
        folded = chr(c).casefold()
        if len(folded) != 1:
            table[c] = -1
        elif folded.isalnum():
            table[c] = ord(folded)
    return table


def _mix(z: int) -> int:
    z = (z + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _mix_array(z: U64) -> U64:
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    out: U64 = z ^ (z >> np.uint64(31))
    return out


def line_hash(line: str) -> int:
    """Stable 64-bit hash of a line's casefolded word characters; 0 for lines with too few to count."""
    codes = [ord(f) for c in line for f in c.casefold() if f.isalnum()]
    if len(codes) < MIN_LINE_CHARS:
        return 0
    h = 0
    for code in codes:
        h = (h * _BASE + code + 1) & _MASK
    return _mix(h ^ len(codes)) or 1


def line_hashes(lines: Sequence[str]) -> U64:
    """line_hash of every line (none may hold a newline), computed over all of them at once."""
    n = len(lines)
    out: U64 = np.zeros(n, dtype=np.uint64)
    if n == 0:
        return out
    joined = "\n".join(lines)
    cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lens = np.fromiter(map(len, lines), dtype=np.int64, count=n)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lens[:-1] + 1, out=starts[1:])
    folded = fold_table()[np.minimum(cp, _BMP - 1)]
    folded[cp >= _BMP] = -1  # past the BMP: left to the reference below
    folded[cp == 10] = 0
    word = folded > 0
    # Each word character's place from the end of its line's word characters gives its power of the base.
    line_of = np.repeat(np.arange(n, dtype=np.int64), lens + 1)[: cp.shape[0]]
    count = np.bincount(line_of[word], minlength=n)
    rank = np.cumsum(word) - 1  # rank among all word characters of the page
    first = np.zeros(n, dtype=np.int64)
    np.cumsum(count[:-1], out=first[1:])
    exponent = (count[line_of] - 1 - (rank - first[line_of]))[word]
    longest = int(count.max())
    powers = np.ones(max(longest, 1), dtype=np.uint64)
    sums = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        if longest > 1:
            powers[1:] = np.cumprod(np.full(longest - 1, _BASE, dtype=np.uint64))
        terms = (folded[word].astype(np.uint64) + np.uint64(1)) * powers[exponent]
        has = count > 0
        if has.any():  # a line's word characters are contiguous in `terms`
            sums[has] = np.add.reduceat(terms, first[has])
    out = _mix_array(sums ^ count.astype(np.uint64))
    out[out == 0] = np.uint64(1)
    out[count < MIN_LINE_CHARS] = np.uint64(0)
    irregular = np.bincount(line_of[folded < 0], minlength=n) > 0
    for i in np.flatnonzero(irregular).tolist():
        out[i] = np.uint64(line_hash(lines[i]))
    return out


def page_line_hashes(text: str) -> list[int]:
    """The distinct non-zero line hashes of a page, sorted: what one page adds to the counts."""
    lines = [line.strip() for line in text.splitlines()]
    return sorted({h for h in line_hashes([line for line in lines if line]).tolist() if h})


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
        """Number of counted pages of the site that contain `line` (by its word characters)."""
        h = line_hash(line)
        return self.counts.get(h, 0) if h else 0

    def page_counts(self, lines: Sequence[str]) -> list[int]:
        """page_count of each line, hashed all at once."""
        if not self.counts:
            return [0] * len(lines)
        get = self.counts.get
        return [get(h, 0) if h else 0 for h in line_hashes(lines).tolist()]


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
        self.add_hashes(site, page_line_hashes(text))
        return True

    def add_hashes(self, site: str, hashes: Iterable[int]) -> None:
        """Count one page given the distinct line hashes of its lines (see page_line_hashes)."""
        self._pages[site] = self._pages.get(site, 0) + 1
        counts = self._counts.setdefault(site, {})
        for h in hashes:
            counts[h] = counts.get(h, 0) + 1

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
