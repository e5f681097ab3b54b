"""Point every duplicate at the article that is finally kept.

Dedup runs in stages (exact, then URL, then near). A page kept by one stage can be dropped
by a later one, e.g. the first of three exact copies turns out to be a near-duplicate of an
older story: the exact copies' rows then point at an id that is not in articles/. This
follows such chains to the end, so `duplicate_of` always names a kept (or already stored)
article. A re-pointed row takes the similarity of the last hop, which for an exact copy is
exactly its similarity to the final article.
"""

from __future__ import annotations

import polars as pl

MAX_HOPS = 8  # three stages make chains of at most two hops; more means a bug


def resolve_chains(duplicates: pl.DataFrame) -> pl.DataFrame:
    """duplicates with duplicate_of (and similarity) following drops made by later stages."""
    rows = duplicates.select("id", "duplicate_of", "similarity").rows()
    # Only ids dropped in favour of another id are links; exact rows with id == duplicate_of are copies
    # of one id (same URL, same body) and say nothing about where that id went.
    link = {i: (d, s) for i, d, s in rows if i != d}
    targets, sims = [], []
    for _, target, sim in rows:
        hops = 0
        while target in link and hops < MAX_HOPS:
            target, sim = link[target]
            hops += 1
        if hops == MAX_HOPS:
            raise AssertionError(f"duplicate chain longer than {MAX_HOPS} hops at {target}")  # a bug
        targets.append(target)
        sims.append(sim)
    return duplicates.with_columns(
        pl.Series("duplicate_of", targets, dtype=pl.String), pl.Series("similarity", sims, dtype=pl.Float64)
    )
