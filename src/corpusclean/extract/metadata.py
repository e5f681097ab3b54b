"""Page metadata read off the parsed HTML tree: JSON-LD, OpenGraph and meta tags first, markup second.

Everything here reads what the page states; nothing is guessed from the body text. The
order of sources per field is the order of trust: an editor filled in JSON-LD and the
OpenGraph tags for machines, while a `<title>` carries the site name and a byline carries
job titles. htmldate is only asked for a date when the page states none, with its free-text
search off, because that search is how a footer's "© 2019" becomes a publication date.

The tree is the one trafilatura parsed (see :mod:`corpusclean.extract.html`), so a page is
parsed once, and the elements the markup rules look at (bylines, captions, related boxes,
date stamps, the first h1, title and canonical link) are found in one pass over it
(:func:`mark_elements`) instead of seven full-document XPath queries, the costliest of
which (the byline's contains() tests) took as long as the whole pass does.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import htmldate

# lxml ships no type stubs and the mypy overrides in pyproject do not list it yet.
from lxml.etree import Element  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]

from corpusclean.extract.residual import normalize_line

_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "scholarlyarticle",
        "techarticle",
        "report",
        "liveblogposting",
        "socialmediaposting",
        "webpage",
    }
)

# News agencies as bylines and credit lines spell them, to the short name the corpus uses.
# An agency in a byline is the source of the story, not one of its authors.
AGENCIES: dict[str, str] = {
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "dpa": "dpa",
    "deutsche presse-agentur": "dpa",
    "efe": "EFE",
    "agencia efe": "EFE",
    "ansa": "ANSA",
    "anadolu agency": "AA",
    "anadolu ajansı": "AA",
    "aa": "AA",
    "upi": "UPI",
    "pa": "PA",
    "pa media": "PA",
    "press association": "PA",
    "xinhua": "Xinhua",
    "kyodo": "Kyodo",
    "kyodo news": "Kyodo",
    "yonhap": "Yonhap",
    "tass": "TASS",
    "apa": "APA",
    "kna": "KNA",
    "epd": "epd",
    "sda": "SDA",
    "europa press": "Europa Press",
    "pti": "PTI",
    "ians": "IANS",
    "ani": "ANI",
    "bernama": "Bernama",
    "antara": "Antara",
    "cna": "CNA",
    "aap": "AAP",
    "australian associated press": "AAP",
    "cp": "CP",
    "the canadian press": "CP",
    "canadian press": "CP",
    "bloomberg": "Bloomberg",
}

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "published_time",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "dcterms.date",
    "date",
    "original-publish-date",
    "cxenseparse:recs:publishtime",
)
_DESCRIPTION_META = ("og:description", "description", "twitter:description")
_TITLE_META = ("og:title", "twitter:title")
_AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author", "byl")

_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_TITLE_SPLIT = re.compile(r"\s+[|–—·•]\s+|\s+-\s+|\s+::\s+")
_BYLINE_LEAD = re.compile(r"^(?:by|von|par|por|di|oleh|door|av|af)\s+|^(?:words|text|written)\s*(?::|by)\s*", re.I)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b|·|\||/)\s*", re.I)
_STANDFIRST_CLASS = re.compile(
    r"standfirst|sub-?title|subhead|dek\b|deck\b|excerpt|summary|teaser|strapline|lede|intro|description|abstract",
    re.I,
)
_BYLINE_CANDIDATES = 8  # byline elements tried, in document order
_CAPTION_CANDIDATES = 40  # caption and credit elements read, in document order
_ROLE_CLASS = re.compile(r"role|title|job|position|bio|date|time", re.I)
_NAME_SHAPE = re.compile(r"^[^\W\d_][\w.'’-]*(?:\s+[^\W\d_][\w.'’-]*){0,4}$")
_RELATED_WORDS = r"related|read-?more|readmore|lesetipp|more-?on|also-?read|see-?also|further-?reading|inline-?link"
_RELATED_CLASS = re.compile(_RELATED_WORDS, re.I)
# The same test on lower-cased ASCII, five times faster than re.I; it runs on every class and id.
_RELATED_CLASS_LOWER = re.compile(_RELATED_WORDS)
# Caption credits: "(AP Photo/Elena Brandt)", "Photo: AFP", "Foto: dpa", "Picture: Gemma Royle",
# "Photographs by Ines Harrow", "(Image: Ashcombe Evening Star)", "Credit: ...".
_CREDIT_LABEL = re.compile(
    r"(?:^|[\s(\[])(?:photos?|photographs?|pictures?|images?|fotos?|bild|credit|crédit|imagen|foto\s*credit"
    r"|photo\s*credit|image\s*credit|illustration)\s*(?::|by\b|von\b)\s*(?P<credit>[^()\[\]·|;]{2,60}?)\s*(?:[)\]]|$|[·|;])",
    re.I,
)
_CREDIT_PAREN = re.compile(r"\((?P<credit>(?:AP|AFP|Reuters|EPA|Getty|dpa|AAP|PA)\b[^()]{0,50})\)\s*$")
_CREDIT_CLASS = re.compile(r"credit|quelle|source|copyright|photographer", re.I)
_SPACE = re.compile(r"\s+")


@dataclass(slots=True)
class MarkedElements:
    """The elements the markup rules read, in document order, from one pass over the document.

    Each list holds what its rule's element test accepts; the tests on ancestors (a byline
    inside comments, a caption in a footer, a related box outside the article) are left to
    the rules, since they concern the few elements found, not every element of the page.
    """

    bylines: list[HtmlElement] = field(default_factory=list)
    captions: list[HtmlElement] = field(default_factory=list)
    related_boxes: list[HtmlElement] = field(default_factory=list)
    date_stamps: list[HtmlElement] = field(default_factory=list)
    canonical_links: list[HtmlElement] = field(default_factory=list)
    h1: HtmlElement | None = None
    title: HtmlElement | None = None


def _names_related_box(css: str | None, ident: str | None) -> bool:
    key = f"{css or ''} {ident or ''}"
    if key.isascii():
        return _RELATED_CLASS_LOWER.search(key.lower()) is not None
    return _RELATED_CLASS.search(key) is not None


def mark_elements(tree: HtmlElement) -> MarkedElements:
    """One pass over the whole document `tree` belongs to (as `//` XPath paths see it).

    The element tests are the XPath tests the rules used before (contains() is a
    case-sensitive substring test): a byline has rel or itemprop "author", or a class
    containing "byline", "author" or "by-line", or exactly "by"; a caption is a <figcaption>
    or has a class containing "caption", "credit" or "quelle"; a related box has a class or
    id matching _RELATED_CLASS; a date stamp has itemprop "datePublished", or is a
    <time datetime> with a pubdate attribute or a class containing "publish".
    """
    marked = MarkedElements()
    for element in tree.getroottree().getroot().iter(Element):
        tag = element.tag
        css = element.get("class")
        rel = element.get("rel")
        itemprop = element.get("itemprop")
        ident = element.get("id")
        author = rel == "author" or itemprop == "author"
        if css is None:
            if author:
                marked.bylines.append(element)
            if tag == "figcaption":
                marked.captions.append(element)
        else:
            if author or css == "by" or "byline" in css or "author" in css or "by-line" in css:
                marked.bylines.append(element)
            if tag == "figcaption" or "caption" in css or "credit" in css or "quelle" in css:
                marked.captions.append(element)
        if (css is not None or ident is not None) and _names_related_box(css, ident):
            marked.related_boxes.append(element)
        if itemprop == "datePublished" or (
            tag == "time"
            and element.get("datetime") is not None
            and (element.get("pubdate") is not None or (css is not None and "publish" in css))
        ):
            marked.date_stamps.append(element)
        if tag == "h1" and marked.h1 is None:
            marked.h1 = element
        elif tag == "title" and marked.title is None:
            marked.title = element
        elif tag == "link" and rel == "canonical" and element.get("href") is not None:
            marked.canonical_links.append(element)
    return marked


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """The fields a page states about itself; None or empty when it states nothing."""

    title: str | None = None
    subtitle: str | None = None  # the standfirst as shown on the page; None if only a meta tag has it
    headlines: tuple[str, ...] = ()  # every stated form of the title, to spot repeats in the body
    descriptions: tuple[str, ...] = ()  # every stated summary, to spot standfirst repeats
    authors: tuple[str, ...] = ()
    published: str | None = None  # ISO date or date-time
    section: str | None = None
    site_name: str | None = None
    url: str | None = None  # canonical URL as stated (absolute)
    language: str | None = None  # declared: html lang, og:locale, inLanguage
    source_agency: str | None = None
    image_credits: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


def _text(element: HtmlElement) -> str:
    return _SPACE.sub(" ", element.text_content()).strip()


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


def meta_tags(tree: HtmlElement) -> dict[str, list[str]]:
    """Meta tag values by lower-cased property, name or itemprop, in page order."""
    found: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        content = element.get("content")
        if not content or not content.strip():
            continue
        for attribute in ("property", "name", "itemprop"):
            key = element.get(attribute)
            if key:
                found.setdefault(key.strip().lower(), []).append(content.strip())
    return found


def _walk_ld(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for item in node:
            yield from _walk_ld(item)
    elif isinstance(node, dict):
        yield node
        if "@graph" in node:
            yield from _walk_ld(node["@graph"])


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).lower() for v in values if v}


def json_ld_article(tree: HtmlElement) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first article-like JSON-LD object and the first publisher/website-like one."""
    article: dict[str, Any] = {}
    site: dict[str, Any] = {}
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue  # broken JSON-LD is common; the meta tags still speak
        for node in _walk_ld(data):
            types = _types(node)
            if not article and types & _ARTICLE_TYPES and ("headline" in node or "datePublished" in node):
                article = node
            elif not site and types & {"website", "newsmediaorganization", "organization"} and "name" in node:
                site = node
    return article, site


