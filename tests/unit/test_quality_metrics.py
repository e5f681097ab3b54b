"""Report figures computed in parts or by hash must equal the plain computation."""

from __future__ import annotations

import random
from collections import Counter

import polars as pl
import pytest

from corpusclean.quality.metrics import TOP, RunTables, boilerplate_by_site, removed_lines, site_chars

EMPTY = pl.LazyFrame()


def _top_lines(pages: list[list[str | None] | None]) -> list[dict[str, object]]:
    """The definition, in plain Python: each cleaned line once per page, most pages first, then by text."""
    counts: Counter[str] = Counter()
    for lines in pages:
        cleaned = {line.strip()[:200] for line in lines or [] if line is not None}
        counts.update(line for line in cleaned if line)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
    return [{"line": line, "pages": n} for line, n in ranked]


@pytest.mark.parametrize("seed", range(6))
def test_removed_lines_are_the_exact_top(seed: int) -> None:
    rng = random.Random(seed)
    # Few distinct lines (counts tie above one) or many (most lines on one page only, ties at the cut).
    vocab = [f"Line {i:04d}" for i in range(rng.choice([15, 400]))] + ["  padded line  ", "", "x" * 300]
    pages: list[list[str | None] | None] = [
        [rng.choice(vocab) for _ in range(rng.randint(0, 5))] + ([None] if rng.random() < 0.1 else [])
        for _ in range(rng.randint(50, 250))
    ]
    pages.append(None)
    extras = pl.DataFrame({"removed_lines": pages}, schema={"removed_lines": pl.List(pl.String)}).lazy()
    assert removed_lines(RunTables(EMPTY, EMPTY, EMPTY, extras)) == _top_lines(pages)


def test_removed_lines_without_any() -> None:
    extras = pl.DataFrame({"removed_lines": [[], None]}, schema={"removed_lines": pl.List(pl.String)}).lazy()
    assert removed_lines(RunTables(EMPTY, EMPTY, EMPTY, extras)) == []
    assert removed_lines(RunTables(EMPTY, EMPTY, EMPTY)) == []


def test_boilerplate_from_parts_equals_the_whole() -> None:
    articles = pl.DataFrame(
        {
            "domain": ["a.example", None, "a.example", None, "b.example"],
            "site_name": [None, "Herald", None, None, "B"],
            "source_chars": [100, 50, 80, 40, 10],
            "text": ["x" * 60, "y" * 20, "é" * 80, "z" * 10, ""],
        }
    ).lazy()
    whole = boilerplate_by_site(RunTables(articles, EMPTY, EMPTY))
    parts = pl.concat([site_chars(articles.slice(0, 2)).collect(), site_chars(articles.slice(2)).collect()]).lazy()
    assert boilerplate_by_site(RunTables(EMPTY, EMPTY, EMPTY, site_chars=parts)) == whole
    assert whole["by_site"]["a.example"] == {"pages": 2, "removed_ratio": round(1 - 140 / 180, 4)}
    assert whole["removed_char_ratio"] == round(1 - 170 / 280, 4)
