"""The HTML path: trafilatura's body, minus what it keeps wrongly, plus the page's metadata."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml.etree import Element, tostring  # type: ignore[import-untyped]
from lxml.html import HtmlElement, fromstring  # type: ignore[import-untyped]
from trafilatura.utils import load_html as trafilatura_load_html

from corpusclean.config import ExtractConfig
from corpusclean.extract.html import (
    _INVISIBLE,
    add_split_body,
    extract_html,
    is_dateline,
    is_link_headline,
    link_texts,
    load_html,
    strip_invisible,
    strip_page_furniture,
)
from corpusclean.extract.metadata import PageMetadata
from corpusclean.extract.residual import ResidualReason, normalize_line

BODY = [
    "PORT HALDEN — The car ferry that has crossed Lake Corran every hour since 1964 did not leave the dock on "
    "Tuesday morning. It could not: the water beneath its loading ramp was barely ankle deep.",
    "State water officials said the lake fell to 1,041.6 feet above sea level this week, nearly two feet below "
    "the previous record low set during the drought of 1977.",
]
META = PageMetadata(
    title="Lake Corran falls to record low, stranding ferries and worrying farmers",
    subtitle="Water levels on Lake Corran have dropped below the record set in 1977.",
    headlines=("Lake Corran falls to record low, stranding ferries and worrying farmers",),
    descriptions=("Water levels on Lake Corran have dropped below the record set in 1977.",),
    authors=("Nadia Ferreira",),
)
NO_LINKS: frozenset[str] = frozenset()


def _links(*texts: str) -> frozenset[str]:
    return frozenset(normalize_line(t) for t in texts)


def test_lead_block_is_dropped_and_body_kept() -> None:
    lines = [
        "Lake Corran falls to record low, stranding ferries and worrying farmers",
        "Water levels on Lake Corran have dropped below the record set in 1977.",
        "By Nadia Ferreira",
        "UPDATED: Tue., May 20, 2025",
        *BODY,
    ]
    result = strip_page_furniture(lines, META, NO_LINKS)
    assert result.kept == tuple(BODY)
    assert result.reasons == (
        ResidualReason.TITLE_REPEAT,
        ResidualReason.SUBTITLE_REPEAT,
        ResidualReason.BYLINE,
        ResidualReason.BYLINE,
    )


def test_meta_description_that_is_the_first_paragraph_is_kept() -> None:
    # No standfirst is shown apart from the body (subtitle None): the description is the lede.
    meta = PageMetadata(title=META.title, headlines=META.headlines, descriptions=(BODY[0],))
    assert strip_page_furniture(BODY, meta, NO_LINKS).kept == tuple(BODY)


@pytest.mark.parametrize(
    "line",
    [
        "UPDATED: Tue., Nov. 19, 2019",
        "posted on April 21, 2015, at 11:29 a.m.",
        "- Published 18 November 2019",
        "segunda-feira, 22 de janeiro de 2018 às 0:13",
        "November 19, 2019 / 12:21 AM / Updated 14 hours ago",
    ],
)
def test_datelines(line: str) -> None:
    assert is_dateline(line)


@pytest.mark.parametrize(
    "line",
    ["1a etapa: 10 de março – Interlagos", "Calendário Stock Car 2018", "The vote is on May 6, officials said"],
)
def test_not_datelines(line: str) -> None:
    assert not is_dateline(line)


def test_other_stories_headlines_are_dropped() -> None:
    links = _links(
        "Sean Spicer eliminated from 'Dancing with the Stars'",
        "Pats place Olszewski on IR",
        "Plane passengers quarantined after BUBONIC PLAGUE outbreak",
    )
    for line in (
        "SEAN SPICER ELIMINATED FROM 'DANCING WITH THE STARS'",
        "- Pats place Olszewski on IR New England's roster is re-shuffling",
        "Plane passengers quarantined after BUBONIC PLAGUE outbreak [NEWS]",
    ):
        assert is_link_headline(line, normalize_line(line), links), line


def test_a_linked_sentence_is_kept() -> None:
    line = "Read the full report from the state water board."
    assert not is_link_headline(line, normalize_line(line), _links(line))
    line = "- Where am I going to put it?"
    assert not is_link_headline(line, normalize_line(line), _links("Where am I going to put it?"))


def test_link_headlines_need_four_words_of_text() -> None:
    tree = fromstring(
        "<div><a href='/a'>[ Engadget ]</a> <a href='http://amzn.to/2iJFhRj'>http://amzn.to/2iJFhRj</a>"
        "<a href='/b'>___</a> <a href='/c'>Pats place Olszewski on IR</a></div>"
    )
    assert link_texts(tree) == _links("Pats place Olszewski on IR")


TAIL = [
    "Either way, it’s important that Uber’s worldview and business practices not be allowed to “disrupt” our "
    "economy or our social fabric. People who work hard deserve to make a decent living.",
    "You don’t need a “God view” to see what happens next. When heroism is reduced to a transaction, the soul "
    "of a society is sold cheap.",
]


def test_bulleted_boilerplate_is_dropped_and_bulleted_prose_kept() -> None:
    lines = [*BODY, "- Share on Twitter", "- Share prices fell sharply on Monday after the announcement."]
    result = strip_page_furniture(lines, PageMetadata(), NO_LINKS)
    assert result.kept == (*BODY, lines[-1])
    assert result.reasons == (ResidualReason.SHARE,)


@pytest.mark.parametrize("label", ["You Might Also Like", "Other Opinion Columns", "Comments"])
def test_closing_section_after_the_body_is_dropped(label: str) -> None:
    closing = [label, "Featured Slide Shows", "- 1 of 5", "“One girl can be silenced” slideshow A photo contest winner"]
    result = strip_page_furniture([*BODY, *TAIL, *closing], PageMetadata(), NO_LINKS)
    assert result.kept == (*BODY, *TAIL)
    assert set(result.reasons) == {ResidualReason.CLOSING_SECTION}


def test_closing_label_early_in_the_body_only_drops_itself() -> None:
    # A "Related" box in the first half is followed by more article.
    # The label itself is strip_residual's to drop.
    lines = [BODY[0], "Related stories", BODY[1], *TAIL]
    assert strip_page_furniture(lines, PageMetadata(), NO_LINKS).kept == tuple(lines)


def test_tag_list_of_link_texts_is_dropped() -> None:
    line = "calendario stock car 2018, stock car brasil, stock car cascavel, stock car interlagos, stock car taruma"
    every = _links(*line.split(", "))
    result = strip_page_furniture([*BODY, line], PageMetadata(), NO_LINKS, every)
    assert result.kept == tuple(BODY)
    assert result.reasons == (ResidualReason.TAGS,)
    # The same words not linked are a list in the text.
    listed = "apples, pears, plums, cherries, quinces"
    assert strip_page_furniture([*BODY, listed], PageMetadata(), NO_LINKS, every).kept == (*BODY, listed)


@pytest.mark.parametrize(
    "line",
    [
        "[button link=”http://www.morebikes.co.uk/submit-kit-review/” type=”big”] Send us YOUR kit review[/button]",
        "- medium-wide-browser-and-larger",
        "First Published: Tuesday, November 19, 2019 08:38 AM",
        "Please wait...",
        "This feature is temporarily unavailable. Please try again later.",
    ],
)
def test_markup_residue_and_stamps_are_dropped_anywhere(line: str) -> None:
    assert strip_page_furniture([BODY[0], line, BODY[1]], PageMetadata(), NO_LINKS).kept == tuple(BODY)


@pytest.mark.parametrize(
    "line",
    [
        "- 02-751-1500",
        "- Wi-Fi 6",
        "Published reports say the ferry company has asked for state aid.",
        "Thank you.",
        "Sorry it took so long, the captain told passengers as the ferry finally left the dock.",
    ],
)
def test_residue_lookalikes_are_kept(line: str) -> None:
    assert strip_page_furniture([BODY[0], line, BODY[1]], PageMetadata(), NO_LINKS).kept == (BODY[0], line, BODY[1])


def test_contact_line_closing_the_article_is_dropped() -> None:
    contact = (
        "Have a tip? Amy Kuperinsky may be reached at akuperinsky@njadvancemedia.com. "
        "Follow her on Twitter @AmyKup or on Facebook."
    )
    result = strip_page_furniture([*BODY, *TAIL, contact], PageMetadata(), NO_LINKS)
    assert result.reasons == (ResidualReason.CONTACT_TRAILER,)
    # Higher up, a line saying where someone can be reached is part of the story.
    lines = [contact, *BODY, *TAIL, "The council will decide in June."]
    assert strip_page_furniture(lines, PageMetadata(), NO_LINKS).kept == tuple(lines)


def test_long_lede_equal_to_the_description_is_kept() -> None:
    lede = BODY[0] + " " + BODY[1] + " The ferry company said it would run a bus service instead."
    meta = PageMetadata(title=META.title, subtitle="Water levels are low.", descriptions=(lede,))
    assert strip_page_furniture([lede, *TAIL], meta, NO_LINKS).kept == (lede, *TAIL)


SPLIT_PAGE = """<html><body><article>
<div class="grid"><div class="body article__body">
<p>In fact, the idea that the solution to our financial woes can be found in a friendlier-named digital bank
feels a little like the last story we heard from the tech industry.</p>
<p>Still, it is deeply depressing to attend a large gathering of executives and founders and hear the same
somber message repeated over and over again.</p></div></div>
<div class="row ad"><span>Advertisement</span></div>
<div class="grid"><div class="body article__body">
<p>The same business logic underlies the entire gig economy. It is the basis for the pitch of every app that
promises to free you from the drudgery of the old way of doing things.</p>
<aside><p>Recommended reading: the gig economy and its discontents, as told by the people inside it.</p></aside>
<p>In fact, we can use the evolution of the gig economy as a case study for how the latest wave of banking
disruption might play out over the next decade.</p></div></div>
</article>
<footer><div class="body article__body"><p>Our newsletter brings you the best of our journalism every week,
with stories from our writers and editors around the world.</p><p>Sign up today and never miss a story from
our newsroom, wherever you are in the world.</p></div></footer></body></html>"""


def _plain(text: str) -> str:
    return " ".join(text.split())


def test_split_body_containers_are_merged_in_document_order() -> None:
    tree = fromstring(SPLIT_PAGE)
    first = [_plain(p.text_content()) for p in tree.xpath("//p")[:2]]
    merged = add_split_body(tree, [*first, "Wired Staff"])
    assert merged[:2] == first
    assert merged[2].startswith("The same business logic")
    assert merged[3].startswith("In fact, we can use the evolution")
    assert merged[4] == "Wired Staff"
    # Kept out: the aside inside the second container, and the same-class box far away in the footer.
    assert not any("Recommended reading" in line or "newsletter" in line for line in merged)


def test_single_body_container_is_left_alone() -> None:
    tree = fromstring("<div><div class='body'><p>" + BODY[0] + "</p><p>" + BODY[1] + "</p></div></div>")
    assert add_split_body(tree, BODY) == BODY


def test_press_release_trailer_is_dropped() -> None:
    lines = [
        *BODY,
        "###",
        "About Halvorsen Robotics",
        "Founded in 2019, Halvorsen Robotics designs autonomous mobile robots.",
    ]
    result = strip_page_furniture(lines, PageMetadata(), NO_LINKS)
    assert result.kept == tuple(BODY)
    assert set(result.reasons) == {ResidualReason.RELEASE_TRAILER}
    kept = "About the author: she has covered water policy for The Daily Meridian since 2012."
    assert strip_page_furniture([*BODY, kept], PageMetadata(), NO_LINKS).kept == (*BODY, kept)


PAGE = """<!DOCTYPE html><html lang="en-GB"><head>
<title>Much-loved Ashcombe bakery reopens six months after devastating fire - Ashcombe Evening Star</title>
<meta property="og:title" content="Much-loved Ashcombe bakery reopens six months after devastating fire">
<meta property="og:description" content="Queues formed down Market Street as Crust &amp; Crumb opened its doors again.">
<meta property="og:site_name" content="Ashcombe Evening Star">
<meta property="article:published_time" content="2025-06-12T16:05:00+01:00">
</head><body><main><article>
<h1>Much-loved Ashcombe bakery reopens six months after devastating fire</h1>
<p class="sub-title">Queues formed down Market Street as Crust &amp; Crumb opened its doors again</p>
<div class="author"><span>By</span> <a href="/authors/becky/">Becky Trowbridge</a>
<span class="role">Reporter</span></div>
<figure><figcaption>The rebuilt shop <span class="credit">(Image: Ashcombe Evening Star)</span></figcaption></figure>
<div class="article-body">
<p>A family-run bakery that was gutted by fire just before Christmas has reopened its doors, with customers
queuing down Market Street before the shutters went up on Thursday morning.</p>
<p>Crust &amp; Crumb, which has been run by Lena and Harry Dukes since 2011, was badly damaged in the early hours
of December 19 last year when an electrical fault in a proving cabinet started a blaze.</p>
<div class="read-more-links"><p><strong>READ MORE:</strong>
<a href="/news/parking">Market Street parking changes to start next month</a></p></div>
<p>No one was hurt, but the couple lost their ovens, most of their equipment and the entire Christmas order
book, which included more than 300 mince pie and stollen orders.</p>
<div class="app-promo"><p><a href="/nl">SIGN UP TO OUR FREE DAILY NEWSLETTER</a> for the biggest stories</p></div>
</div></article></main></body></html>"""


def test_extract_html_body_and_fields() -> None:
    result = extract_html(PAGE, ExtractConfig())
    assert result.text.startswith("A family-run bakery that was gutted by fire")
    assert "stollen orders" in result.text
    assert "READ MORE" not in result.text
    assert "SIGN UP" not in result.text
    assert "Queues formed" not in result.text
    assert result.title == "Much-loved Ashcombe bakery reopens six months after devastating fire"
    assert result.subtitle == "Queues formed down Market Street as Crust & Crumb opened its doors again"
    assert result.authors == ("Becky Trowbridge",)
    assert result.published == "2025-06-12T16:05:00+01:00"
    assert result.site_name == "Ashcombe Evening Star"
    assert result.language == "en"
    assert result.image_credits == ("Ashcombe Evening Star",)
    assert result.related == ("Market Street parking changes to start next month",)


@pytest.mark.parametrize(
    "html",
    [
        PAGE,
        "<?xml version='1.0' encoding='utf-8'?>\n<html><body><p>Declared encoding, parsed as bytes.</p></body></html>",
        "<!DOCTYPE html>\n<html/>\n<body><p>A self-closed html tag.</p></body>",
        "<html><body><form><input name=q><select><option>a</option></select></form><p>Form</p></body></html>",
        "<p>only one block, no html tag</p>",
        "plain words, no markup at all",
        "",
    ],
)
def test_load_html_is_trafilaturas_load_with_plain_element_classes(html: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Our parser differs from trafilatura's only in how lxml picks element classes
    # (a C lookup instead of a Python call per element): same trees, same rejections.
    ours, theirs = load_html(html), trafilatura_load_html(html)
    assert (ours is None) == (theirs is None)
    if ours is not None:
        assert tostring(ours) == tostring(theirs)
        assert all(type(e) is HtmlElement for e in ours.iter(Element))
    extracted = extract_html(html, ExtractConfig())
    monkeypatch.setattr("corpusclean.extract.html.load_html", trafilatura_load_html)
    assert extracted == extract_html(html, ExtractConfig())


def test_extract_html_on_a_page_without_an_article() -> None:
    # Recall mode may hand back the menu; the word minimum in pages.py rejects it as too short.
    result = extract_html("<html><body><nav><a href='/'>Home</a></nav></body></html>", ExtractConfig())
    assert len(result.text.split()) < ExtractConfig().min_words


# Pieces of markup that open, close or nearly close scripts, styles and comments, in any
# case, and letters that re.IGNORECASE matches to ASCII ones ("ſ" to "s", "İ" to "i").
_MARKUP_PIECES = [
    "<script>",
    "</script>",
    "<SCRIPT type=x>",
    "</ScRiPt >",
    "</script\n>",
    "</scripts>",
    "<scripts>",
    "<style>",
    "</style>",
    "<noscript>",
    "</noscript>",
    "<template>",
    "</template>",
    "<!--",
    "-->",
    "<!-->",
    "--",
    "<",
    "</",
    ">",
    "text",
    " ",
    "\n",
    "<ſcript>",
    "</ſcript>",
    "</scrİpt>",
    "<p>",
    "é",
    "</scrip",
    "t>",
    "<!---->",
    "<script/>",
]


@settings(max_examples=2000)
@given(st.lists(st.sampled_from(_MARKUP_PIECES), max_size=14).map("".join))
def test_strip_invisible_is_the_invisible_regex(html: str) -> None:
    assert strip_invisible(html) == _INVISIBLE.sub(" ", html)


def test_strip_invisible_removes_scripts_styles_and_comments() -> None:
    html = "<p>Kept</p><script>var a = '</p>';</script ><STYLE>p {}</style><!-- note --><p>also kept</p>"
    assert strip_invisible(html) == "<p>Kept</p>   <p>also kept</p>"
    assert strip_invisible("<script>never closed <p>text</p>") == "<script>never closed <p>text</p>"
