"""Page metadata: what the page states, in the order of trust, and nothing guessed."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from trafilatura.utils import load_html

from corpusclean.extract.metadata import (
    _RELATED_CLASS,
    PageMetadata,
    _byline_elements,
    agency_name,
    image_credits,
    mark_elements,
    page_metadata,
    related_links,
    split_byline,
)

TODAY = dt.date(2025, 6, 30)


def _meta(html: str, url: str | None = None) -> PageMetadata:
    tree = load_html(html)
    assert tree is not None
    return page_metadata(tree, url, today=TODAY)


JSON_LD_PAGE = """<html lang="en-US"><head>
<title>Lake Corran falls to record low | The Daily Meridian</title>
<meta property="og:title" content="Lake Corran hits record low (OG)">
<meta property="og:site_name" content="The Daily Meridian">
<meta property="article:published_time" content="2025-05-20T09:00:00-04:00">
<meta name="author" content="Meta Author">
<meta property="article:section" content="Climate">
<link rel="canonical" href="/us/2025/05/21/lake-corran/">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Daily Meridian Site"},
  {"@type": "NewsArticle", "headline": "Lake Corran falls to record low, stranding ferries",
   "datePublished": "2025-05-21T10:15:00-04:00", "articleSection": "U.S.",
   "author": [{"@type": "Person", "name": "Nadia Ferreira"}, {"@type": "Person", "name": "Samuel Okafor"}]}
]}
</script></head>
<body><article><h1>Lake Corran falls to record low, stranding ferries</h1>
<p>The car ferry that has crossed Lake Corran every hour since 1964 did not leave the dock on Tuesday.</p>
</article><footer><p>&copy; 2019 The Daily Meridian</p></footer></body></html>"""


def test_json_ld_wins_over_opengraph_and_meta_tags() -> None:
    meta = _meta(JSON_LD_PAGE, "https://www.dailymeridian.example/x?utm_source=feed")
    assert meta.title == "Lake Corran falls to record low, stranding ferries"
    assert meta.published == "2025-05-21T10:15:00-04:00"
    assert meta.authors == ("Nadia Ferreira", "Samuel Okafor")
    assert meta.section == "U.S."
    assert meta.site_name == "The Daily Meridian"  # og:site_name is the name the site gives itself
    assert meta.url == "https://www.dailymeridian.example/us/2025/05/21/lake-corran/"
    assert meta.language == "en"


def test_opengraph_then_meta_tags_when_there_is_no_json_ld() -> None:
    page = """<html><head><title>Headline from the title tag - Site</title>
    <meta property="og:title" content="Headline from OpenGraph">
    <meta name="author" content="Katrin Albers">
    <meta name="date" content="2025-05-27">
    <meta property="og:locale" content="de_DE">
    </head><body><p>Text of the article.</p></body></html>"""
    meta = _meta(page)
    assert meta.title == "Headline from OpenGraph"
    assert meta.authors == ("Katrin Albers",)
    assert meta.published == "2025-05-27"
    assert meta.language == "de"


def test_title_tag_without_the_site_name_is_the_last_resort() -> None:
    page = """<html><head><title>Neue Fähre startet im Juni | Rheintal-Bote</title>
    <meta property="og:site_name" content="Rheintal-Bote"></head><body><p>Text.</p></body></html>"""
    assert _meta(page).title == "Neue Fähre startet im Juni"


def test_a_copyright_year_is_never_a_date() -> None:
    page = """<html><head><title>About us</title></head><body><p>Our story.</p>
    <footer><p>Copyright 2019 Example Media. All rights reserved.</p></footer></body></html>"""
    assert _meta(page).published is None


def test_a_future_date_is_rejected() -> None:
    page = """<html><head><meta property="article:published_time" content="2031-01-01T00:00:00Z">
    <meta name="date" content="2025-06-01"></head><body><p>Text.</p></body></html>"""
    assert _meta(page).published == "2025-06-01"


def test_subtitle_only_when_visible_on_the_page() -> None:
    shown = """<html><head><meta property="og:description" content="Queues formed down Market Street."></head>
    <body><article><h1>Bakery reopens</h1><p class="sub-title">Queues formed down Market Street</p>
    <div class="body"><p>One.</p><p>Two.</p><p>Three.</p></div></article></body></html>"""
    assert _meta(shown).subtitle == "Queues formed down Market Street"
    hidden = """<html><head><meta property="og:description" content="A flaky test and a date library."></head>
    <body><article><h1>The test that only failed on Tuesdays</h1>
    <div class="body"><p>Flaky tests are easy to ignore.</p><p>Two.</p><p>Three.</p></div></article></body></html>"""
    assert _meta(hidden).subtitle is None


def test_agency_in_a_byline_is_the_source_not_an_author() -> None:
    page = """<html><head></head><body><article><h1>Turtles</h1>
    <div class="hl-byline"><span class="hl-author">By Léa Fournier, AFP</span></div>
    <p>Text.</p></article></body></html>"""
    meta = _meta(page)
    assert meta.authors == ("Léa Fournier",)
    assert meta.source_agency == "AFP"
    assert split_byline("Agence France-Presse") == ([], "AFP")
    assert agency_name("The Associated Press") == "AP"
    assert agency_name("Nadia Ferreira") is None


def test_byline_names_without_job_titles() -> None:
    page = """<html><body><article><h1>Bakery reopens</h1>
    <div class="author"><span>By</span> <a href="/authors/becky/">Becky Trowbridge</a>
    <span class="role">Community Reporter</span></div><p>Text.</p></article></body></html>"""
    assert _meta(page).authors == ("Becky Trowbridge",)


def test_image_credits_from_captions_and_credit_spans() -> None:
    page = """<html><body><article>
    <figure><figcaption>A ferry sits idle. <span class="credit">(AP Photo/Elena Brandt)</span></figcaption></figure>
    <figure><figcaption>Die Lindenau bei einer Probefahrt. <span class="quelle">Foto: dpa</span></figcaption></figure>
    <figure><figcaption>Rovers celebrate with the trophy. Picture: Gemma Royle</figcaption></figure>
    <p class="credits">Words by Helena Marsh &middot; Photographs by Ines Harrow</p>
    <figure><figcaption>Volunteers mark a nest on the beach at night.</figcaption></figure>
    </article></body></html>"""
    tree = load_html(page)
    assert image_credits(tree) == ("AP Photo/Elena Brandt", "dpa", "Gemma Royle", "Ines Harrow")


def test_related_links_only_from_boxes_inside_the_article() -> None:
    page = """<html><body><article><p>Body text.</p>
    <aside class="related-inline"><h3>Related</h3><ul>
    <li><a href="/a">Snowpack survey finds Corran Range at 48 percent of normal</a></li></ul></aside>
    <div class="read-more-links"><p><strong>READ MORE:</strong>
    <a href="/b">Fire station to open its doors</a></p></div>
    </article><aside class="sidebar most-read"><ul>
    <li><a href="/c">Four weeks of overnight roadworks on the A37 start on Monday</a></li></ul></aside></body></html>"""
    tree = load_html(page)
    assert related_links(tree) == (
        "Snowpack survey finds Corran Range at 48 percent of normal",
        "Fire station to open its doors",
    )


# mark_elements finds in one pass what these XPath expressions (the rules' definitions) find.
_XPATHS = {
    "bylines": "//*[@rel='author' or @itemprop='author' or contains(@class,'byline') or contains(@class,'author')"
    " or contains(@class,'by-line') or @class='by']",
    "captions": "//figcaption|//*[contains(@class,'caption') or contains(@class,'credit')"
    " or contains(@class,'quelle')]",
    "date_stamps": "//*[@itemprop='datePublished']|//time[@datetime][@pubdate or contains(@class,'publish')]",
    "canonical_links": "//link[@rel='canonical'][@href]",
}
_BYLINE_XPATH = (
    ".//*[@rel='author' or @itemprop='author' or contains(@class,'byline') or contains(@class,'author')"
    " or contains(@class,'by-line') or @class='by'][not(ancestor::*[contains(@class,'comment')])]"
)
_TAGS = ["div", "span", "p", "a", "article", "main", "h1", "figure", "figcaption", "footer", "aside", "time", "title"]
_CLASSES = [
    "byline",
    "Author-box",
    "by-line",
    "by",
    "comments",
    "caption",
    "photo-credit",
    "quelle",
    "Related",
    "read-more",
    "ReadMore",
    "publish",
    "x",
    "",
]
_ATTRIBUTES = [
    ("rel", ["author", "canonical", "tag"]),
    ("itemprop", ["author", "datePublished", "articleBody"]),
    ("id", ["related-box", "see-also", "main"]),
    ("datetime", ["2024-05-01"]),
    ("pubdate", [""]),
    ("href", ["/x"]),
]


@st.composite
def _element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attributes = ""
    if draw(st.booleans()):
        attributes += f' class="{draw(st.sampled_from(_CLASSES))}"'
    for name, values in _ATTRIBUTES:
        if draw(st.integers(0, 7)) == 0:
            attributes += f' {name}="{draw(st.sampled_from(values))}"'
    children = draw(st.lists(_element(depth + 1), max_size=3)) if depth < 4 else []
    return f"<{tag}{attributes}>By Ann Lee{''.join(children)}</{tag}>"


@settings(max_examples=300, deadline=None)
@given(st.lists(_element(), min_size=1, max_size=4), st.booleans())
def test_marked_elements_are_what_the_xpaths_find(body: list[str], fragment: bool) -> None:
    html = (
        "".join(body)
        if fragment
        else f"<html><head><link rel='canonical' href='/c'></head><body>{''.join(body)}</body></html>"
    )
    tree = load_html(html)
    if tree is None:
        return
    marked = mark_elements(tree)
    for name, xpath in _XPATHS.items():
        assert getattr(marked, name) == tree.xpath(xpath), name
    related = [
        e
        for e in tree.xpath("//*[@class or @id]")
        if _RELATED_CLASS.search(f"{e.get('class') or ''} {e.get('id') or ''}")
    ]
    assert marked.related_boxes == related
    assert marked.h1 == next(iter(tree.xpath("(//article//h1|//main//h1|//h1)[1]")), None)
    assert marked.title == next(iter(tree.xpath("//title")), None)
    assert list(_byline_elements(tree, marked)) == tree.xpath(_BYLINE_XPATH)[:8]