def _ld_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _ld_str(value.get("name"))
    if isinstance(value, list) and value:
        return _ld_str(value[0])
    return None


def _ld_people(value: Any) -> list[tuple[str, bool]]:
    """(name, is_organization) pairs of a JSON-LD author value."""
    items = value if isinstance(value, list) else [value]
    people: list[tuple[str, bool]] = []
    for item in items:
        if isinstance(item, str) and item.strip():
            people.append((item.strip(), False))
        elif isinstance(item, dict):
            name = _ld_str(item.get("name"))
            if name:
                people.append((name, "organization" in _types(item) or "newsmediaorganization" in _types(item)))
    return people


def agency_name(text: str) -> str | None:
    """The agency `text` names on its own ("Agence France-Presse" gives "AFP"), else None."""
    return AGENCIES.get(text.strip(" .()").lower())


def split_byline(text: str) -> tuple[list[str], str | None]:
    """Authors and agency of a byline: "By Léa Fournier, AFP" gives (["Léa Fournier"], "AFP")."""
    text = _BYLINE_LEAD.sub("", text.strip())
    names: list[str] = []
    agency: str | None = None
    for part in _NAME_SPLIT.split(text):
        part = _BYLINE_LEAD.sub("", part.strip(" .:-–—"))
        if not part:
            continue
        found = agency_name(part)
        if found:
            agency = agency or found
        elif _NAME_SHAPE.match(part) and not part.startswith("http"):
            names.append(part)
    return names, agency


