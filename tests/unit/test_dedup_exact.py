from __future__ import annotations

import polars as pl

from corpusclean.dedup.exact import ExistingIndex, exact_duplicates


def _candidates(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "source_path": [r[0] for r in rows],
            "id": [r[1] for r in rows],
            "content_hash": [r[2] for r in rows],
            "url": [None] * len(rows),
            "source_type": ["html"] * len(rows),
        },
        schema={
            "source_path": pl.String,
            "id": pl.String,
            "content_hash": pl.String,
            "url": pl.String,
            "source_type": pl.String,
        },
    )


def _index(pairs: dict[str, str]) -> ExistingIndex:
    frame = pl.DataFrame(
        {"content_hash": list(pairs), "existing_id": list(pairs.values())},
        schema={"content_hash": pl.String, "existing_id": pl.String},
    )
    return ExistingIndex(frame)


def test_first_copy_in_input_order_is_kept() -> None:
    cands = _candidates([("a.html", "id-a", "h1"), ("b.html", "id-b", "h2"), ("c.html", "id-c", "h1")])
    kept, dups = exact_duplicates(cands, _index({}))
    assert kept.get_column("source_path").to_list() == ["a.html", "b.html"]
    assert dups.select("source_path", "duplicate_of", "kind", "similarity").rows() == [("c.html", "id-a", "exact", 1.0)]


def test_dataset_copy_wins_over_the_run() -> None:
    cands = _candidates([("a.html", "id-a", "h1"), ("b.html", "id-b", "h2")])
    kept, dups = exact_duplicates(cands, _index({"h1": "old-id"}))
    assert kept.get_column("id").to_list() == ["id-b"]
    assert dups.select("source_path", "duplicate_of").rows() == [("a.html", "old-id")]


def test_same_page_twice_is_one_article() -> None:
    cands = _candidates([("a.html", "id-a", "h1"), ("a-copy.html", "id-a", "h1")])
    kept, dups = exact_duplicates(cands, _index({}))
    assert kept.height == 1
    assert dups.select("source_path", "duplicate_of").rows() == [("a-copy.html", "id-a")]
