"""HTML pages: trafilatura with explicit options, then our residual-boilerplate pass.

The page is parsed once: trafilatura extracts the body from (a copy of) our tree, and the
metadata is read off the same tree (:mod:`corpusclean.extract.metadata`). Where a site cuts
its article into several same-class containers, the ones trafilatura left out are merged
back from that tree (:func:`add_split_body`). What trafilatura keeps wrongly is then
removed line by line: the headline, standfirst, byline and dateline above the body, other
stories' headlines (lines that are the whole text of a link on the page), tag lists,
template residue, the closing "More stories"/"Comments" sections, contact lines and
press-release trailers, and the shared residual rules of :mod:`corpusclean.extract.residual`.

trafilatura's cross-document `deduplicate` cache is never used: it makes the
output depend on the order pages arrive in, which breaks determinism.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import trafilatura

# lxml ships no type stubs and the mypy overrides in pyproject do not list it yet.
from lxml import etree  # type: ignore[import-untyped]
from lxml import html as lxml_html
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.utils import is_dubious_html, repair_faulty_html

from corpusclean.config import ExtractConfig
from corpusclean.extract.metadata import PageMetadata, page_metadata
from corpusclean.extract.residual import (
    CONTACT_LAST_LINES,
    ResidualReason,
    boilerplate_reason,
    is_contact_line,
    markup_reason,
    normalize_line,
    related_headline,
    strip_residual,
)
from corpusclean.records import Extraction

_TAG = re.compile(r"<[^>]+>")
_INVISIBLE = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
# Where an _INVISIBLE match can start, and the white space and ">" that end a closing tag.
_INVISIBLE_START = re.compile(r"<(?:(script|style|noscript|template)\b|!--)", re.IGNORECASE)
_CLOSE_TAIL = re.compile(r"\s*>")
_HTML_LANG = re.compile(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)

# The lead zone: lines above the first body paragraph, where headline, standfirst, byline
# and dateline sit. It ends at the first line this long that repeats nothing, or after this
# many lines.
_LEAD_BODY_CHARS = 120
_LEAD_MAX_LINES = 8
# A standfirst is a sentence or two; a longer paragraph that equals the meta description is
# the lede the description was taken from, and stays.
_STANDFIRST_MAX_CHARS = 250
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
    r"|atualizado|publié|mis|à|jour|edt|est|cdt|cst|pdt|pst|gmt|utc|bst|cet|cest|ist|et|pt"
    r"|ago|mins?|minutes?|hrs?|hours?|days?|first)$",
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
# A bare section label ("You Might Also Like", "Comments", "Tags") this far into the body
# (share of its characters above it) opens the page's closing sections: what follows is
# teasers, slideshow controls and comment widgets, not more article.
_CLOSING_LABEL_AT = 0.8
_CLOSING_LABEL_CHARS = 60  # a section label is a few words
# Headings of other-stories boxes that the shared related rules do not name ("Other Opinion
# Columns", "More stories", "Latest news").
_CLOSING_HEADING = re.compile(
    r"^(?:other|more|latest|recent|popular)\s+(?:\w+\s+){0,2}(?:stories|articles|columns|news|posts|headlines|videos)\s*$",
    re.IGNORECASE,
)
_CLOSING_REASONS = frozenset({ResidualReason.RELATED, ResidualReason.COMMENTS, ResidualReason.TAGS})
# Tag lists: at least this many separated items, nearly all of them whole link texts.
_LIST_SEPARATOR = re.compile(r"\s*[,;|·•]\s*")
_LINK_LIST_MIN_ITEMS = 4
_LINK_LIST_SHARE = 0.8
_LINK_LIST_ITEM_CHARS = 30  # mean characters per item: tags are a few words each
# A date stamp line can sit anywhere when it says what it is ("First Published: Tuesday, ...").
_STAMP_LEAD = re.compile(r"^(?:first\s+|last\s+)?(?:updated|published|posted|modified)\b", re.IGNORECASE)
# A link text shorter than this many words is a menu item, not another story's headline.
_HEADLINE_MIN_WORDS = 4


# Split bodies: some sites cut the article into several containers of the same tag and class
# with ad rows between them, and trafilatura keeps only the first. A same-class container
# counts as more of the body when it sits near the first one in the tree (their common
# ancestor at most this many levels above it) and holds real prose (see add_split_body).
_SPLIT_MAX_LEVELS = 3
_SPLIT_ANCHOR_CHARS = 100  # the extracted paragraph used to find the body container
_SPLIT_MATCH_CHARS = 40  # characters of its start that find it in the tree
_SPLIT_PROSE_CHARS = 80  # a paragraph this long is prose, not a label or teaser
_SPLIT_MIN_PROSE = 2  # prose paragraphs a container must add
_SPLIT_MAX_LINK_SHARE = 0.3  # teasers are mostly link text
_SPLIT_OVERLAP_CHARS = 40  # a paragraph whose start or end the extraction has is not new
_SPLIT_SKIP = frozenset({"aside", "figure", "nav", "footer", "form", "blockquote"})


@dataclass(frozen=True, slots=True)
class BodyLines:
    """Body lines after the HTML-specific pass, with what it dropped and why."""

    kept: tuple[str, ...]
    removed: tuple[str, ...]
    reasons: tuple[ResidualReason, ...]


def _html_parser() -> etree.HTMLParser:
    """trafilatura's parser settings, with lxml's C-level element class lookup.

    lxml.html's parsers pick each element's Python class by calling a Python method every
    time lxml makes an element object, and trafilatura's passes over the tree make hundreds
    of thousands of them (447,289 for the 181 scrapinghub pages). With this lookup
    extract_html takes ~5% less CPU a page (the two loaders alternated page by page:
    14.91 vs 15.63 ms, 14.53 vs 15.33 ms), with the same outputs on the 264 pages tried
    (benchmarks/RESULTS-html.md, round 5). Every element here is a plain
    HtmlElement (forms and inputs lose their form-only helper classes, which neither
    trafilatura nor we use); comments and processing instructions keep their HTML classes.
    """
    parser = lxml_html.HTMLParser(
        collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True
    )
    lookup = etree.ElementDefaultClassLookup(
        element=HtmlElement,
        comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction,
        entity=lxml_html.HtmlEntity,
    )
    parser.set_element_class_lookup(lookup)
    return parser


_PARSER = _html_parser()


def _fromstring(html: str | bytes) -> HtmlElement | None:
    try:
        tree: HtmlElement = lxml_html.fromstring(html, parser=_PARSER)
    except (ValueError, TypeError, etree.LxmlError):  # trafilatura's load_html: no tree either
        return None
    return tree


def load_html(html: str) -> HtmlElement | None:
    """The page's tree, or None when it is not HTML: `trafilatura.utils.load_html` step by
    step (its decoding, checks and repairs), parsed with `_PARSER`."""
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    text = repair_faulty_html(html, beginning)
    tree = _fromstring(text)
    if tree is None or len(tree) < 1:
        # A declared encoding makes lxml refuse a str; an empty parse may parse as bytes.
        tree = _fromstring(text.encode("utf8", "surrogatepass"))
    if tree is not None and dubious and len(tree) < 2:
        return None  # not (well-formed) HTML: one block, no <html>
    return tree


def declared_language(html: str) -> str | None:
    match = _HTML_LANG.search(html[:20_000])
    return match.group(1).lower() if match else None


def _visible_chars(html: str) -> int:
    """Rough size of the page's text, for the boilerplate-removed ratio in reports."""
    return len(" ".join(_TAG.sub(" ", strip_invisible(html)).split()))


