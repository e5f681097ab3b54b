"""HTML pages: trafilatura with explicit options, then our residual-boilerplate pass.

The page is parsed once: trafilatura extracts the body from (a copy of) our tree, and the
metadata is read off the same tree (:mod:`corpusclean.extract.metadata`). What trafilatura
keeps wrongly is then removed line by line: the headline, standfirst, byline and dateline
above the body, other stories' headlines (lines that are the whole text of a link on the
page), press-release trailers, and the shared residual rules of
:mod:`corpusclean.extract.residual`.

trafilatura's cross-document `deduplicate` cache is never used: it makes the
output depend on the order pages arrive in, which breaks determinism.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import trafilatura

# lxml ships no type stubs and the mypy overrides in pyproject do not list it yet.
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.utils import load_html

from corpusclean.config import ExtractConfig
from corpusclean.extract.metadata import PageMetadata, page_metadata
from corpusclean.extract.residual import ResidualReason, normalize_line, strip_residual
from corpusclean.records import Extraction

_TAG = re.compile(r"<[^>]+>")
_INVISIBLE = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_HTML_LANG = re.compile(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)

# The lead zone: lines above the first body paragraph, where headline, standfirst, byline
# and dateline sit. It ends at the first line this long that repeats nothing, or after this
# many lines.
_LEAD_BODY_CHARS = 120
_LEAD_MAX_LINES = 8
# A dateline or byline is short; a first sentence that mentions a year is not.
_LEAD_META_CHARS = 80
_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|januar|februar|märz|mai|juni|juli|oktober|dezember"
    r"|janeiro|fevereiro|março|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro"
    r"|enero|febrero|marzo|mayo|junio|julio|septiembre|octubre|noviembre|diciembre"
    r"|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre)[a-zäçéû]*\.?"
)
# Date-shaped text: a year alone is not enough ("Calendário da Stock Car 2018" is a headline).
_DATE_WORDS = re.compile(
    rf"\b\d{{1,2}}:\d\d\b|\b\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}\b|\b\d{{4}}-\d\d-\d\d\b"
    rf"|\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\.?\s+(?:de\s+)?{_MONTH}(?:\s|$)"
    r"|^(?:updated|published|posted|modified|aktualisiert|veröffentlicht|publicado|atualizado|publié|mis à jour)\b",
    re.IGNORECASE,
)
_WEEKDAY = (
    r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?\.?|montag|dienstag|mittwoch|donnerstag|freitag|samstag"
    r"|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado"
    r"|domingo|(?:segunda|terça|quarta|quinta|sexta)(?:-feira)?"
)
# The words a dateline is made of besides the date itself; a line with more words left
# over than _DATELINE_SPARE_WORDS is a sentence or a list item ("1a etapa: 10 de março – Interlagos").
_DATELINE_WORD = re.compile(
    rf"^(?:\d[\d:./,-]*(?:st|nd|rd|th|h)?|{_MONTH}|{_WEEKDAY}|on|at|by|the|de|do|às|a|um|am|pm|a\.m\.|p\.m\.|uhr"
    r"|le|el|du|del|et|and|und|last|updated|published|posted|modified|aktualisiert|veröffentlicht|publicado"
    r"|atualizado|publié|mis|à|jour|edt|est|cdt|cst|pdt|pst|gmt|utc|bst|cet|cest|ist|et|pt)$",
    re.IGNORECASE,
)
_DATELINE_SPARE_WORDS = 1
_BRACKET_TAIL = re.compile(r"\s*[\[(][^\])]{1,20}[\])]\s*$")
_BYLINE = re.compile(r"^(?:by|von|par|por|di|door|oleh)\s+\S", re.IGNORECASE)
# "###" and "-30-" end a press release; what follows is the issuer's boilerplate.
_END_MARK = re.compile(r"^(?:#\s*#\s*#|-\s*30\s*-|—\s*30\s*—|\*\s*\*\s*\*\s*end)\s*$")
# Press-release trailers: "About Halvorsen Robotics", "Media contact:", "SOURCE Halvorsen Robotics".
_RELEASE_TRAILER = re.compile(
    r"^(?:about\s+[A-Z][\w&.,' -]{1,60}$|(?:media|press|investor)\s+(?:contacts?|inquiries|relations)\b"
    r"|contacts?:|source\s+[A-Z][\w&.,' -]{1,60}$)"
)
_BULLET = re.compile(r"^[-–•*·]\s+")
# A link text shorter than this many words is a menu item, not another story's headline.
_HEADLINE_MIN_WORDS = 4


@dataclass(frozen=True, slots=True)
class BodyLines:
    """Body lines after the HTML-specific pass, with what it dropped and why."""

    kept: tuple[str, ...]
    removed: tuple[str, ...]
    reasons: tuple[ResidualReason, ...]


def declared_language(html: str) -> str | None:
    match = _HTML_LANG.search(html[:20_000])
    return match.group(1).lower() if match else None


def _visible_chars(html: str) -> int:
    """Rough size of the page's text, for the boilerplate-removed ratio in reports."""
    return len(" ".join(_TAG.sub(" ", _INVISIBLE.sub(" ", html)).split()))


def link_texts(tree: HtmlElement) -> frozenset[str]:
    """Normalized texts of the page's links that are long enough to be headlines."""
    texts: set[str] = set()
    for anchor in tree.iter("a"):
        text = anchor.text_content()
        if text.count(" ") + 1 >= _HEADLINE_MIN_WORDS:
            texts.add(normalize_line(text))
    return frozenset(texts)


