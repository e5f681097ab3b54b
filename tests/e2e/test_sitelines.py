"""Per-site line counts in real builds: a line a site prints on every page leaves the bodies,
within the run that sees it and in later runs that see only a page or two of the site."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from corpusclean.config import BuildConfig
from corpusclean.dataset import scan
from corpusclean.extract.textdump import clean_dump
from corpusclean.pipeline import build
from corpusclean.synth import paragraphs

# A member appeal the site puts in the middle of every story: prose, so the line model alone
# keeps it (asserted below); only the site counts show it is furniture.
PROMO = "Readers like you keep the Valley Ledger going, and a membership costs less than a coffee a week."


def _dump(index: int) -> str:
    body = list(paragraphs(seed=11, index=index, count=5))
    body.insert(2, PROMO)
    lines = ["Home", "Local", "Sports", "Opinion", "", f"Story {index} from the valley", ""]
    lines += [p + "\n" for p in body]
    lines += ["Contact us", "Valley Ledger 2026"]
    return "\n".join(lines) + "\n"


def _write(folder: Path, indexes: range) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in indexes:
        (folder / f"story-{i:03d}.txt").write_text(_dump(i), encoding="utf-8")


def _texts(root: Path) -> pl.DataFrame:
    return scan(root, "articles").collect().select("source_path", "text").sort("source_path")


def test_the_model_alone_keeps_the_promo_line() -> None:
    assert PROMO in clean_dump(_dump(1)).text


def test_a_line_on_every_page_of_a_site_is_dropped_within_the_run(tmp_path: Path) -> None:
    inbox = tmp_path / "valley"
    _write(inbox, range(8))
    outs = {}
    for workers in (0, 2):
        out = tmp_path / f"out{workers}"
        summary = build([str(inbox)], out, BuildConfig(workers=workers))
        assert (summary.pages, summary.kept) == (8, 8)
        outs[workers] = _texts(out)
        assert not outs[workers]["text"].str.contains(PROMO, literal=True).any()
    assert outs[0].equals(outs[2])  # the same counts in every worker
    # The run stores what it learned, listed in its manifest like every other file.
    parts = sorted((tmp_path / "out2" / "sitelines").glob("*.parquet"))
    assert len(parts) == 1 and pq.read_metadata(parts[0]).num_rows > 0


def test_a_small_later_run_uses_the_counts_of_earlier_runs(tmp_path: Path) -> None:
    inbox = tmp_path / "valley"
    _write(inbox, range(8))
    out = tmp_path / "out"
    build([str(inbox)], out, BuildConfig(workers=0))
    _write(inbox, range(8, 9))  # the next night: one new story
    second = build([str(inbox)], out, BuildConfig(workers=0))
    assert (second.pages, second.kept) == (1, 1)
    texts = _texts(out)
    new = texts.filter(pl.col("source_path").str.ends_with("story-008.txt"))["text"].item()
    assert PROMO not in new and paragraphs(seed=11, index=8, count=5)[0] in new
    # A run that sees the page alone, with no stored counts, keeps the line.
    alone = tmp_path / "alone"
    build([str(inbox / "story-008.txt")], alone, BuildConfig(workers=0))
    assert PROMO in _texts(alone)["text"].item()


def test_an_article_printed_again_is_left_to_deduplication(tmp_path: Path) -> None:
    """Three copies of one story share all their lines: they are duplicates, not furniture."""
    inbox = tmp_path / "valley"
    _write(inbox, range(8))
    for copy in ("a", "b"):
        (inbox / f"story-001-{copy}.txt").write_text(_dump(1).replace("Home", f"Home {copy}"), encoding="utf-8")
    summary = build([str(inbox)], tmp_path / "out", BuildConfig(workers=0))
    assert summary.pages == 10 and summary.kept == 8 and summary.duplicate_total == 2 and summary.reject_total == 0
