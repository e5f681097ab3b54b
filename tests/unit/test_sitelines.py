"""Per-site line counts of a run and of earlier runs, as the pipeline prepares them."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpusclean import sitelines
from corpusclean.extract.linefreq import SiteLineIndex
from corpusclean.records import RawPage

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