def _byline_names(element: HtmlElement) -> str:
    """A byline element's text without its job-title and date parts."""
    parts: list[str] = []
    if element.text:
        parts.append(element.text)
    for child in element:
        if not isinstance(child.tag, str):
            pass
        elif not _ROLE_CLASS.search(child.get("class") or "") and child.tag != "time":
            parts.append(child.text_content())
        if child.tail:
            parts.append(child.tail)
    return _SPACE.sub(" ", " ".join(parts)).strip()


def _byline_elements(root: HtmlElement, marked: MarkedElements) -> Iterator[HtmlElement]:
    """Byline elements below `root`, outside comment sections, the first _BYLINE_CANDIDATES."""
    whole_document = root.getparent() is None
    found = 0
    for element in marked.bylines:
        if element is root:
            continue
        ancestors = list(element.iterancestors())
        if not whole_document and not any(a is root for a in ancestors):
            continue
        if any("comment" in (a.get("class") or "") for a in ancestors):
            continue
        yield element
        found += 1
        if found == _BYLINE_CANDIDATES:
            return


def _markup_byline(root: HtmlElement, marked: MarkedElements) -> tuple[list[str], str | None]:
    for element in _byline_elements(root, marked):
        # Links inside a byline are the names themselves, free of roles and dates.
        links = [_text(a) for a in element.iter("a") if a.get("rel") != "tag"]
        text = ", ".join(links) if links else _byline_names(element)
        if not text or len(text) > 120:
            continue
        names, agency = split_byline(text)
        if names or agency:
            return names, agency
    return [], None


