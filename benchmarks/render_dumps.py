"""Render HTML pages to plain-text dumps the way shared/eval/textdump was built.

    python benchmarks/render_dumps.py HTML_SET OUT_DIR [--check TEXTDUMP_SET]

HTML_SET is a directory with html/<id>.html.gz and ground-truth.json (e.g.
shared/eval/readability-news). OUT_DIR gets pages/<id>.txt, a copy of ground-truth.json and
captions.json, so it reads like a text-dump set (write it under /tmp, never into the
repository). captions.json lists per page the text lines of figcaption elements and of
elements whose class or id names a caption or a credit; the trainer labels those lines
non-body (see train_textdump.py).
The rendering follows shared/eval/textdump/README.md: the page decoded as UTF-8 (errors
replaced), what a browser would not show removed (head, script, style, noscript, template,
svg, iframe/frame, object/embed, select/option/datalist, hidden inputs, `hidden` elements and
inline display:none / visibility:hidden), then html-text 0.7.1 `extract_text(tree,
guess_layout=True)`, lines stripped and runs of blank lines collapsed to one.

--gold-from-corpusclean writes ground-truth.json from corpusclean's own HTML extraction of
each page (corpusclean.extract.html.extract_html, default config) instead of copying the set's
gold: labels that follow the scrapinghub convention (no captions, standfirsts or bylines),
for training the text-dump model on pages whose own gold labels another way.

--check TEXTDUMP_SET re-renders the scrapinghub pages behind a text-dump set (its
../scrapinghub/html) and counts the dumps that differ from the set's own, to show the
renderer matches the one the gold set was built with.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import sys
from pathlib import Path

# Run as a script, this folder comes first on sys.path, and benchmarks/html.py would shadow the
# standard library's html module (imported by trafilatura): take the folder off first.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import html_text
import lxml.html  # type: ignore[import-untyped]

from corpusclean.config import ExtractConfig
from corpusclean.extract.html import extract_html

_INVISIBLE_TAGS = (
    "head",
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "frame",
    "object",
    "embed",
    "select",
    "option",
    "datalist",
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _invisible(element: lxml.html.HtmlElement) -> bool:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag.split("}")[-1].lower() in _INVISIBLE_TAGS:
        return True
    if tag.lower() == "input" and (element.get("type") or "").lower() == "hidden":
        return True
    if element.get("hidden") is not None:
        return True
    return bool(_HIDDEN_STYLE.search(element.get("style") or ""))


# Caption and credit blocks: figcaption, or a class/id naming a caption or a credit.
_CAPTION_NAME = re.compile(r"caption|credit", re.IGNORECASE)
_CAPTION_MAX_CHARS = 600


def _caption_lines(tree: lxml.html.HtmlElement) -> list[str]:
    out: list[str] = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        named = _CAPTION_NAME.search(f"{element.get('class') or ''} {element.get('id') or ''}")
        if element.tag.lower() != "figcaption" and not named:
            continue
        text = html_text.extract_text(element, guess_layout=True)
        if len(text) <= _CAPTION_MAX_CHARS:
            out.extend(line.strip() for line in text.split("\n") if line.strip())
    return list(dict.fromkeys(out))


def render_with_captions(html: str) -> tuple[str, list[str]]:
    """The plain-text dump of one HTML page, and the text lines of its caption/credit blocks."""
    tree = html_text.parse_html(html)
    for element in list(tree.iter()):
        if element.getparent() is not None and _invisible(element):
            element.drop_tree()
    captions = _caption_lines(tree)
    text = html_text.extract_text(tree, guess_layout=True)
    lines = [line.strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n", captions


def render(html: str) -> str:
    """The plain-text dump of one HTML page."""
    return render_with_captions(html)[0]


def read_html(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def check(textdump: Path) -> None:
    html_dir = textdump.parent / "scrapinghub" / "html"
    differ = 0
    ids = sorted(p.name[: -len(".txt")] for p in (textdump / "pages").glob("*.txt"))
    for page_id in ids:
        ours = render(read_html(html_dir / f"{page_id}.html.gz"))
        theirs = (textdump / "pages" / f"{page_id}.txt").read_text("utf-8")
        if ours.strip() != theirs.strip():
            differ += 1
    print(f"{differ} of {len(ids)} dumps differ from {textdump}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("html_set", type=Path, help="directory with html/<id>.html.gz and ground-truth.json")
    parser.add_argument("out", type=Path, help="output directory (pages/<id>.txt, ground-truth.json)")
    parser.add_argument("--check", type=Path, help="a text-dump set to compare the renderer against")
    parser.add_argument(
        "--gold-from-corpusclean",
        action="store_true",
        help="label the pages with corpusclean's HTML extraction instead of the set's gold",
    )
    args = parser.parse_args()
    if args.check is not None:
        check(args.check)
    (args.out / "pages").mkdir(parents=True, exist_ok=True)
    if not args.gold_from_corpusclean:
        shutil.copyfile(args.html_set / "ground-truth.json", args.out / "ground-truth.json")
    gold = json.loads((args.html_set / "ground-truth.json").read_text("utf-8"))
    ours: dict[str, dict[str, str | None]] = {}
    captions: dict[str, list[str]] = {}
    for path in sorted((args.html_set / "html").glob("*.html.gz")):
        page_id = path.name[: -len(".html.gz")]
        html = read_html(path)
        dump, captions[page_id] = render_with_captions(html)
        (args.out / "pages" / f"{page_id}.txt").write_text(dump, encoding="utf-8")
        if args.gold_from_corpusclean:
            url = (gold.get(page_id) or {}).get("url")
            ours[page_id] = {"articleBody": extract_html(html, ExtractConfig(), url).text, "url": url}
    if args.gold_from_corpusclean:
        text = json.dumps(ours, ensure_ascii=False, indent=1)
        (args.out / "ground-truth.json").write_text(text, encoding="utf-8")
    (args.out / "captions.json").write_text(json.dumps(captions, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"rendered {len(captions)} pages to {args.out / 'pages'} (caption lines in captions.json)")


if __name__ == "__main__":
    main()
