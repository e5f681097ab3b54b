"""Container inputs: WARC(.gz), JSONL(.gz), Parquet planning and reading, corrupt records, units."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from corpusclean.config import BuildConfig, IngestConfig, Limits, load_config
from corpusclean.ingest.containers import container_kind
from corpusclean.ingest.files import expand_inputs
from corpusclean.ingest.sources import Unit, iter_unit, plan_units, skipped_records
from corpusclean.ingest.warc import gzip_member, warc_other_record, warc_record
from corpusclean.records import RawPage, Reject, RejectReason

FETCHED = "2025-03-04T05:06:07Z"


def _html(i: int) -> bytes:
    return f"<html><body><p>Story number {i} about the harbour.</p></body></html>".encode()


def _response(i: int, **kw: object) -> bytes:
    return warc_record(f"https://news.example/story-{i}", FETCHED, _html(i), **kw)  # type: ignore[arg-type]


def _read(path: Path, config: BuildConfig | None = None) -> tuple[list[Unit], list[RawPage | Reject]]:
    config = config or BuildConfig()
    units = plan_units([str(path)], config)
    return units, [page for unit in units for page in iter_unit(unit, config)]


def _urls(pages: list[RawPage | Reject]) -> list[str | None]:
    return [p.url if isinstance(p, RawPage) else p.reason.value for p in pages]


def _write_warc_gz(path: Path, records: list[bytes], damage: dict[int, str] | None = None) -> list[int]:
    """Records as one gzip member each; `damage` breaks chosen members. Returns member offsets."""
    blob = bytearray()
    offsets = []
    for i, record in enumerate(records):
        member = bytearray(gzip_member(record))
        how = (damage or {}).get(i)
        if how == "deflate":  # bytes overwritten in the compressed data
            member[20:40] = b"\x00" * 20
        elif how == "truncate":  # the member is cut in half
            member = member[: len(member) // 2]
        elif how == "garbage":  # junk that is not gzip at all in front of the member
            member = bytearray(b"junk bytes, not gzip") + member
        offsets.append(len(blob))
        blob += member
    path.write_bytes(bytes(blob))
    return offsets


def test_container_kind_by_name() -> None:
    assert container_kind("crawl/CC-MAIN-1.warc.gz") == "warc"
    assert container_kind("x.WARC") == "warc"
    assert container_kind("s3://bucket/dump.jsonl.gz") == "jsonl"
    assert container_kind("rows.parquet") == "parquet"
    assert container_kind("page.html.gz") is None
    assert container_kind("notes.txt") is None


def test_warc_pages_carry_url_and_fetch_date_and_skips_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    records = [
        warc_other_record("warcinfo", "", FETCHED, b"software: test\r\n"),
        warc_other_record("request", "https://news.example/story-0", FETCHED, b"GET / HTTP/1.1\r\n\r\n"),
        _response(0),
        _response(1, status=404),
        _response(2, content_type="image/png"),
        _response(3, content_type="application/xhtml+xml"),
        warc_other_record("metadata", "https://news.example/story-3", FETCHED, b"fetchTimeMs: 3\r\n"),
    ]
    offsets = _write_warc_gz(path, records)
    units, pages = _read(path)
    assert all(isinstance(p, RawPage) for p in pages)
    assert [p.source_path for p in pages] == [f"{path}#{offsets[2]}", f"{path}#{offsets[5]}"]
    assert _urls(pages) == ["https://news.example/story-0", "https://news.example/story-3"]
    assert isinstance(pages[0], RawPage) and pages[0].data == _html(0)
    assert pages[0].fetched == dt.datetime(2025, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    assert [u.count for u in units] == [2]
    assert skipped_records(units) == {str(path): {"not_200": 1, "not_html": 1, "not_response": 3}}


@pytest.mark.parametrize("damage", ["deflate", "truncate", "garbage"])
def test_a_corrupt_gzip_member_costs_one_record(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "crawl.warc.gz"
    offsets = _write_warc_gz(path, [_response(i) for i in range(6)], {2: damage})
    units, pages = _read(path)
    # Junk in front of a member is the corrupt "record"; the member after it is whole and kept.
    kept = range(6) if damage == "garbage" else (0, 1, 3, 4, 5)
    want = [f"https://news.example/story-{i}" for i in kept]
    want.insert(2, "corrupt_record")
    assert _urls(pages) == want
    bad = pages[2]
    assert isinstance(bad, Reject) and bad.source_path == f"{path}#{offsets[2]}"
    assert f"byte offset {offsets[2]}" in bad.detail
    assert sum(u.count for u in units) == len(want)


def test_wrong_content_length_is_corrupt_and_swallows_nothing(tmp_path: Path) -> None:
    records = [_response(i) for i in range(4)]
    records[1] = records[1].replace(b"Content-Length: ", b"Content-Length: 9", 1)  # claims far more bytes
    gz = tmp_path / "crawl.warc.gz"
    _write_warc_gz(gz, records)
    plain = tmp_path / "crawl.warc"
    plain.write_bytes(b"".join(records))
    for path in (gz, plain):
        _, pages = _read(path)
        assert _urls(pages) == [
            "https://news.example/story-0",
            "corrupt_record",
            "https://news.example/story-2",
            "https://news.example/story-3",
        ], path


def test_plain_warc_with_a_broken_header_resumes_at_the_next_record(tmp_path: Path) -> None:
    records = [_response(i) for i in range(4)]
    records[2] = b"XARC/1.1" + records[2][8:]
    path = tmp_path / "crawl.warc"
    path.write_bytes(b"".join(records))
    _, pages = _read(path)
    assert _urls(pages) == [
        "https://news.example/story-0",
        "https://news.example/story-1",
        "corrupt_record",
        "https://news.example/story-3",
    ]
    assert pages[2].source_path == f"{path}#{len(records[0]) + len(records[1])}"


def test_a_member_holding_several_records_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(b"".join(_response(i) for i in range(3)), mtime=0))
    _, pages = _read(path)
    assert len(pages) == 1 and isinstance(pages[0], Reject)
    assert "more than one WARC record" in pages[0].detail


def test_oversized_warc_page_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    big = warc_record("https://news.example/big", FETCHED, b"<html>" + b"x" * 5000 + b"</html>")
    _write_warc_gz(path, [big, _response(1)])
    config = BuildConfig(limits=Limits(max_page_bytes=1000))
    _, pages = _read(path, config)
    assert _urls(pages) == ["too_large", "https://news.example/story-1"]


@pytest.mark.parametrize("name", ["crawl.warc.gz", "crawl.warc"])
def test_units_split_a_warc_and_together_read_it_exactly_once(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    records = []
    for i in range(23):
        records.append(_response(i, status=301) if i % 5 == 0 else _response(i))
    damage = {7: "deflate"} if name.endswith(".gz") else None
    if name.endswith(".gz"):
        _write_warc_gz(path, records, damage)
    else:
        path.write_bytes(b"".join(records))
    whole, _ = _read(path, BuildConfig(shard_size=1000))
    units, pages = _read(path, BuildConfig(shard_size=4))
    assert len(whole) == 1
    assert [u.count for u in units] == [4, 4, 4, 4, 2]
    assert units[0].offset == 0 and all(a.end == b.offset for a, b in itertools.pairwise(units))
    assert units[-1].end == -1
    all_pages = [p for unit in whole for p in iter_unit(unit, BuildConfig())]
    assert [p.source_path for p in pages] == [p.source_path for p in all_pages]
    assert len(pages) == 18
    assert sum(n for u in units for _, n in u.skipped) == 5


def _jsonl_lines() -> list[str]:
    return [
        json.dumps({"url": "https://a.example/1", "html": "<html><p>one</p></html>", "date": "2025-01-02"}),
        json.dumps({"url": "https://a.example/2", "text": "A text dump line.", "date": "2025-01-03"}),
        "   ",
        json.dumps({"url": "https://a.example/3", "title": "no body"}),
        '{"url": "https://a.example/4", "html": "<p>cut',
        json.dumps(["a", "list"]),
        json.dumps({"html": "<p>both</p>", "text": "ignored", "url": 7}),
    ]


@pytest.mark.parametrize("gzipped", [False, True])
def test_jsonl_records_by_field_and_bad_lines_as_rejects(tmp_path: Path, gzipped: bool) -> None:
    text = "\n".join(_jsonl_lines()) + "\n"
    path = tmp_path / ("dump.jsonl.gz" if gzipped else "dump.jsonl")
    path.write_bytes(gzip.compress(text.encode(), mtime=0) if gzipped else text.encode())
    units, pages = _read(path)
    assert [p.source_path.rsplit("#", 1)[1] for p in pages] == ["1", "2", "4", "5", "6", "7"]
    first, second, no_body, cut, not_object, both = pages
    assert isinstance(first, RawPage) and first.data == b"<html><p>one</p></html>"
    assert first.url == "https://a.example/1" and first.published == "2025-01-02"
    assert isinstance(second, RawPage) and second.data == b"A text dump line." and second.published == "2025-01-03"
    for bad in (no_body, cut, not_object):
        assert isinstance(bad, Reject) and bad.reason is RejectReason.CORRUPT_RECORD
    assert isinstance(both, RawPage) and both.data == b"<p>both</p>" and both.url is None
    assert skipped_records(units) == {str(path): {"blank_line": 1}}


@pytest.mark.parametrize("gzipped", [False, True])
def test_jsonl_units_seek_to_their_lines(tmp_path: Path, gzipped: bool) -> None:
    lines = [json.dumps({"url": f"https://a.example/{i}", "text": f"page {i}"}) if i % 4 else "" for i in range(30)]
    text = "\n".join(lines)  # no newline after the last line
    path = tmp_path / ("dump.jsonl.gz" if gzipped else "dump.jsonl")
    path.write_bytes(gzip.compress(text.encode(), mtime=0) if gzipped else text.encode())
    units, pages = _read(path, BuildConfig(shard_size=5))
    assert [u.count for u in units] == [5, 5, 5, 5, 2]
    want = [f"https://a.example/{i}" for i in range(30) if i % 4]
    assert [p.url for p in pages if isinstance(p, RawPage)] == want
    assert [p.source_path for p in pages] == [f"{path}#{i + 1}" for i in range(30) if i % 4]


def test_jsonl_field_names_come_from_the_config(tmp_path: Path) -> None:
    path = tmp_path / "c4.jsonl"
    path.write_text(json.dumps({"link": "https://b.example/x", "content": "Body text.", "timestamp": "2024-05-06"}))
    ingest = IngestConfig(url_field="link", text_field="content", date_field="timestamp")
    _, pages = _read(path, BuildConfig(ingest=ingest))
    assert isinstance(pages[0], RawPage)
    assert (pages[0].url, pages[0].data, pages[0].published) == ("https://b.example/x", b"Body text.", "2024-05-06")


def test_jsonl_overlong_line_is_too_large_and_the_next_line_is_read(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    huge = json.dumps({"html": "<p>" + "x" * 10_000 + "</p>"})
    path.write_text(huge + "\n" + json.dumps({"text": "small"}) + "\n")
    _, pages = _read(path, BuildConfig(limits=Limits(max_page_bytes=1000)))
    assert _urls(pages)[0] == "too_large"
    assert isinstance(pages[1], RawPage) and pages[1].data == b"small"


def test_parquet_rows_in_units_by_row_group(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    n = 25
    table = pa.table(
        {
            "url": [f"https://p.example/{i}" for i in range(n)],
            "html": [None if i % 6 == 0 else f"<p>row {i}</p>" for i in range(n)],
            "text": [None if i % 12 == 0 else f"row {i}" for i in range(n)],
            "date": [dt.datetime(2025, 1, 1 + i % 28) for i in range(n)],
        }
    )
    pq.write_table(table, path, row_group_size=7)
    units, pages = _read(path, BuildConfig(shard_size=10))
    assert [(u.start, u.count) for u in units] == [(0, 10), (10, 10), (20, 5)]
    assert [p.source_path for p in pages] == [f"{path}#{i}" for i in range(n)]
    assert pages[1] == RawPage(f"{path}#1", b"<p>row 1</p>", url="https://p.example/1", published="2025-01-02T00:00:00")
    assert isinstance(pages[6], RawPage) and pages[6].data == b"row 6"  # no HTML: the text
    assert isinstance(pages[12], Reject) and pages[12].reason is RejectReason.CORRUPT_RECORD  # neither


def test_parquet_without_body_columns_and_not_parquet_are_rejects(tmp_path: Path) -> None:
    path = tmp_path / "meta.parquet"
    pq.write_table(pa.table({"url": ["https://p.example/a", "https://p.example/b"]}), path)
    _, pages = _read(path)
    assert [(p.source_path, p.reason.value) for p in pages if isinstance(p, Reject)] == [
        (f"{path}#0", "corrupt_record"),
        (f"{path}#1", "corrupt_record"),
    ]
    fake = tmp_path / "fake.parquet"
    fake.write_text("not parquet at all")
    _, pages = _read(fake)
    assert len(pages) == 1 and isinstance(pages[0], Reject) and pages[0].source_path == str(fake)


def test_unreadable_container_is_one_read_error(tmp_path: Path) -> None:
    path = tmp_path / "gone.warc.gz"
    units = plan_units([str(path)], BuildConfig())
    pages = [p for unit in units for p in iter_unit(unit, BuildConfig())]
    assert len(pages) == 1 and isinstance(pages[0], Reject) and pages[0].reason is RejectReason.READ_ERROR


def test_file_urls_are_local_paths(tmp_path: Path) -> None:
    (tmp_path / "a.warc.gz").write_bytes(b"")
    (tmp_path / "b.jsonl").write_text("")
    (tmp_path / "c.parquet").write_bytes(b"")
    found = expand_inputs([f"file://{tmp_path}"], BuildConfig().include)
    assert found.paths == tuple(str(tmp_path / n) for n in ("a.warc.gz", "b.jsonl", "c.parquet"))


def test_ingest_section_of_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[ingest]\nhtml_field = "raw_html"\ndate_field = "published"\n')
    config = load_config(path)
    assert config.ingest == IngestConfig(html_field="raw_html", date_field="published")