def _authors(
    article: dict[str, Any], meta: dict[str, list[str]], root: HtmlElement, marked: MarkedElements
) -> tuple[list[str], str | None]:
    names: list[str] = []
    agency: str | None = None
    for name, is_org in _ld_people(article.get("author")):
        found = agency_name(name)
        if found:
            agency = agency or found
        elif not is_org:
            names.extend(split_byline(name)[0])
    if not names:
        for key in _AUTHOR_META:
            for value in meta.get(key, []):
                if value.startswith("http"):
                    continue  # article:author is often the author's profile URL
                found_names, found = split_byline(value)
                names.extend(found_names)
                agency = agency or found
            if names:
                break
    byline_names, byline_agency = _markup_byline(root, marked)
    if not names:
        names = byline_names
    return list(_unique(names)), agency or byline_agency


def _clean_date(value: str | None, today: dt.date) -> str | None:
    """A stated full date, not after `today`; never a bare year ("© 2019")."""
    if not value:
        return None
    value = value.strip()
    if not _FULL_DATE.match(value):
        return None
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
    return value if day <= today + dt.timedelta(days=1) else None


def _published(
    article: dict[str, Any],
    meta: dict[str, list[str]],
    tree: HtmlElement,
    url: str | None,
    today: dt.date,
    marked: MarkedElements,
) -> str | None:
    candidates: list[str | None] = [_ld_str(article.get("datePublished")), _ld_str(article.get("dateCreated"))]
    candidates += [value for key in _PUBLISHED_META for value in meta.get(key, [])]
    # itemprop="datePublished", and <time datetime> marked pubdate or with a "publish" class.
    candidates += [element.get("datetime") or element.get("content") for element in marked.date_stamps]
    for candidate in candidates:
        date = _clean_date(candidate, today)
        if date:
            return date
    # Nothing stated in the page's metadata: htmldate reads the markup (time elements,
    # URL, ...) but not free text, and never past today.
    try:
        found = htmldate.find_date(
            tree,
            url=url,
            original_date=True,
            extensive_search=False,
            outputformat="%Y-%m-%d",
            max_date=today.isoformat(),
        )
    except Exception:  # htmldate raises assorted errors on odd markup; a missing date is fine
        return None
    return _clean_date(found, today) if isinstance(found, str) else None


def _title_forms(title_tag: str | None, site_name: str | None) -> list[str]:
    if not title_tag:
        return []
    parts = [p.strip() for p in _TITLE_SPLIT.split(title_tag) if p.strip()]
    site_key = normalize_line(site_name) if site_name else ""
    # "Headline | Site" and "Site - Headline": the longest part that is not the site name.
    parts = [p for p in parts if normalize_line(p) != site_key]
    return [max(parts, key=len), title_tag] if parts else [title_tag]


def _visible_subtitle(descriptions: list[str], h1: HtmlElement | None) -> str | None:
    """The standfirst as shown under the headline, or None if the page shows none.

    A meta description that is not on the page is a search snippet, not a subtitle.
    """
    if h1 is None:
        return None
    keys = [normalize_line(d) for d in descriptions]
    seen = 0
    for element in h1.itersiblings():
        if not isinstance(element.tag, str) or element.tag in ("script", "style"):
            continue
        seen += 1
        # The standfirst comes before the body: a sibling holding paragraphs is the body.
        if seen > 4 or len(element.xpath(".//p")) > 2:
            break
        candidates = [element, *element.iter("p", "h2", "h3", "div", "span")][:6]
        for candidate in candidates:
            text = _text(candidate)
            if not text or len(text) > 400:
                continue
            key = normalize_line(text)
            if key in keys:
                return text
            if candidate.tag in ("p", "h2", "div") and _STANDFIRST_CLASS.search(candidate.get("class") or ""):
                return text
    return None


def _credits_of(text: str) -> list[str]:
    credits = [m.group("credit").strip(" .,") for m in _CREDIT_LABEL.finditer(text)]
    if not credits:
        paren = _CREDIT_PAREN.search(text)
        if paren:
            credits.append(paren.group("credit").strip())
    return [c for c in credits if c]


