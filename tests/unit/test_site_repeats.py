"""The text-dump cleaner's use of per-site line counts (DumpCleanConfig.site_min_pages)."""

from __future__ import annotations

from corpusclean.extract.linefreq import SiteLineIndex
from corpusclean.extract.textdump import LineKind, classify_lines, clean_dump
from corpusclean.synth import paragraphs

# A member appeal printed in the middle of every story of a site: it reads like prose.
PROMO = "Readers like you keep the Valley Ledger going, and a membership costs less than a coffee a week."
# A real sentence two stories of the site share (a follow-up quoting the first): below the bar.
SHARED = "The board said the new rates would take effect on the first of March and last for two years."

STORIES = tuple(paragraphs(seed=5, index=i, count=5) for i in range(4))


def _dump(paragraphs: tuple[str, ...], extra: tuple[str, ...] = ()) -> str:
    body = [paragraphs[0], PROMO, *paragraphs[1:], *extra]
    return "\n".join(["Home", "Local", "Sports", "", "Valley news", "", *[p + "\n" for p in body], "Contact us"])


def _stats() -> SiteLineIndex:
    pages = [_dump(STORIES[0], (SHARED,)), _dump(STORIES[1], (SHARED,)), _dump(STORIES[2]), _dump(STORIES[3])]
    return SiteLineIndex.from_pages(("valley.example", page) for page in pages)


def test_a_line_on_many_pages_of_the_site_leaves_the_body() -> None:
    stats = _stats().for_site("valley.example")
    page = _dump(STORIES[1], (SHARED,))
    assert PROMO in clean_dump(page).text  # the model alone keeps it
    text = clean_dump(page, site_lines=stats).text
    assert PROMO not in text
    assert SHARED in text and STORIES[1][0] in text  # on two pages only: below site_min_pages
    kinds = {label.text: label.kind for label in classify_lines(page, site_lines=stats)}
    assert kinds[PROMO] is LineKind.SITE_REPEAT and kinds["Home"] is LineKind.SITE_REPEAT


def test_a_page_made_of_repeated_lines_is_left_to_deduplication() -> None:
    """The same story on three pages of the site: its lines repeat, but they are its body."""
    index = SiteLineIndex.from_pages(
        ("valley.example", _dump(STORIES[0]).replace("Home", f"Home {copy}")) for copy in "abc"
    )
    text = clean_dump(_dump(STORIES[0]), site_lines=index.for_site("valley.example")).text
    assert STORIES[0][0] in text and STORIES[0][2] in text
