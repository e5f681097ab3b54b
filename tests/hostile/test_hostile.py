"""Every hostile input gets its exact outcome; the run never crashes, never hangs, loses nothing."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl
import pytest

from corpusclean.config import BuildConfig, Limits
from corpusclean.dataset import scan
from corpusclean.ingest.files import display_path
from corpusclean.pipeline import RunSummary, build

from .generate import CASES, KEPT, Case, write_corpus


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Case], RunSummary, float]:
    root = tmp_path_factory.mktemp("hostile")
    cases = write_corpus(root / "in")
    start = time.monotonic()
    summary = build([str(root / "in")], root / "out", BuildConfig(workers=2, limits=Limits(page_timeout_s=20)))
    return root / "out", {display_path(p): c for p, c in cases.items()}, summary, time.monotonic() - start


def test_every_input_is_accounted_for(hostile_run: tuple[Path, dict[str, Case], RunSummary, float]) -> None:
    out, cases, summary, seconds = hostile_run
    assert summary.pages == len(CASES)
    assert summary.kept + summary.duplicate_total + summary.reject_total == len(CASES)
    seen = [
        *scan(out, "articles").collect()["source_path"],
        *scan(out, "duplicates").collect()["source_path"],
        *scan(out, "rejects").collect()["source_path"],
    ]
    assert sorted(seen) == sorted(cases)
    assert seconds < 120  # no hang: a 60 MB page, a gzip bomb and 100k-deep nesting cost seconds


def test_each_case_gets_its_expected_outcome(hostile_run: tuple[Path, dict[str, Case], RunSummary, float]) -> None:
    out, cases, _, _ = hostile_run
    rejects = dict(scan(out, "rejects").select("source_path", "reason").collect().iter_rows())
    kept = {r["source_path"]: r for r in scan(out, "articles").collect().iter_rows(named=True)}
    for path, case in cases.items():
        if case.expected != KEPT:
            assert rejects.get(path) == case.expected, (path, rejects.get(path))
            continue
        assert path in kept, (path, rejects.get(path))
        row = kept[path]
        for phrase in case.text_has:
            assert phrase in row["text"], (path, phrase)
        for gone in case.text_lacks:
            assert gone not in row["text"], (path, gone)
        if "published" in case.fields:
            assert row["published"] == case.fields["published"], path
        if "title_len" in case.fields:
            assert len(row["title"]) == case.fields["title_len"], path
        if "source_path_suffix" in case.fields:
            assert row["source_path"].endswith(str(case.fields["source_path_suffix"])), path


def test_reject_details_say_what_was_wrong(hostile_run: tuple[Path, dict[str, Case], RunSummary, float]) -> None:
    out, _, _, _ = hostile_run
    details = dict(scan(out, "rejects").select("reason", "detail").collect().iter_rows())
    assert "over the cap" in details["too_large"]
    assert "corrupt gzip" in details["decode_error"]
    assert "not a regular file" in details["read_error"]
    assert "words, under the minimum" in details["too_short"]


def test_every_string_written_is_valid_utf8(hostile_run: tuple[Path, dict[str, Case], RunSummary, float]) -> None:
    out, _, _, _ = hostile_run
    for table in ("articles", "duplicates", "rejects"):
        frame = scan(out, table).collect()
        for name, dtype in frame.schema.items():
            if dtype == pl.String:
                for value in frame[name].drop_nulls():
                    value.encode("utf-8")  # raises on lone surrogates