def image_credits(tree: HtmlElement, marked: MarkedElements | None = None) -> tuple[str, ...]:
    """Credits of the images in the article: captions and credit spans."""
    if marked is None:
        marked = mark_elements(tree)
    credits: list[str] = []
    for element in marked.captions[:_CAPTION_CANDIDATES]:
        if any(a.tag in ("footer", "aside") for a in element.iterancestors()):
            continue
        text = _text(element)
        if not text or len(text) > 500:
            continue
        found = _credits_of(text)
        if not found and _CREDIT_CLASS.search(element.get("class") or "") and len(text) <= 60:
            # A bare credit span: "(AP Photo/Elena Brandt)" or "Getty Images".
            found = [text.strip("() ")]
        credits.extend(found)
    return _unique(credits)


def related_links(tree: HtmlElement, marked: MarkedElements | None = None) -> tuple[str, ...]:
    """Headlines of related-story boxes inside the article ("Related", "READ MORE:", "Lesetipp")."""
    if marked is None:
        marked = mark_elements(tree)
    headlines: list[str] = []
    for box in marked.related_boxes:
        if not any(a.tag == "article" or a.get("itemprop") == "articleBody" for a in box.iterancestors()):
            continue
        for link in box.iter("a"):
            text = _text(link)
            if len(text.split()) >= 3:
                headlines.append(text)
    return _unique(headlines)


def _site_name(meta: dict[str, list[str]], site: dict[str, Any], article: dict[str, Any]) -> str | None:
    for key in ("og:site_name", "application-name", "twitter:app:name:iphone"):
        if meta.get(key):
            return meta[key][0]
    return _ld_str(article.get("publisher")) or _ld_str(site.get("name"))


def _canonical(marked: MarkedElements, meta: dict[str, list[str]], url: str | None) -> str | None:
    hrefs: list[str] = [str(link.get("href")) for link in marked.canonical_links]
    hrefs += meta.get("og:url", [])
    for href in hrefs:
        if href and href.strip():
            absolute = urllib.parse.urljoin(url or "", href.strip())
            if absolute.startswith(("http://", "https://")):
                return absolute
    return url


def _language(tree: HtmlElement, meta: dict[str, list[str]], article: dict[str, Any]) -> str | None:
    declared = tree.get("lang") or _ld_str(article.get("inLanguage"))
    if not declared and meta.get("og:locale"):
        declared = meta["og:locale"][0]
    if not declared and meta.get("content-language"):
        declared = meta["content-language"][0]
    if not declared:
        return None
    code = re.split(r"[-_]", declared.strip())[0].lower()
    return code if 2 <= len(code) <= 3 and code.isalpha() else None


def page_metadata(tree: HtmlElement, url: str | None = None, today: dt.date | None = None) -> PageMetadata:
    """Everything the page states about itself (see the module docstring for precedence)."""
    today = today or dt.datetime.now(dt.UTC).date()
    meta = meta_tags(tree)
    article, site = json_ld_article(tree)
    marked = mark_elements(tree)
    site_name = _site_name(meta, site, article)
    h1 = marked.h1
    h1_text = _text(h1) if h1 is not None else None
    title_tag = _text(marked.title) if marked.title is not None else None
    stated_titles = [_ld_str(article.get("headline")) or ""] + [v for k in _TITLE_META for v in meta.get(k, [])]
    headlines = _unique([*stated_titles, h1_text or "", *_title_forms(title_tag, site_name)])
    title = next((t for t in [*stated_titles, h1_text, *_title_forms(title_tag, site_name)] if t), None)
    descriptions = list(
        _unique([_ld_str(article.get("description")) or ""] + [v for k in _DESCRIPTION_META for v in meta.get(k, [])])
    )
    subtitle = _visible_subtitle(descriptions, h1)
    authors, agency = _authors(article, meta, tree, marked)
    section = _ld_str(article.get("articleSection")) or next(iter(meta.get("article:section", [])), None)
    return PageMetadata(
        title=title,
        subtitle=subtitle,
        headlines=headlines,
        descriptions=_unique([*descriptions, subtitle or ""]),
        authors=tuple(authors),
        published=_published(article, meta, tree, url, today, marked),
        section=section,
        site_name=site_name,
        url=_canonical(marked, meta, url),
        language=_language(tree, meta, article),
        source_agency=agency,
        image_credits=image_credits(tree, marked),
        related=related_links(tree, marked),
    )