def _invisible_end(html: str, start: re.Match[str]) -> int | None:
    """Where the _INVISIBLE match opened by `start` ends, or None if it does not close.

    The lazy `.*?` of _INVISIBLE tries to close the element at every character of a
    script; only a "</" can begin a closing tag, so those are the places looked at.
    Names or closing tags with non-ASCII letters (which re.IGNORECASE may match to
    ASCII ones) are left to _INVISIBLE itself.
    """
    name = start.group(1)
    if name is None:  # <!-- ... -->
        close = html.find("-->", start.end())
        return close + 3 if close >= 0 else None
    if name.isascii():
        key = name.lower()
        at = start.end()
        while (at := html.find("</", at)) >= 0:
            candidate = html[at + 2 : at + 2 + len(key)]
            if not candidate.isascii():
                break
            if candidate.lower() == key and (tail := _CLOSE_TAIL.match(html, at + 2 + len(key))):
                return tail.end()
            at += 1
        else:
            return None
    match = _INVISIBLE.match(html, start.start())
    return match.end() if match else None


def strip_invisible(html: str) -> str:
    """`_INVISIBLE.sub(" ", html)`, three times faster: scripts, styles, templates and comments out."""
    pieces: list[str] = []
    last = at = 0
    while (start := _INVISIBLE_START.search(html, at)) is not None:
        end = _invisible_end(html, start)
        if end is None:
            at = start.start() + 1
            continue
        pieces += (html[last : start.start()], " ")
        last = at = end
    pieces.append(html[last:])
    return "".join(pieces)


