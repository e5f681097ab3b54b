"""`corpusclean build` on WARC, JSONL and Parquet inputs, local and on an S3-compatible server.

Every record is accounted for (article, duplicate or reject row under its
`path#record` source path, skipped records counted on the plan), container
URLs land normalized in articles.url, the WARC fetch date stays provenance
(published comes from the page), and a JSONL date is used only for a page
that shows none.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from corpusclean.cli import main
from corpusclean.config import BuildConfig
from corpusclean.ingest.sources import skipped_records
from corpusclean.ingest.warc import gzip_member, warc_other_record, warc_record
from corpusclean.normalize import canonical_url
from corpusclean.pipeline import build, plan_run
from corpusclean.synth import article_html, write_pages

FETCHED = "2025-09-01T02:03:04Z"
LOCKS_DUMP = "\n".join(
    [
        "Skip to content",
        "Riverside Gazette",
        "Home",
        "News",
        "Sport",
        "NEWS",
        "Footbridge at Alder Mill to reopen after flood repairs",
        "By Hal Brennan",
        "Share",
        "",
        "The footbridge at Alder Mill will reopen to walkers on Saturday, ten months after the winter floods "
        "washed away two of its timber spans and left the riverside path cut in half.",
        "",
        "Engineers from the county rebuilt the spans on new stone piers set a metre higher than the old ones, "
        "and the handrails were made by students at the technical college in Wexbury.",
        "",
        "The parish council will mark the reopening with a short walk from the mill car park at ten o'clock, "
        "followed by tea and cake in the scout hut beside the weir.",
        "",
        "Most read",
        "Allotment prize marrow stolen",
        "© 2025 Riverside Gazette",
    ]
)


def _url(i: int) -> str:
    # Upper-case host and a tracking parameter: articles.url must hold the normalized form.
    return f"HTTPS://WWW.Harbour-Post.example/news/story-{i}?utm_source=feed&utm_medium=rss"


def _write_inputs(folder: Path) -> dict[str, str]:
    """A WARC, a JSONL and a Parquet file; returns source path (relative to folder) -> expected outcome."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}
    records: list[tuple[bytes, str | None]] = [
        (warc_other_record("warcinfo", "", FETCHED, b"software: test\r\n"), None),
        (warc_other_record("request", _url(0), FETCHED, b"GET / HTTP/1.1\r\n\r\n"), None),
        (warc_record(_url(0), FETCHED, article_html(9, 0).encode()), "article"),
        (warc_record(_url(1), FETCHED, article_html(9, 1).encode()), "article"),
        (warc_record(_url(2), FETCHED, b"", status=302), None),
        (warc_record(_url(3), FETCHED, b"\x89PNG....", content_type="image/png"), None),
        (warc_record(_url(4), FETCHED, article_html(9, 4).encode()), "reject"),  # corrupted below
        (warc_record(_url(5), FETCHED, article_html(9, 5).encode()), "article"),
        (warc_record(_url(6), FETCHED, article_html(9, 0).encode()), "duplicate"),  # story 0 again
    ]
    blob = bytearray()
    for i, (record, outcome) in enumerate(records):
        member = bytearray(gzip_member(record))
        if i == 6:
            member[30:60] = b"\x00" * 30
        if outcome is not None:
            expected[f"crawl.warc.gz#{len(blob)}"] = outcome
        blob += member
    (folder / "crawl.warc.gz").write_bytes(bytes(blob))

    lines = [
        json.dumps({"url": _url(10), "html": article_html(9, 10), "date": "2001-01-01"}),
        json.dumps(
            {"url": "https://riverside-gazette.example/news/footbridge", "text": LOCKS_DUMP, "date": "2025-08-30"}
        ),
        "",
        "{not json",
        json.dumps({"url": _url(12), "title": "no body"}),
    ]
    (folder / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected.update(
        {
            "export.jsonl#1": "article",
            "export.jsonl#2": "article",
            "export.jsonl#4": "reject",
            "export.jsonl#5": "reject",
        }
    )

    table = pa.table(
        {
            "url": [_url(20), _url(21), _url(22)],
            "html": [article_html(9, 20), article_html(9, 21), None],
            "text": [None, None, None],
        }
    )
    pq.write_table(table, folder / "rows.parquet", row_group_size=2)
    expected.update({"rows.parquet#0": "article", "rows.parquet#1": "article", "rows.parquet#2": "reject"})
    return expected


def _tables(out: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    articles = pl.read_parquet(out / "articles" / "**" / "*.parquet", hive_partitioning=False)
    return articles, pl.read_parquet(out / "duplicates" / "*.parquet"), pl.read_parquet(out / "rejects" / "*.parquet")


def _outcomes(out: Path, prefix: str) -> dict[str, str]:
    articles, dups, rejects = _tables(out)
    seen: dict[str, str] = {}
    for name, frame in (("article", articles), ("duplicate", dups), ("reject", rejects)):
        for path in frame["source_path"]:
            assert path not in seen, path
            seen[path.removeprefix(prefix)] = name
    return seen


def test_build_on_warc_jsonl_and_parquet(tmp_path: Path) -> None:
    expected = _write_inputs(tmp_path / "in")
    out = tmp_path / "data"
    result = CliRunner().invoke(main, ["build", str(tmp_path / "in"), "--out", str(out), "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    assert _outcomes(out, f"{tmp_path / 'in'}/") == expected

    articles, _, rejects = _tables(out)
    rows = {r["source_path"].rsplit("/", 1)[1]: r for r in articles.iter_rows(named=True)}
    for key, row in rows.items():
        if "footbridge" not in (row["url"] or ""):
            assert row["url"] == canonical_url(_url(int(row["url"].rsplit("-", 1)[1])))
            assert "utm_" not in row["url"] and row["url"].startswith("https://www.harbour-post.example/"), key
    # WARC fetch date (2025-09-01) is provenance: published is the page's own date.
    warc_first = next(r for k, r in rows.items() if k.startswith("crawl.warc.gz#"))
    assert warc_first["published"].date() == dt.date(2024, 1, 1)
    # The JSONL date is used only when the page has none.
    assert rows["export.jsonl#1"]["published"].date() == dt.date(2024, 1, 11)
    assert rows["export.jsonl#2"]["published"].date() == dt.date(2025, 8, 30)
    assert rows["export.jsonl#2"]["source_type"] == "text"
    assert set(rejects["reason"]) == {"corrupt_record"}
    corrupt = rejects.filter(pl.col("source_path").str.contains("crawl.warc.gz#"))
    offset = corrupt["source_path"][0].rsplit("#", 1)[1]
    assert f"byte offset {offset}" in corrupt["detail"][0]


def test_plan_reports_skipped_records_and_splits_containers(tmp_path: Path) -> None:
    _write_inputs(tmp_path / "in")
    plan = plan_run([str(tmp_path / "in")], tmp_path / "data", BuildConfig(shard_size=2))
    units = [u for shard in plan.shards for u in shard.units]
    assert max(u.count for u in units) <= 2
    assert plan.pages == 5 + 4 + 3  # WARC: 4 HTML responses and the corrupt record
    assert skipped_records(units) == {
        str(tmp_path / "in" / "crawl.warc.gz"): {"not_200": 1, "not_html": 1, "not_response": 2},
        str(tmp_path / "in" / "export.jsonl"): {"blank_line": 1},
    }


# ---------------------------------------------------------------- S3 (moto server)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A local S3-compatible server (moto) in a subprocess; the endpoint URL."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(endpoint, timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3_env(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Credentials and endpoint as a user would give them: the standard AWS environment variables."""
    import s3fs

    for name, value in {
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    s3fs.S3FileSystem.clear_instance_cache()  # a cached client would keep an older endpoint
    yield s3_endpoint
    s3fs.S3FileSystem.clear_instance_cache()


def test_inputs_read_from_s3(s3_env: str, tmp_path: Path) -> None:
    import s3fs

    expected = _write_inputs(tmp_path / "in")
    (tmp_path / "in" / "page.html").write_text(article_html(9, 30), encoding="utf-8")
    (tmp_path / "in" / "notes.md").write_text("not an input", encoding="utf-8")
    expected["page.html"] = "article"
    fs = s3fs.S3FileSystem()
    fs.mkdir("corpus-in")
    for path in sorted((tmp_path / "in").iterdir()):
        fs.put_file(str(path), f"corpus-in/crawl/{path.name}")

    summary = build(["s3://corpus-in/crawl/"], tmp_path / "data", BuildConfig(workers=1, shard_size=3))
    assert _outcomes(tmp_path / "data", "s3://corpus-in/crawl/") == expected
    assert summary.skipped_files == 1  # notes.md
    assert summary.pages == len(expected)

    # A glob on the store, and the same records read from S3 and from disk give the same articles.
    local = build([str(tmp_path / "in" / "export.jsonl")], tmp_path / "local", BuildConfig(workers=0))
    remote = build(["s3://corpus-in/crawl/*.jsonl"], tmp_path / "remote", BuildConfig(workers=0))
    assert (remote.pages, remote.kept) == (local.pages, local.kept) == (4, 2)
    cols = ["id", "text", "url", "published"]
    assert (
        _tables(tmp_path / "local")[0]
        .select(cols)
        .sort("id")
        .equals(_tables(tmp_path / "remote")[0].select(cols).sort("id"))
    )


def test_missing_s3_input_is_an_error_before_anything_is_written(s3_env: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "s3://corpus-in/nothing-here/", "--out", str(tmp_path / "d")])
    assert result.exit_code != 0
    assert "no such file or directory" in result.output
    assert not os.path.exists(tmp_path / "d" / "articles")


def test_output_round_trip_through_s3(s3_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Build into s3://, read the dataset back from the store, extend it incrementally."""
    import s3fs

    from corpusclean.dataset import scan

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the working copy
    inbox = tmp_path / "inbox"
    write_pages(inbox, 6, seed=4)
    fs = s3fs.S3FileSystem()
    fs.mkdir("corpus-out")
    url = "s3://corpus-out/news"
    first = build([str(inbox)], url, BuildConfig(workers=1))
    assert (first.root, first.kept) == (url, 6)

    # Everything a reader needs is in the store; read it back through the manifests.
    copy = tmp_path / "downloaded"
    fs.get("corpus-out/news", str(copy), recursive=True)
    manifests = sorted((copy / "manifests").glob("*.json"))
    assert [m.stem for m in manifests] == [first.run_id]
    assert sorted(scan(copy, "articles").collect()["source_path"]) == sorted(str(p) for p in inbox.iterdir())

    write_pages(inbox, 2, seed=4, start=50)
    second = build([str(inbox)], url, BuildConfig(workers=1))
    assert (second.pages, second.kept, second.unchanged_inputs) == (2, 2, 6)
    fs.invalidate_cache()
    fs.get("corpus-out/news", str(tmp_path / "again"), recursive=True)
    assert scan(tmp_path / "again", "articles").collect().height == 8
    # The working copy keeps only what later runs read (manifests, ledger, index).
    work = next((tmp_path / "cache" / "corpusclean").iterdir())
    assert not list(work.glob("articles/**/*.parquet"))
    assert list(work.glob("index/*.parquet")) and list(work.glob("ledger/*.parquet"))
