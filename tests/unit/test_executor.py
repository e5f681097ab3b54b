"""The supervisor: a page that hangs or kills its worker costs that page only."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import polars as pl
import pytest

from corpusclean import executor
from corpusclean.config import BuildConfig, Limits
from corpusclean.pages import ExtractedPage, extract_page
from corpusclean.pipeline import finalize_run, plan_run
from corpusclean.records import RawPage, Reject, RejectReason
from corpusclean.sitelines import SiteLines

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "html"
PAGES = [
    "ashcombe-evening-star-bakery-reopens-2025-06-12.html",
    "brightwater-newswire-halvorsen-robotics-2025-06-10.html",
    "daily-meridian-lake-corran-low-water-2025-05-21.html",
    "fenwicks-log-tuesday-test-failure-2025-02-11.html",
    "rheintal-bote-faehre-kaltenbrunn-2025-05-27.html",
    "tidewater-quarterly-skerra-light-keepers-2025-08-04.html",
]


def _hostile_extract_page(
    raw: RawPage, config: BuildConfig, now: dt.datetime, site_lines: SiteLines | None = None
) -> ExtractedPage | Reject:
    if b"HANG" in raw.data:
        time.sleep(60)
    if b"CRASH" in raw.data:
        os.kill(os.getpid(), signal.SIGKILL)
    if b"HOG" in raw.data:
        hog = b"x" * (900 << 20)  # written, so resident
        time.sleep(30)
        return Reject(raw.source_path, RejectReason.EXTRACT_ERROR, str(len(hog)))
    return extract_page(raw, config, now, site_lines)


@pytest.mark.parametrize("workers", [1, 2])
def test_hanging_and_crashing_pages_become_rejects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    monkeypatch.setattr(executor, "extract_page", _hostile_extract_page)  # inherited by forked workers
    pages = tmp_path / "in"
    pages.mkdir()
    for name in PAGES:
        shutil.copy(SAMPLES / name, pages / name)
    (pages / "hang.txt").write_text("HANG: an extractor that never returns\n")
    (pages / "crash.txt").write_text("CRASH: an extractor that takes its process down\n")
    (pages / "hog.txt").write_text("HOG: an extractor that eats memory\n")
    config = BuildConfig(workers=workers, shard_size=3, limits=Limits(page_timeout_s=3.0, worker_memory_mb=700))
    plan = plan_run([str(pages)], tmp_path / "out", config)
    start = time.monotonic()
    results = executor.run_shards(plan)
    assert time.monotonic() - start < 20
    summary = finalize_run(plan, results)
    assert summary.kept == 6, summary.rejects
    assert summary.rejects == {"extract_error": 1, "timeout": 1, "too_large": 1}
    rejects = pl.read_parquet(tmp_path / "out" / "rejects" / "*.parquet")
    reasons = dict(zip(rejects["source_path"], rejects["reason"], strict=True))
    assert reasons == {
        str(pages / "hang.txt"): "timeout",
        str(pages / "crash.txt"): "extract_error",
        str(pages / "hog.txt"): "too_large",
    }
    assert "worker process died" in rejects.filter(pl.col("reason") == "extract_error")["detail"][0]


def test_workers_are_recycled_and_the_output_does_not_change(tmp_path: Path) -> None:
    pages = tmp_path / "in"
    pages.mkdir()
    for name in PAGES:
        shutil.copy(SAMPLES / name, pages / name)
    results = {}
    for recycle in (1, 1000):
        config = BuildConfig(workers=2, shard_size=2, limits=Limits(worker_max_pages=recycle))
        plan = plan_run([str(pages)], tmp_path / f"out-{recycle}", config)
        summary = finalize_run(plan, executor.run_shards(plan))
        results[recycle] = pl.read_parquet(tmp_path / f"out-{recycle}" / "articles" / "**" / "*.parquet").sort("id")
        assert summary.kept == len(PAGES)
    assert results[1].drop("run_id").equals(results[1000].drop("run_id"))


@pytest.mark.parametrize("workers", [1, 2])
def test_container_pages_queued_behind_a_hanging_page_are_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    # Container records are read by the parent and sent as bytes; each worker holds one page
    # after its current one (small pages only: a big one waits for a free worker). The page
    # queued behind a page that hangs must go to another worker when that one is stopped.
    monkeypatch.setattr(executor, "extract_page", _hostile_extract_page)
    pages = [(SAMPLES / name).read_text("utf-8") for name in PAGES]
    pages[4] += "<!--" + "padding " * 20_000 + "-->"  # over the size of a page that may queue
    records = [{"url": f"https://example.com/{i}", "html": html} for i, html in enumerate(pages[:3])]
    records.append({"text": "HANG: an extractor that never returns"})
    records += [{"url": f"https://example.com/{i}", "html": html} for i, html in enumerate(pages[3:], start=3)]
    source = tmp_path / "in" / "export.jsonl"
    source.parent.mkdir()
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    config = BuildConfig(workers=workers, shard_size=4, limits=Limits(page_timeout_s=3.0))
    plan = plan_run([str(source)], tmp_path / "out", config)
    summary = finalize_run(plan, executor.run_shards(plan))
    assert summary.kept == len(PAGES), summary.rejects
    assert summary.rejects == {"timeout": 1}
    rejects = pl.read_parquet(tmp_path / "out" / "rejects" / "*.parquet")
    assert rejects["source_path"].to_list() == [f"{source}#4"]


def test_an_error_staging_a_shard_stops_the_run_and_its_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Shards are staged in a thread of the parent while the workers extract the next pages:
    # an error there must still end the run (raised by run_shards, workers stopped).
    def failing_stage(*args: object) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(executor, "stage_shard", failing_stage)
    pages = tmp_path / "in"
    pages.mkdir()
    for name in PAGES:
        shutil.copy(SAMPLES / name, pages / name)
    plan = plan_run([str(pages)], tmp_path / "out", BuildConfig(workers=2, shard_size=2))
    with pytest.raises(OSError, match="no space left"):
        executor.run_shards(plan)
    assert not multiprocessing.active_children()
    assert not any(t.name == "corpusclean-parent" for t in threading.enumerate())
