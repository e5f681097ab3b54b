"""The HTML path: trafilatura's body, minus what it keeps wrongly, plus the page's metadata."""

from __future__ import annotations

import pytest

from corpusclean.config import ExtractConfig
from corpusclean.extract.html import extract_html, is_dateline, is_link_headline, strip_page_furniture
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


def test_extract_html_on_a_page_without_an_article() -> None:
    # Recall mode may hand back the menu; the word minimum in pages.py rejects it as too short.
    result = extract_html("<html><body><nav><a href='/'>Home</a></nav></body></html>", ExtractConfig())
    assert len(result.text.split()) < ExtractConfig().min_words
