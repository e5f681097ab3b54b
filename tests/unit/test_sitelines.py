"""Per-site line counts of a run and of earlier runs, as the pipeline prepares them."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpusclean import sitelines
from corpusclean.config import BuildConfig
from corpusclean.extract.linefreq import SiteLineIndex
from corpusclean.ingest.sources import Unit, iter_unit
from corpusclean.records import RawPage, Reject

FOOTER = "The Tri-County Herald is published by Norvane Media Group, a family-owned company since 1952"


def _dump(i: int) -> bytes:
    body = "\n\n".join(
        f"Paragraph {j} of story {i}: the county board met on Tuesday and voted {j + i} to {i} on the mill plan."
        for j in range(3)
    )
    return f"Home\nNews\nSports\n\n{body}\n\n{FOOTER}\n".encode()


def _page(i: int, url: str | None = "https://www.herald.example/news/{i}") -> RawPage:
    return RawPage(f"/crawl/herald/{i}.txt", _dump(i), url.format(i=i) if url else None)


def test_pages_are_counted_by_host_or_folder() -> None:
    assert sitelines.page_site(_page(1)) == "herald.example"
    assert sitelines.page_site(_page(1, url=None)) == "dir:/crawl/herald"
    assert sitelines.page_site(RawPage("/crawl/a.warc.gz#12", b"", None)) == "dir:/crawl"


def test_only_text_dumps_are_counted() -> None:
    html = RawPage("/crawl/herald/x.html", b"<html><body><p>" + FOOTER.encode() + b"</p></body></html>")
    assert sitelines.dump_text(html) is None
    assert sitelines.dump_text(RawPage("/crawl/x.txt", b"\x89PNG\r\n\x1a\n....")) is None
    assert sitelines.dump_text(_page(1)) is not None
    index = sitelines.sample_counts([html, _page(1), _page(2)])
    assert index.for_site("herald.example").page_count(FOOTER) == 2
    assert index.pages("dir:/crawl/herald") == 0


def test_the_sample_is_bounded_per_site(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitelines, "SAMPLE_PER_SITE", 3)
    index = sitelines.sample_counts(_page(i) for i in range(10))
    assert index.pages("herald.example") == 3
    assert index.for_site("herald.example").page_count(FOOTER) == 3


def test_prepare_adds_earlier_runs_and_stages_this_runs_part(tmp_path: Path) -> None:
    earlier = tmp_path / "part-old.parquet"
    SiteLineIndex.from_pages([("herald.example", _dump(i).decode()) for i in range(100, 104)]).write_parquet(earlier)
    staging = tmp_path / "staging"
    counts, part = sitelines.prepare([_page(1), _page(2)], [earlier], staging, "run7")
    assert part == "sitelines/part-run7.parquet"
    assert SiteLineIndex.read_parquet(staging / part).for_site("herald.example").page_count(FOOTER) == 2
    lookup = sitelines.SiteLines(counts)
    stats = lookup.for_page(_page(1))
    assert stats is not None and stats.page_count(FOOTER) == 6
    assert lookup.for_page(_page(1, url="https://elsewhere.example/{i}")) is None
    # A run whose sample repeats nothing stages no part.
    assert sitelines.prepare([_page(1)], [], tmp_path / "s2", "run8")[1] is None


def test_the_scan_reads_text_dumps_and_only_the_head_of_markup_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.html").write_bytes(b"  <!doctype html><html><body>" + FOOTER.encode() * 2000 + b"</body></html>")
    (tmp_path / "b.txt").write_bytes(_dump(1))
    (tmp_path / "c.txt.gz").write_bytes(gzip.compress(_dump(2)))  # compressed: read to see what it is
    (tmp_path / "d.txt").write_bytes(b"")
    units = [Unit(str(tmp_path / name)) for name in ("a.html", "b.txt", "c.txt.gz", "d.txt", "missing.txt")]
    read: list[str] = []

    def recording_iter_unit(unit: Unit, config: BuildConfig) -> Iterator[RawPage | Reject]:
        read.append(Path(unit.path).name)
        return iter_unit(unit, config)

    monkeypatch.setattr(sitelines, "iter_unit", recording_iter_unit)
    pages = list(sitelines.scan_pages(units, BuildConfig()))
    assert [Path(p.source_path).name for p in pages] == ["b.txt", "c.txt.gz", "d.txt"]
    assert "a.html" not in read and "missing.txt" in read  # a read error is left to extraction
    index = sitelines.sample_counts(pages)
    assert index.for_site(sitelines.page_site(pages[0])).page_count(FOOTER) == 2


def test_the_scan_stops_after_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitelines, "SCAN_LIMIT", 4)
    html = RawPage("/crawl/herald/x.html", b"<html><body><p>x</p></body></html>")
    index = sitelines.sample_counts([html, html, html, _page(1), _page(2), _page(3)])
    assert index.pages("herald.example") == 1