def _repeats(key: str, stated: Sequence[str]) -> bool:
    """Whether a line repeats a stated headline or standfirst (or is a cut-off form of one)."""
    for other in stated:
        if key == other:
            return True
        shorter, longer = (key, other) if len(key) < len(other) else (other, key)
        if len(shorter) >= 0.8 * len(longer) and longer.startswith(shorter):
            return True
    return False


def _lead_reason(line: str, key: str, headlines: Sequence[str], descriptions: Sequence[str]) -> ResidualReason | None:
    if _repeats(key, headlines):
        return ResidualReason.TITLE_REPEAT
    if descriptions and _repeats(key, descriptions):
        return ResidualReason.SUBTITLE_REPEAT
    if len(line) <= _LEAD_META_CHARS and (_BYLINE.match(line) or is_dateline(line)):
        return ResidualReason.BYLINE
    return None


def is_dateline(line: str) -> bool:
    """Whether a short line is only a date stamp ("UPDATED: Tue., Nov. 19, 2019", "posted on April 21, 2015")."""
    if not _DATE_WORDS.search(line):
        return False
    words = [w.strip(":,;()[]|–—-") for w in _BULLET.sub("", line).split()]
    spare = [w for w in words if w and not _DATELINE_WORD.match(w)]
    return len(spare) <= _DATELINE_SPARE_WORDS


def is_link_headline(line: str, key: str, links: frozenset[str]) -> bool:
    """Whether a line is another story's headline: the whole text of a link on the page.

    A list item may add the teaser after the linked headline ("- Pats place Olszewski on IR
    New England's roster is re-shuffling"), and a promo may add a tag ("... [INSIGHT]").
    A line ending like a sentence is left alone: in-text links are sentences.
    """
    bullet = line.startswith(("- ", "• "))
    if line[-1:] not in ".:;?!":
        if key in links:
            return True
        bare = _BRACKET_TAIL.sub("", line)
        if bare != line and normalize_line(bare) in links:
            return True
    if bullet:
        words = key.split()
        return any(" ".join(words[:i]) in links for i in range(_HEADLINE_MIN_WORDS, len(words)))
    return False


def strip_page_furniture(paragraphs: Sequence[str], meta: PageMetadata, links: frozenset[str]) -> BodyLines:
    """Drop the lead block, link-headline lines and press-release trailers.

    Only the lead zone is compared with the page's headline and standfirst forms: further
    down, a sentence that happens to equal the title is left to strip_residual's exact test.
    """
    headlines = [normalize_line(h) for h in meta.headlines]
    # The meta description is often the first paragraph itself: it is only a standfirst to
    # drop when the page shows one apart from the body (meta.subtitle).
    descriptions = [normalize_line(d) for d in meta.descriptions] if meta.subtitle else []
    names = {normalize_line(a) for a in meta.authors}
    kept: list[str] = []
    removed: list[str] = []
    reasons: list[ResidualReason] = []
    in_lead = True
    for index, line in enumerate(paragraphs):
        if _END_MARK.match(line):
            removed.extend(paragraphs[index:])
            reasons.extend([ResidualReason.RELEASE_TRAILER] * (len(paragraphs) - index))
            break
        key = normalize_line(_BULLET.sub("", line))
        reason: ResidualReason | None = None
        if in_lead:
            reason = _lead_reason(line, key, headlines, descriptions)
            if reason is None and key in names:
                reason = ResidualReason.BYLINE
            if reason is None and (len(line) >= _LEAD_BODY_CHARS or len(kept) >= _LEAD_MAX_LINES):
                in_lead = False
        if reason is None and is_link_headline(line, key, links):
            reason = ResidualReason.LINK_HEADLINE
        if reason is None and _RELEASE_TRAILER.match(line):
            reason = ResidualReason.RELEASE_TRAILER
        if reason is None:
            kept.append(line)
        else:
            removed.append(line)
            reasons.append(reason)
    return BodyLines(tuple(kept), tuple(removed), tuple(reasons))


def _run_trafilatura(tree: HtmlElement, config: ExtractConfig, url: str | None) -> str:
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=config.fast,
        include_comments=config.include_comments,
        include_tables=config.include_tables,
        include_images=False,
        include_links=False,
        include_formatting=False,
        favor_precision=config.favor_precision,
        favor_recall=config.favor_recall,
        deduplicate=False,
        with_metadata=False,
        output_format="python",
    )
    if doc is None:
        return ""
    text = getattr(doc, "text", None)
    return text if isinstance(text, str) else ""


def extract_html(html: str, config: ExtractConfig, url: str | None = None) -> Extraction:
    """The article body and metadata of one HTML page; empty text when none is found."""
    input_chars = _visible_chars(html)
    tree = load_html(html)
    if tree is None:
        return Extraction(text="", input_chars=input_chars, language=declared_language(html))
    # bare_extraction works on its own copy, so `tree` is still whole for the metadata.
    raw_text = _run_trafilatura(tree, config, url)
    meta = page_metadata(tree, url)
    paragraphs = [p for p in (" ".join(line.split()) for line in raw_text.split("\n")) if p]
    body = strip_page_furniture(paragraphs, meta, link_texts(tree))
    residual = strip_residual(body.kept, title=meta.title, subtitle=meta.subtitle)
    related = tuple(dict.fromkeys((*meta.related, *residual.related)))
    credits = tuple(dict.fromkeys((*meta.image_credits, *residual.image_credits)))
    return Extraction(
        text="\n\n".join(residual.kept),
        title=meta.title,
        subtitle=meta.subtitle,
        authors=meta.authors,
        published=meta.published,
        section=meta.section,
        source_agency=residual.source_agency or meta.source_agency,
        site_name=meta.site_name,
        url=meta.url or url,
        language=meta.language,
        image_credits=credits,
        related=related,
        input_chars=input_chars,
        removed_lines=body.removed + residual.removed,
    )
