"""Cross-page line counts: build, merge, persist, and their use by the dump cleaner."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from corpusclean.extract.linefreq import SiteLineIndex, line_hash, line_hashes, site_key
from corpusclean.extract.textdump import LineKind, classify_lines

MENU = "Home\nNews\nSports\nWeather\nSign in to manage your local newsletter preferences and saved stories\n"
FOOTER = "\nThe Tri-County Herald is published by Norvane Media Group, a family-owned company since 1952\n"


def _page(i: int) -> str:
    body = "\n\n".join(
        f"Paragraph {j} of story {i}: the county board met on Tuesday and voted {j + i} to {i} on the plan "
        f"for the old mill, which residents have argued about for years."
        for j in range(4)
    )
    return MENU + "\n" + body + "\n" + FOOTER


def test_site_key_from_url_or_fallback() -> None:
    assert site_key("https://www.trtworld.com/world/abc", fallback="x") == "trtworld.com"
    assert site_key(None, fallback="dumps/trt") == "dumps/trt"
    assert site_key("not a url", fallback="f") == "f"


def test_line_hash_is_stable_and_normalized() -> None:
    assert line_hash("Most read") == line_hash("  MOST READ ")
    assert line_hash("a") == 0  # too short to count
    assert line_hash("Most read") == 0x96CDE9E290398B57  # the same in every process and run


def test_counts_once_per_page_and_skips_exact_duplicates() -> None:
    index = SiteLineIndex()
    assert index.add_page("herald", _page(1))
    assert not index.add_page("herald", _page(1))  # the same page crawled twice
    index.add_page("herald", _page(2) + FOOTER)  # footer twice in one page counts once
    stats = index.for_site("herald")
    assert stats.pages == 2
    assert stats.page_count(FOOTER.strip()) == 2
    assert stats.page_count("Paragraph 0 of story 1: anything") == 0
    assert index.for_site("other").pages == 0


def test_merge_and_parquet_round_trip(tmp_path: Path) -> None:
    a = SiteLineIndex.from_pages([("herald", _page(i)) for i in range(3)])
    b = SiteLineIndex.from_pages([("herald", _page(i)) for i in range(3, 5)] + [("trt", "SOURCE:AA\nExplore\n")])
    merged = a.merge(b)
    assert merged.sites == ("herald", "trt")
    assert merged.for_site("herald").page_count(FOOTER.strip()) == 5
    path = tmp_path / "lines.parquet"
    merged.write_parquet(path)
    loaded = SiteLineIndex.read_parquet(path)
    assert loaded.pages("herald") == 5
    assert loaded.for_site("herald").page_count(FOOTER.strip()) == 5
    # lines on one page only are left out of the file; the table is sorted, so files are identical
    merged.write_parquet(tmp_path / "again.parquet")
    assert (tmp_path / "again.parquet").read_bytes() == path.read_bytes()


def test_cleaner_drops_site_repeats() -> None:
    pages = [_page(i) for i in range(5)]
    index = SiteLineIndex.from_pages(("herald", p) for p in pages)
    labels = classify_lines(pages[0], site_lines=index.for_site("herald"))
    by_text = {label.text: label.kind for label in labels}
    assert by_text[FOOTER.strip()] is not LineKind.BODY
    assert by_text["Sign in to manage your local newsletter preferences and saved stories"] is not LineKind.BODY
    body = [label.text for label in labels if label.kind is LineKind.BODY]
    assert any(text.startswith("Paragraph 2 of story 0") for text in body)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(exclude_characters="\n\r"), max_size=60), max_size=12))
def test_page_hashes_equal_the_reference(lines: list[str]) -> None:
    assert line_hashes(lines).tolist() == [line_hash(line) for line in lines]


def test_page_hashes_of_odd_scripts() -> None:
    lines = ["Straße", "İstanbul haberleri", "Ελληνικά Σ", "日本語のテキスト", "emoji 😀 here", "ﬁne print", "x" * 3000]
    assert line_hashes(lines).tolist() == [line_hash(line) for line in lines]
