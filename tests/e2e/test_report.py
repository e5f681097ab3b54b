"""The quality report: every figure checks against a direct query of the tables; gates stop bad runs."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

from corpusclean.cli import main
from corpusclean.config import BuildConfig, Gates
from corpusclean.pipeline import RunSummary, build

from ..conftest import SAMPLES


@pytest.fixture(scope="module")
def report(samples_build: tuple[Path, RunSummary]) -> dict[str, Any]:
    out, summary = samples_build
    data: dict[str, Any] = json.loads((out / "reports" / summary.run_id / "report.json").read_text())
    return data


def _tables(out: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    articles = pl.read_parquet(out / "articles" / "**" / "*.parquet", hive_partitioning=False)
    return articles, pl.read_parquet(out / "duplicates" / "*.parquet"), pl.read_parquet(out / "rejects" / "*.parquet")


def test_counts_match_the_tables(samples_build: tuple[Path, RunSummary], report: dict[str, Any]) -> None:
    out, summary = samples_build
    articles, dups, rejects = _tables(out)
    c = report["counts"]
    assert c["kept"] == articles.height == summary.kept
    assert c["duplicates"] == dict(dups.group_by("kind").len().iter_rows())
    assert c["rejects"] == dict(rejects.group_by("reason").len().iter_rows())
    assert c["pages"] == articles.height + dups.height + rejects.height == summary.pages
    types: dict[str, int] = {}
    for frame in (articles, dups, rejects):
        for value in frame["source_type"].fill_null("unknown"):
            types[value] = types.get(value, 0) + 1
    assert report["source_types"] == dict(sorted(types.items()))


def test_distributions_match_the_tables(samples_build: tuple[Path, RunSummary], report: dict[str, Any]) -> None:
    out, _ = samples_build
    articles, dups, _ = _tables(out)
    assert report["languages"] == dict(articles.group_by("language").len().iter_rows())
    assert report["sites"] == dict(articles.group_by(pl.col("domain").fill_null("(none)")).len().iter_rows())
    words = articles["word_count"]
    assert report["word_count"]["quantiles"]["median"] == words.quantile(0.5, interpolation="nearest")
    assert report["word_count"]["quantiles"]["max"] == words.max()
    assert sum(report["word_count"]["histogram"].values()) == articles.height
    sizes = dups.group_by("duplicate_of").len()["len"] + 1
    assert report["duplicate_cluster_sizes"] == {str(k): v for k, v in sizes.value_counts().iter_rows()}


def test_completeness_and_dates_match_the_tables(
    samples_build: tuple[Path, RunSummary], report: dict[str, Any]
) -> None:
    out, _ = samples_build
    articles, _, _ = _tables(out)
    fc = report["field_completeness"]

    def share(present: pl.Series) -> float:
        return round(int(present.sum()) / max(1, present.len()), 4)

    assert fc["title"] == share(articles["title"].is_not_null())
    assert fc["published"] == share(articles["published"].is_not_null())
    assert fc["authors"] == share(articles["authors"].list.len() > 0)
    assert fc["source_agency"] == share(articles["source_agency"].is_not_null())
    assert fc["language"] == share(articles["language"] != "und")
    published = articles["published"].drop_nulls()
    assert report["published"]["min"] == published.min().isoformat()  # type: ignore[union-attr]
    assert report["published"]["max"] == published.max().isoformat()  # type: ignore[union-attr]
    months = articles["published"].drop_nulls().dt.strftime("%Y-%m").value_counts()
    assert report["published"]["by_month"] == dict(sorted(months.iter_rows()))


def test_boilerplate_ratio_matches_the_tables(samples_build: tuple[Path, RunSummary], report: dict[str, Any]) -> None:
    out, _ = samples_build
    articles, _, _ = _tables(out)
    kept = int(articles["text"].str.len_chars().sum())
    source = int(articles["source_chars"].sum())
    assert report["boilerplate"]["removed_char_ratio"] == round(1 - kept / source, 4)
    assert report["boilerplate"]["top_removed_lines"], "the samples have boilerplate lines"
    lines = {x["line"] for x in report["boilerplate"]["top_removed_lines"]}
    assert "RECOMMENDED" in lines or "2 min read" in lines


def test_report_files_exist(samples_build: tuple[Path, RunSummary]) -> None:
    out, summary = samples_build
    folder = out / "reports" / summary.run_id
    html = (folder / "report.html").read_text()
    assert html.count('<svg class="chart"') >= 8
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")  # self-contained
    assert (folder / "report.md").read_text().startswith(f"# corpusclean run {summary.run_id}")


def _copy(tmp_path: Path) -> Path:
    work = tmp_path / "w"
    shutil.copytree(SAMPLES, work / "samples")
    return work


def test_broken_gate_quarantines_the_run_and_keeps_the_dataset(tmp_path: Path) -> None:
    work = _copy(tmp_path)
    cwd = os.getcwd()
    os.chdir(work)
    try:
        first = build(["samples/text"], "data", BuildConfig(workers=0))
        before = sorted(p.relative_to(work / "data") for p in (work / "data").glob("*/**/*.parquet"))
        (work / "gates.toml").write_text("[gates]\nmax_reject_rate = 0.05\n")
        result = CliRunner().invoke(main, ["build", "samples/", "--out", "data", "-q", "--config", "gates.toml"])
    finally:
        os.chdir(cwd)
    assert first.status == "committed"
    assert result.exit_code == 3, result.output
    assert "reject rate" in result.output and "over the gate of 5.0%" in result.output
    data = work / "data"
    after = sorted(p.relative_to(data) for p in data.glob("*/**/*.parquet") if "quarantine" not in p.parts)
    assert after == before  # the previous state, untouched and readable
    assert pl.scan_parquet(data / "articles").select(pl.len()).collect().item() == first.kept
    manifests = [json.loads(p.read_text()) for p in sorted((data / "manifests").glob("*.json"))]
    assert [m["status"] for m in manifests] == ["committed", "failed"]
    failed = manifests[1]
    assert all(f["path"].startswith(f"quarantine/{failed['run_id']}/") for f in failed["files"])
    assert all((data / f["path"]).is_file() for f in failed["files"])
    report = json.loads((data / "reports" / failed["run_id"] / "report.json").read_text())
    assert report["gates"]["status"] == "failed"


def test_gates_pass_when_met(tmp_path: Path) -> None:
    work = _copy(tmp_path)
    gates = Gates(max_reject_rate=0.5, min_median_words=80, min_date_completeness=0.5)
    summary = build([str(work / "samples")], work / "data", BuildConfig(workers=0, gates=gates))
    assert summary.status == "committed" and summary.gate_failures == ()


def test_report_command_all_runs_and_compare(samples_build: tuple[Path, RunSummary], tmp_path: Path) -> None:
    out, summary = samples_build
    runner = CliRunner()
    result = runner.invoke(main, ["report", str(out), "--to", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    saved = json.loads((tmp_path / "r" / "report.json").read_text())
    assert saved["counts"]["kept"] == summary.kept
    result = runner.invoke(main, ["report", str(out), "--compare", summary.run_id, summary.run_id])
    assert result.exit_code == 0 and "| kept rate |" in result.output
    result = runner.invoke(main, ["report", str(out), "--run", "run-99999-nope"])
    assert result.exit_code != 0 and "no run 'run-99999-nope'" in result.output
