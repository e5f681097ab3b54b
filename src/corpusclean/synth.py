"""Synthetic article pages for tests and benchmarks: deterministic, distinct, realistic in shape.

Each page is an HTML article in one of a few site layouts (nav, header, byline,
date, body paragraphs, related list, footer), with a body of sentences built
from a fixed vocabulary and a per-page seed, so the same (seed, index) always
gives the same bytes and different indexes give different stories.
"""

from __future__ import annotations

import datetime as dt
import html
import random
from pathlib import Path

_SUBJECTS = (
    "The city council",
    "Regional health officials",
    "A coalition of farmers",
    "The transport authority",
    "Local teachers",
    "The harbour board",
    "Researchers at the university",
    "The water utility",
    "Residents of the old quarter",
    "The state parks department",
    "A group of small-business owners",
    "The fire service",
    "Hospital managers",
    "The school district",
    "Environmental campaigners",
)
_VERBS = (
    "approved",
    "rejected",
    "postponed",
    "announced",
    "questioned",
    "welcomed",
    "criticised",
    "reviewed",
    "expanded",
    "funded",
    "delayed",
    "proposed",
    "defended",
    "paused",
    "completed",
)
_OBJECTS = (
    "a plan to rebuild the river crossing",
    "new limits on night-time deliveries",
    "a pilot for electric buses",
    "the budget for road repairs",
    "a study of flood defences",
    "changes to the school timetable",
    "a scheme to restore the wetlands",
    "higher fees for parking permits",
    "a review of emergency response times",
    "funding for a new library branch",
    "plans for affordable housing near the station",
    "a ban on single-use plastics at markets",
    "an upgrade of the water treatment plant",
)
_TAILS = (
    "after months of public consultation",
    "despite objections from several members",
    "citing rising costs and staff shortages",
    "following a report published last week",
    "in a vote that surprised many observers",
    "with support from neighbouring towns",
    "amid concerns about the timetable",
    "as part of a wider ten-year strategy",
)
_QUOTES = (
    "We listened to what people told us, and this is the result",
    "Nobody expected the work to take this long, but the numbers are clear",
    "This is a first step, not the last one",
    "The money has to come from somewhere, and we have been honest about that",
    "Families deserve an answer before the winter",
)
_NAMES = ("Ana Costa", "Peter Lindgren", "Grace Okoye", "Tomás Ruiz", "Helen Marsh", "Omar Haddad", "Ines Kato")
_SITES = (
    ("The Valley Courier", "valleycourier.example"),
    ("Northfield Gazette", "northfieldgazette.example"),
    ("Harbour Times", "harbourtimes.example"),
    ("Metro Ledger", "metroledger.example"),
)


def _sentence(rng: random.Random) -> str:
    return f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."


def _paragraph(rng: random.Random, index: int) -> str:
    sentences = [_sentence(rng) for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.3:
        sentences.append(f'"{rng.choice(_QUOTES)}," said {rng.choice(_NAMES)}.')
    # A number unique to the page and paragraph keeps every story distinct.
    sentences.append(f"The figure cited for item {index} was {rng.randint(10, 99_999):,}.")
    return " ".join(sentences)


def paragraphs(seed: int, index: int, count: int = 6) -> tuple[str, ...]:
    """Body paragraphs of story `index` (distinct from every other index)."""
    rng = random.Random(seed * 7_919 + index)
    return tuple(_paragraph(rng, index * 100 + i) for i in range(count))


def article_html(seed: int, index: int, paragraphs: int = 8) -> str:
    """One article page; the same (seed, index) always gives the same text."""
    rng = random.Random(seed * 1_000_003 + index)
    site, host = _SITES[index % len(_SITES)]
    day = dt.date(2024, 1, 1) + dt.timedelta(days=index % 600)
    title = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} (report {index})"
    author = rng.choice(_NAMES)
    body = "\n".join(f"<p>{html.escape(_paragraph(rng, index * 100 + i))}</p>" for i in range(paragraphs))
    related = "\n".join(f"<li><a href='/news/{index + k}'>{html.escape(_sentence(rng))}</a></li>" for k in range(1, 5))
    url = f"https://www.{host}/news/{day:%Y/%m/%d}/story-{index}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | {site}</title>
<meta property="og:title" content="{html.escape(title)}">
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="{day.isoformat()}T08:30:00Z">
<meta name="author" content="{author}">
<link rel="canonical" href="{url}">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/opinion">Opinion</a></li></ul></nav></header>
<main><article>
<h1>{html.escape(title)}</h1>
<p class="byline">By {author} · {day:%B %d, %Y}</p>
{body}
</article>
<aside><h2>Most read</h2><ul>{related}</ul></aside></main>
<footer><p>© {day.year} {site}. All rights reserved.</p>
<p><a href="/privacy">Privacy</a> · <a href="/terms">Terms</a></p></footer></body></html>
"""


def write_pages(folder: Path, count: int, seed: int = 0, start: int = 0) -> list[Path]:
    """Write pages start .. start+count-1 as folder/page-NNNNNN.html; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(start, start + count):
        path = folder / f"page-{index:06d}.html"
        path.write_text(article_html(seed, index), encoding="utf-8")
        paths.append(path)
    return paths