def link_texts(tree: HtmlElement) -> frozenset[str]:
    """Normalized texts of the page's links that are long enough to be headlines."""
    texts: set[str] = set()
    for anchor in tree.iter("a"):
        text = anchor.text_content()
        # Words are counted both ways: "[ Engadget ]" is padded by spaces and punctuation,
        # and a URL ("http://amzn.to/2iJFhRj") is one word, not a headline.
        if text.count(" ") + 1 >= _HEADLINE_MIN_WORDS and len(text.split()) >= _HEADLINE_MIN_WORDS:
            key = normalize_line(text)
            if key.count(" ") + 1 >= _HEADLINE_MIN_WORDS:
                texts.add(key)
    return frozenset(texts)


def all_link_texts(tree: HtmlElement) -> frozenset[str]:
    """Normalized texts of all the page's links (for tag lists; only built when a line looks like one)."""
    return frozenset(key for key in (normalize_line(a.text_content()) for a in tree.iter("a")) if key)


def is_list_shaped(line: str) -> bool:
    """Whether a line could be a tag list: enough short items and no sentence ending."""
    if line[-1:] in '.?!"”':
        return False
    items = len(_LIST_SEPARATOR.findall(line)) + 1
    return items >= _LINK_LIST_MIN_ITEMS and len(line) <= _LINK_LIST_ITEM_CHARS * items


def is_link_list(line: str, every_link: frozenset[str]) -> bool:
    """Whether a line is a run of link texts ("stock car brasil, stock car cascavel, ..."): a tag list."""
    parts = [normalize_line(p) for p in _LIST_SEPARATOR.split(line)]
    parts = [p for p in parts if p]
    if len(parts) < _LINK_LIST_MIN_ITEMS:
        return False
    return sum(p in every_link for p in parts) >= _LINK_LIST_SHARE * len(parts)


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
    if descriptions and len(line) <= _STANDFIRST_MAX_CHARS and _repeats(key, descriptions):
        return ResidualReason.SUBTITLE_REPEAT
    if len(line) <= _LEAD_META_CHARS and (_BYLINE.match(line) or is_dateline(line)):
        return ResidualReason.BYLINE
    return None


def is_dateline(line: str) -> bool:
    """Whether a short line is only a date stamp ("UPDATED: Tue., Nov. 19, 2019", "posted on April 21, 2015")."""
    if not _DATE_WORDS.search(line):
        return False
    words = [w.strip(":,;()[]|/–—-") for w in _BULLET.sub("", line).split()]
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


