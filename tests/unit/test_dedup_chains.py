from __future__ import annotations

import polars as pl

from corpusclean.dedup.chains import resolve_chains


def test_exact_copies_follow_their_keeper_when_a_later_stage_drops_it() -> None:
    rows = pl.DataFrame(
        {
            "source_path": ["b.html", "c.html", "a.html"],
            "id": ["id-b", "id-c", "id-a"],
            "duplicate_of": ["id-a", "id-a", "id-old"],  # b, c exact copies of a; a near-dup of an old story
            "kind": ["exact", "exact", "near"],
            "similarity": [1.0, 1.0, 0.8],
        }
    )
    out = resolve_chains(rows)
    assert out["duplicate_of"].to_list() == ["id-old", "id-old", "id-old"]
    assert out["similarity"].to_list() == [0.8, 0.8, 0.8]


def test_copies_of_one_id_are_not_links() -> None:
    rows = pl.DataFrame(
        {"id": ["x", "y"], "duplicate_of": ["x", "x"], "kind": ["exact", "exact"], "similarity": [1.0, 1.0]}
    )
    assert resolve_chains(rows)["duplicate_of"].to_list() == ["x", "x"]
