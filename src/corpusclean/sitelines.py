"""Per-site line counts for the text-dump cleaner: within a run and across runs.

The cleaner drops a line the model is not sure about when it appears on at least
`DumpCleanConfig.site_min_pages` pages of the same site (menus, footers, promo lines: the
CCNet idea, see :mod:`corpusclean.extract.linefreq`). The counts come from two places:

- this run: before extraction, the run's text-dump pages are read once more and their
  distinct lines counted per site. Only a sample is counted (the first SAMPLE_PER_SITE
  pages of each site in input order, at most SAMPLE_TOTAL pages in all, found among the
  first SCAN_LIMIT pages of the run): a site's furniture is on nearly every page, so a
  hundred pages find it, and the pass stays a bounded cost however large the run is. Page
  files that open with markup are passed over after reading their first bytes, so an HTML
  run pays next to nothing for it;
- earlier runs: each committed run stores the lines its sample saw on two or more pages
  (``sitelines/part-<run_id>.parquet``, listed in the run's manifest like every other
  file), and the next run adds them to its own counts. A small daily run is cleaned with
  what the bigger runs before it learned about its sites.

A page's site is the host of its URL (without "www."); a page without a URL (a dump file
on its own) counts under the folder it was read from, as the input named it (the same
form as its source_path), since a folder of dumps is normally one crawl of one site.
Everything here is deterministic: the sample is taken in the plan's order, and the counts
do not depend on the number of workers.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from corpusclean.config import BuildConfig
from corpusclean.extract.linefreq import SiteLineIndex, SiteLineStats, site_key
from corpusclean.ingest.sniff import Decoded, decode, looks_binary, sniff_type
from corpusclean.ingest.sources import Unit, iter_unit
from corpusclean.records import RawPage, SourceType

STORE_DIR = "sitelines"
RUN_FILE = "sitelines.parquet"  # in the run's staging folder: stored counts + this run's sample
SAMPLE_PER_SITE = 100
SAMPLE_TOTAL = 20_000
SCAN_LIMIT = 100_000  # pages looked at, at most, to find the sample
_MARKUP_START = (b"<", b"\xef\xbb\xbf<")
_PEEK_BYTES = 512


def page_site(raw: RawPage) -> str:
    """The key a page's lines are counted under: its URL's host, else its folder."""
    path = raw.source_path.split("#", 1)[0]
    # The folder as the input named it, like source_path: the same inputs give the same keys
    # (and files) wherever the build runs from.
    return site_key(raw.url, fallback="dir:" + os.path.normpath(os.path.dirname(path)))


def dump_text(raw: RawPage) -> str | None:
    """The page's text when extraction will treat it as a text dump, else None.

    Pages that open with markup are passed over without decoding (the cheap test that keeps
    this pass from paying for HTML pages); the rest are decoded and sniffed as process_page
    does.
    """
    data = raw.data
    if data.lstrip()[:4].startswith(_MARKUP_START) or not data.strip() or looks_binary(data):
        return None
    decoded = decode(data)
    if not isinstance(decoded, Decoded) or sniff_type(decoded.text) is not SourceType.TEXT:
        return None
    return decoded.text


def _opens_with_markup(path: str) -> bool:
    """True when a local page file visibly starts with markup (False when unsure: it is then read)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_PEEK_BYTES)
    except OSError:
        return False
    return head.lstrip()[:4].startswith(_MARKUP_START)


def scan_pages(units: Iterable[Unit], config: BuildConfig) -> Iterator[RawPage]:
    """The pages of a run's units in order, for the sample: read errors are left to extraction,
    and page files that open with markup are not read past their first bytes."""
    for unit in units:
        if unit.kind == "page" and os.path.isfile(unit.path) and _opens_with_markup(unit.path):
            continue
        for page in iter_unit(unit, config):
            if isinstance(page, RawPage):
                yield page


def sample_counts(pages: Iterable[RawPage]) -> SiteLineIndex:
    """Line counts over a bounded sample of the text-dump pages (see the module docstring)."""
    index = SiteLineIndex()
    taken = 0
    for seen, raw in enumerate(pages):
        if taken >= SAMPLE_TOTAL or seen >= SCAN_LIMIT:
            break
        site = page_site(raw)
        if index.pages(site) >= SAMPLE_PER_SITE:
            continue
        text = dump_text(raw)
        if text is not None and index.add_page(site, text):
            taken += 1
    return index


def stored_files(root: Path) -> list[Path]:
    """The stored parts of committed runs (a quarantined run's part lies under quarantine/)."""
    folder = root / STORE_DIR
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def stored_counts(files: Sequence[Path]) -> SiteLineIndex:
    """The counts of earlier runs: the sum of their stored parts."""
    index = SiteLineIndex()
    for path in sorted(files):
        index = index.merge(SiteLineIndex.read_parquet(path))
    return index


@functools.lru_cache(maxsize=2)
def _load(path: str, mtime_ns: int) -> SiteLineIndex:
    return SiteLineIndex.read_parquet(path)


class SiteLines:
    """What a worker looks site counts up in: the run's counts file, read once per process."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = None if path is None else str(path)

    def for_page(self, raw: RawPage) -> SiteLineStats | None:
        if self.path is None or not os.path.exists(self.path):
            return None
        index = _load(self.path, os.stat(self.path).st_mtime_ns)
        stats = index.for_site(page_site(raw))
        return stats if stats.counts else None


def prepare(pages: Iterable[RawPage], stored: Sequence[Path], staging: Path, run_id: str) -> tuple[Path, str | None]:
    """Count the run's sample, write the counts the workers read, and this run's part to store.

    Returns the workers' counts file (stored parts + this run's sample) and the staged path of
    the run's own part, relative to `staging` (None when the sample repeated no line).
    """
    run = sample_counts(pages)
    merged = stored_counts(stored).merge(run)
    staging.mkdir(parents=True, exist_ok=True)
    counts_path = staging / RUN_FILE
    merged.write_parquet(counts_path)
    part = run.to_table()
    if part.num_rows == 0:
        return counts_path, None
    rel = f"{STORE_DIR}/part-{run_id}.parquet"
    (staging / STORE_DIR).mkdir(parents=True, exist_ok=True)
    run.write_parquet(staging / rel)
    return counts_path, rel