def _plain(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _container_prose(container: HtmlElement, extracted: str) -> list[str]:
    """Prose paragraphs of a container that the extraction lacks, in document order.

    `extracted` is the extraction normalized and joined: trafilatura may have cut a
    paragraph in two or joined it with the next, so a paragraph whose start or end is
    already there is not new.
    """
    found: list[str] = []
    for para in container.iter("p"):
        if any(a.tag in _SPLIT_SKIP for a in para.iterancestors() if a is not container):
            continue
        text = _plain(para)
        if len(text) < _SPLIT_PROSE_CHARS:
            continue
        key = normalize_line(text)
        if key[:_SPLIT_OVERLAP_CHARS] in extracted or key[-_SPLIT_OVERLAP_CHARS:] in extracted:
            continue
        link_chars = sum(len(_plain(a)) for a in para.iter("a"))
        if link_chars <= _SPLIT_MAX_LINK_SHARE * len(text):
            found.append(text)
    return found


def _source_paragraph(tree: HtmlElement, text: str) -> HtmlElement | None:
    """The <p> an extracted paragraph came from, matched on its start.

    Most paragraphs open with a text node, which is cheap to compare; one that opens with a
    link or emphasis is looked up on its whole text content.
    """
    start = text[:_SPLIT_MATCH_CHARS]
    for para in tree.iter("p"):
        head = para.text
        if head and " ".join(head[: 4 * _SPLIT_MATCH_CHARS].split()).startswith(start):
            return para
    found = tree.xpath("//p[starts-with(normalize-space(.), $start)]", start=start)
    return found[0] if found else None


def add_split_body(tree: HtmlElement, paragraphs: Sequence[str]) -> list[str]:
    """`paragraphs` with the prose of the body's sibling containers merged in, in document order.

    The body container is the parent of the first long extracted paragraph; only a container
    with its exact tag and class, close to it in the tree, that adds at least
    _SPLIT_MIN_PROSE prose paragraphs is merged. On most pages no other container shares the
    class and this costs a scan of the <p> elements' first text and one XPath over a subtree.
    """
    anchor = next((p for p in paragraphs if len(p) >= _SPLIT_ANCHOR_CHARS), None)
    if anchor is None:
        return list(paragraphs)
    source = _source_paragraph(tree, anchor)
    if source is None or source.getparent() is None:
        return list(paragraphs)
    body = source.getparent()
    css = body.get("class")
    if not css or not css.strip():
        return list(paragraphs)
    # Only the subtree _SPLIT_MAX_LEVELS above the body is searched: a same-class container
    # further away is another part of the page (a footer box, a sidebar widget).
    top = body
    for _ in range(_SPLIT_MAX_LEVELS):
        parent = top.getparent()
        if parent is None:
            break
        top = parent
    same = top.xpath(f".//{body.tag}[@class=$css]", css=css)
    if len(same) < 2:
        return list(paragraphs)
    extracted = normalize_line(" ".join(paragraphs))
    before: list[str] = []
    after: list[str] = []
    seen_body = False
    for other in same:
        if other is body:
            seen_body = True
            continue
        if body in set(other.iterancestors()) or other in set(body.iterancestors()):
            continue  # nested containers: the outer one already holds the body
        prose = _container_prose(other, extracted)
        if len(prose) >= _SPLIT_MIN_PROSE:
            (after if seen_body else before).extend(prose)
    if not before and not after:
        return list(paragraphs)
    own = {_plain(p) for p in body.iter("p")}
    indices = [i for i, p in enumerate(paragraphs) if p in own]
    first = indices[0] if indices else 0
    last = indices[-1] + 1 if indices else len(paragraphs)
    return [*paragraphs[:first], *before, *paragraphs[first:last], *after, *paragraphs[last:]]


def _late_line_reason(line: str, near_end: bool, every_link: frozenset[str]) -> ResidualReason | None:
    """The rules that hold anywhere in the body: residue, stamps, tag lists, contact lines."""
    reason = markup_reason(line)
    if reason is not None:
        return reason
    if len(line) <= _LEAD_META_CHARS and _STAMP_LEAD.match(line) and is_dateline(line):
        return ResidualReason.BYLINE
    if every_link and is_list_shaped(line) and is_link_list(line, every_link):
        return ResidualReason.TAGS
    if near_end and is_contact_line(line):
        return ResidualReason.CONTACT_TRAILER
    return None


def is_closing_label(line: str, reason: ResidualReason | None) -> bool:
    """Whether a line is only the heading of a closing section: a label, not a teaser."""
    if _CLOSING_HEADING.match(line):
        return True
    if reason not in _CLOSING_REASONS:
        return False
    return reason is not ResidualReason.RELATED or related_headline(line) is None


def strip_page_furniture(
    paragraphs: Sequence[str], meta: PageMetadata, links: frozenset[str], every_link: frozenset[str] = frozenset()
) -> BodyLines:
    """Drop the lead block, link-headline lines, tag lists, template residue, late date
    stamps, closing contact lines, the closing sections and press-release trailers.

    `every_link` (all link texts, for tag lists) may be empty to skip that rule. Only the
    lead zone is compared with the page's headline and standfirst forms: further down, a
    sentence that happens to equal the title is left to strip_residual's exact test.
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
    total_chars = sum(len(line) for line in paragraphs)
    chars_above = 0
    for index, line in enumerate(paragraphs):
        if _END_MARK.match(line):
            removed.extend(paragraphs[index:])
            reasons.extend([ResidualReason.RELEASE_TRAILER] * (len(paragraphs) - index))
            break
        bare = _BULLET.sub("", line).lstrip("[(")
        # strip_residual's rules are anchored at the line start, which a list bullet hides
        # ("- Share on Twitter").
        closing = chars_above >= _CLOSING_LABEL_AT * total_chars and len(bare) <= _CLOSING_LABEL_CHARS
        label = boilerplate_reason(bare) if bare != line or closing else None
        if closing and is_closing_label(bare, label):
            removed.extend(paragraphs[index:])
            reasons.extend([ResidualReason.CLOSING_SECTION] * (len(paragraphs) - index))
            break
        chars_above += len(line)
        key = normalize_line(bare)
        reason: ResidualReason | None = label if bare != line else None
        if in_lead and reason is None:
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
            reason = _late_line_reason(line, index >= len(paragraphs) - CONTACT_LAST_LINES, every_link)
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
    paragraphs = add_split_body(tree, paragraphs)
    every_link = all_link_texts(tree) if any(is_list_shaped(p) for p in paragraphs) else frozenset()
    body = strip_page_furniture(paragraphs, meta, link_texts(tree), every_link)
    standfirst = meta.subtitle if meta.subtitle and len(meta.subtitle) <= _STANDFIRST_MAX_CHARS else None
    residual = strip_residual(body.kept, title=meta.title, subtitle=standfirst)
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
