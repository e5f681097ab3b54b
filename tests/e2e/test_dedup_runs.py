"""Across runs: a second run over the same inputs plus 10% new pages writes only the new, non-duplicate ones."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from corpusclean.config import BuildConfig
from corpusclean.dataset import scan
from corpusclean.pipeline import build
from corpusclean.synth import article_html, write_pages


def _syndicated(html: str, index: int) -> str:
    """The same story on another site: new URL and title, a changed word, a sign-off line added."""
    html = html.replace("https://www.", f"https://syndication{index}.").replace("(report", "(syndicated report")
    html = html.replace(" approved ", " backed ", 1)
    return html.replace("</article>", "<p>This story was first published by a partner site.</p></article>")


def test_second_run_keeps_only_new_non_duplicate_pages(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_pages(inbox, 40, seed=9)
    out = tmp_path / "data"
    first = build([str(inbox)], out, BuildConfig(workers=2, shard_size=10))
    assert first.kept == 40

    fresh = write_pages(inbox, 2, seed=9, start=100)  # two new stories
    for i in (3, 17):  # two syndicated copies of stories already in the dataset
        (inbox / f"syndicated-{i}.html").write_text(_syndicated(article_html(9, i), i), encoding="utf-8")

    second = build([str(inbox)], out, BuildConfig(workers=2, shard_size=10), incremental=False)
    assert second.pages == 44
    assert second.kept == 2
    assert second.duplicates == {"exact": 40, "near": 2}
    new_rows = scan(out, "articles").filter(pl.col("run_id") == second.run_id).collect()
    assert sorted(new_rows["source_path"]) == sorted(str(p) for p in fresh)
    near = scan(out, "duplicates").filter(pl.col("kind") == "near").collect().sort("source_path")
    assert near["source_path"].to_list() == [str(inbox / "syndicated-17.html"), str(inbox / "syndicated-3.html")]
    originals = scan(out, "articles").filter(pl.col("run_id") == first.run_id).collect()
    ids = dict(zip(originals["source_path"], originals["id"], strict=True))
    assert near["duplicate_of"].to_list() == [
        ids[str(inbox / "page-000017.html")],
        ids[str(inbox / "page-000003.html")],
    ]
    assert all(0.5 <= s < 1.0 for s in near["similarity"])
    exact = scan(out, "duplicates").filter(pl.col("kind") == "exact").collect()
    assert exact.height == 40 and set(exact["similarity"]) == {1.0}
