"""WARC ingest benchmark: reading speed, memory and accounting on generated WARC.gz files.

    python benchmarks/warc.py [--records 10000 100000] [--corrupt 3] [--workdir /tmp/corpusclean-warc] [--build]

For each size, writes a WARC.gz of that many HTML response records (synthetic articles,
corpusclean.synth; one gzip member per record, as crawlers write them) with `--corrupt`
members damaged, then in a fresh subprocess per measurement:

- plan: `plan_units` (the one scan that finds record offsets and cuts units of shard_size);
- read: iterate the pages of every unit (`iter_unit`), checking every page's URL and fetch
  date against the generator and counting corrupt-record rejects;
- fastwarc / warcio: the libraries' own iterators over the same file, for comparison (how
  fast, and how many records each returns before the first corrupt record stops it).

Peak RSS is the subprocess's ru_maxrss (reading only: nothing is extracted). With `--build`
the smallest file also goes through `corpusclean build` and every record is checked to be
accounted for as kept, duplicate or rejected, with the right URL and the page's own date.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/html.py would shadow the
# standard library's html module (which trafilatura imports): take the folder off the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import time
from typing import Any

from corpusclean.config import BuildConfig
from corpusclean.ingest.warc import gzip_member, warc_record
from corpusclean.synth import article_html

_EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def record_url(i: int) -> str:
    return f"https://www.crawl-{i % 97}.example/news/story-{i}?utm_source=feed"


def record_date(i: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=i)


def corrupt_indexes(records: int, corrupt: int) -> list[int]:
    return [records * (k + 1) // (corrupt + 1) for k in range(corrupt)]


def write_warc(path: Path, records: int, corrupt: int) -> None:
    """Stream the file out record by record (memory stays flat whatever the size)."""
    bad = set(corrupt_indexes(records, corrupt))
    with open(path, "wb") as fh:
        for i in range(records):
            stamp = record_date(i).strftime("%Y-%m-%dT%H:%M:%SZ")
            member = bytearray(gzip_member(warc_record(record_url(i), stamp, article_html(7, i).encode())))
            if i in bad:
                member[40:72] = b"\x00" * 32  # damaged deflate data
            fh.write(member)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, path: str) -> dict[str, Any]:
    """One measurement, run in its own process (so peak RSS is its own)."""
    from corpusclean.ingest.sources import iter_unit, plan_units, skipped_records
    from corpusclean.records import RawPage, Reject

    config = BuildConfig()
    base = _peak_rss_mb()
    t0 = time.perf_counter()
    out: dict[str, Any] = {"mode": mode}
    if mode in ("plan", "read"):
        units = plan_units([path], config)
        t1 = time.perf_counter()
        out.update(units=len(units), planned=sum(u.count for u in units), skipped=skipped_records(units))
        if mode == "read":
            pages = wrong = corrupt = 0
            for unit in units:
                for page in iter_unit(unit, config):
                    if isinstance(page, Reject):
                        corrupt += page.reason.value == "corrupt_record"
                        continue
                    pages += 1
                    i = int(page.url.rsplit("-", 1)[1].split("?")[0]) if isinstance(page, RawPage) and page.url else -1
                    wrong += page.url != record_url(i) or page.fetched != record_date(i)
            out.update(pages=pages, corrupt=corrupt, wrong_url_or_date=wrong, read_s=time.perf_counter() - t1)
        out["plan_s"] = t1 - t0
    elif mode == "fastwarc":
        from fastwarc.warc import ArchiveIterator, WarcRecordType

        n = 0
        error = None
        try:
            for record in ArchiveIterator(path, record_types=WarcRecordType.response, fsspec_args=False):
                record.parse_http()
                record.headers.get("WARC-Target-URI")
                record.reader.read()
                n += 1
        except OSError as exc:
            error = str(exc)
        out.update(records=n, error=error)
    elif mode == "warcio":
        from warcio.archiveiterator import ArchiveIterator as WarcioIterator  # type: ignore[import-untyped]

        n = 0
        error = None
        try:
            with open(path, "rb") as fh:
                for rec in WarcioIterator(fh):
                    rec.rec_headers.get_header("WARC-Target-URI")
                    rec.content_stream().read()
                    n += 1
        except Exception as exc:  # warcio raises its own ArchiveLoadFailed
            error = f"{type(exc).__name__}: {str(exc)[:80]}"
        out.update(records=n, error=error)
    out["seconds"] = time.perf_counter() - t0
    out["base_rss_mb"] = base
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def _child(mode: str, path: Path) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--measure", mode, str(path)]
    result = subprocess.run(cmd, check=True, capture_output=True, text=True)
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def check_build(path: Path, workdir: Path, records: int, corrupt: int) -> dict[str, Any]:
    """The whole build on one file: every record accounted for, right URLs, the page's own dates."""
    import polars as pl

    from corpusclean.normalize import canonical_url
    from corpusclean.pipeline import build

    out = workdir / "build"
    t0 = time.perf_counter()
    summary = build([str(path)], out, BuildConfig(workers=max(1, len(os.sched_getaffinity(0)))), incremental=False)
    seconds = time.perf_counter() - t0
    articles = pl.read_parquet(out / "articles" / "**" / "*.parquet", hive_partitioning=False)
    dups = pl.read_parquet(out / "duplicates" / "*.parquet")
    rejects = pl.read_parquet(out / "rejects" / "*.parquet")
    wrong = 0
    for row in articles.iter_rows(named=True):
        i = int(row["url"].rsplit("-", 1)[1])
        want_day = dt.date(2024, 1, 1) + dt.timedelta(days=i % 600)  # synth's published date
        wrong += row["url"] != canonical_url(record_url(i)) or row["published"].date() != want_day
    return {
        "records": records,
        "pages": summary.pages,
        "kept": summary.kept,
        "duplicates": summary.duplicate_total,
        "rejects": dict(summary.rejects),
        "accounted": articles.height + dups.height + rejects.height,
        "corrupt_rows": rejects.filter(pl.col("reason") == "corrupt_record").height,
        "wrong_url_or_date": wrong,
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--corrupt", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/corpusclean-warc"))
    parser.add_argument("--build", action="store_true", help="also run the whole build on the smallest file")
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], args.measure[1])))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {len(os.sched_getaffinity(0))} cores")
    print("| records | file MB | mode | records/s | seconds | peak RSS MB (after imports) | result |")
    print("|---|---|---|---|---|---|---|")
    for records in args.records:
        path = args.workdir / f"gen-{records}-{args.corrupt}.warc.gz"
        if not path.exists():
            write_warc(path, records, args.corrupt)
        size = path.stat().st_size / 1e6
        for mode in ("plan", "read", "fastwarc", "warcio"):
            m = _child(mode, path)
            if mode == "read":
                rate = records / m["read_s"]
                result = f"{m['pages']} pages, {m['corrupt']} corrupt, {m['wrong_url_or_date']} wrong url/date"
                seconds = m["read_s"]
            elif mode == "plan":
                rate = records / m["plan_s"]
                result = f"{m['units']} units, {m['planned']} counted, skipped {m['skipped'] or 0}"
                seconds = m["plan_s"]
            else:
                rate = m["records"] / m["seconds"]
                result = f"{m['records']} records" + (f", stopped: {m['error']}" if m["error"] else "")
                seconds = m["seconds"]
            print(
                f"| {records:,} | {size:.0f} | {mode} | {rate:,.0f} | {seconds:.2f} "
                f"| {m['peak_rss_mb']:.0f} ({m['base_rss_mb']:.0f}) | {result} |",
                flush=True,
            )
    if args.build:
        records = min(args.records)
        path = args.workdir / f"gen-{records}-{args.corrupt}.warc.gz"
        print(json.dumps(check_build(path, args.workdir, records, args.corrupt), indent=2))


if __name__ == "__main__":
    main()
