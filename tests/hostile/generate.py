"""A generator of hostile inputs, each with the exact outcome corpusclean must give it.

    python -m tests.hostile.generate OUTDIR     # write the corpus (e.g. to try it by hand)

Crawled data is hostile: empty and binary files named .html, legacy encodings with and
without a declared charset, UTF-16, BOMs, mojibake, control characters and terminal escape
codes, huge pages, deep nesting, single giant lines, truncated and bomb-like gzip, pages that
are only link lists, cookie banners or redirects, absurd dates, giant titles, unreadable
files and odd file names. Every case here is written by this module; none is downloaded.
"""

from __future__ import annotations

import gzip
import os
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from corpusclean.synth import paragraphs

KEPT = "kept"

_LEAD = (
    "The harbour board approved a plan on Tuesday to dredge the eastern channel before the winter storms, "
    "ending a dispute with fishing crews that had lasted most of the year."
)


def _body(story: int) -> tuple[str, ...]:
    # Every kept case gets its own story, so the cases do not deduplicate each other.
    return (_LEAD, *paragraphs(seed=99, index=story, count=4))


def article(
    story: int,
    title: str = "Harbour board approves dredging of eastern channel",
    *,
    extra_head: str = "",
    footer: str = "<p>© 2025 Harbour Times</p>",
) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in _body(story))
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>{extra_head}</head>"
        f"<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>{title}</h1>"
        f"<p class='byline'>By Mara Quinn, June 3, 2025</p>{body}</article><footer>{footer}</footer></body></html>"
    )


def dump(story: int, wrap: str = "{}") -> str:
    lines = ["NEWS", "Harbour board approves dredging of eastern channel", "June 3, 2025", ""]
    return "\n".join(lines + [x for p in _body(story) for x in (wrap.format(p), "")])


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass(frozen=True)
class Case:
    name: bytes  # file name (bytes: some names are not valid UTF-8)
    write: Callable[[Path], None]
    expected: str  # "kept" or a reject reason
    text_has: tuple[str, ...] = ()  # for kept pages: phrases the body must contain
    text_lacks: tuple[str, ...] = ()
    fields: dict[str, object] = field(default_factory=dict)  # for kept pages: exact field values


def _bytes(data: bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write


def _sparse(size: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with open(path, "wb") as fh:
            fh.truncate(size)

    return write


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dangling(path: Path) -> None:
    os.symlink(path.parent / "does-not-exist.html", path)


def _bomb(path: Path) -> None:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    chunk = b"\0" * (1 << 20)
    with open(path, "wb") as fh:
        for _ in range(200):  # 200 MB unpacked, ~200 KB packed
            fh.write(comp.compress(chunk))
        fh.write(comp.flush())


def _escape_dump() -> str:
    return dump(22, wrap="\x1b[1;31m{}\x1b[0m\x07")


LINKS = "".join(f"<li><a href='/story/{i}'>Story number {i} in the archive</a></li>" for i in range(120))
COOKIE = (
    "<div class='cookie'><p>We use cookies and similar technologies to improve your experience, measure "
    "audiences and show you personalised advertising. By clicking Accept all, you agree to the storing of "
    "cookies on your device. You can change your preferences at any time in Cookie settings.</p>"
    "<button>Accept all</button><button>Reject all</button><a href='/cookies'>Cookie settings</a></div>"
)

CASES: tuple[Case, ...] = (
    Case(b"empty.html", _bytes(b""), "empty"),
    Case(b"only-spaces.html", _bytes(b"  \n\t \r\n  "), "empty"),
    Case(b"image-named.html", _bytes(PNG), "binary"),
    Case(b"pdf-named.htm", _bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"), "binary"),
    Case(b"nul-bytes.txt", _bytes(b"page\x00text\x00" * 500), "binary"),
    Case(b"nested.html.gz", _bytes(gzip.compress(gzip.compress(article(1).encode()), mtime=0)), "binary"),
    Case(
        b"latin1-undeclared.html",
        _bytes(
            article(2)
            .replace("<meta charset='utf-8'>", "")
            .replace("dispute", "dispute ('très vif', said Müller)")
            .encode("latin-1")
        ),
        KEPT,
        text_has=("'très vif', said Müller",),
    ),
    Case(
        b"cp1252-declared.html",
        _bytes(
            article(3)
            .replace("utf-8", "windows-1252")
            .replace("The harbour board", "The harbour board, “enough” said crews,")
            .encode("cp1252")
        ),
        KEPT,
        text_has=("“enough”",),
    ),
    Case(
        b"utf16-bom.html",
        _bytes("\ufeff".encode("utf-16-le") + article(4).encode("utf-16-le")),
        KEPT,
        text_has=("eastern channel before the winter storms",),
    ),
    Case(b"utf8-bom.txt", _bytes(b"\xef\xbb\xbf" + dump(21).encode()), KEPT, text_has=("dredge the eastern channel",)),
    Case(
        b"mojibake.html",
        _bytes(article(5).replace("The harbour board", "CafÃ© owners and the harbour board").encode()),
        KEPT,
        text_has=("CafÃ© owners and the harbour board",),
    ),
    Case(
        b"terminal-escapes.txt",
        _bytes(_escape_dump().encode()),
        KEPT,
        text_has=("dredge the eastern channel",),
        text_lacks=("\x1b", "\x07", "[0m"),
    ),
    Case(b"huge-60mb.html", _sparse(60_000_000), "too_large"),
    Case(b"gzip-bomb.html.gz", _bomb, "too_large"),
    Case(b"truncated.html.gz", _bytes(gzip.compress(article(6).encode() * 20, mtime=0)[:200]), "decode_error"),
    Case(
        b"deep-nesting.html",
        _bytes(("<div>" * 100_000 + "<p>deep</p>" + "</div>" * 100_000).encode()),
        "no_main_content",
    ),
    Case(b"one-giant-line.txt", _bytes((" ".join(["word"] * 900_000)).encode()), "no_main_content"),
    Case(
        b"link-list.html",
        _bytes(f"<html><body><h1>Archive</h1><ul>{LINKS}</ul></body></html>".encode()),
        "no_main_content",
    ),
    Case(b"cookie-wall.html", _bytes(f"<html><body>{COOKIE}</body></html>".encode()), "no_main_content"),
    Case(
        b"redirect-stub.html",
        _bytes(
            b"<html><head><meta http-equiv='refresh' content='0; url=https://example.org/new'></head>"
            b"<body><p>Redirecting to <a href='https://example.org/new'>the new page</a>...</p></body></html>"
        ),
        "too_short",
    ),
    Case(
        b"absurd-date.html",
        _bytes(
            article(7, extra_head="<meta property='article:published_time' content='9999-01-01T00:00:00Z'>")
            .replace("June 3, 2025", "Published 31 February 2025")
            .encode()
        ),
        KEPT,
        fields={"published": None},
    ),
    Case(
        b"copyright-year-only.html",
        _bytes(article(8).replace(", June 3, 2025", "").encode()),
        KEPT,
        fields={"published": None},
    ),
    Case(b"giant-title.html", _bytes(article(9, title="Dredging " * 6_000).encode()), KEPT, fields={"title_len": 2000}),
    Case(
        b"control-chars.html",
        _bytes(article(10).replace("The harbour board", "The harbour\x0b board\x0c\x1f").encode()),
        KEPT,
        text_has=("The harbour board approved",),
        text_lacks=("\x0b", "\x0c", "\x1f"),
    ),
    Case(b"fifo.html", _fifo, "read_error"),
    Case(b"dangling-link.html", _dangling, "read_error"),
    Case(
        b"name\nwith-newline.html",
        _bytes(article(11, title="Newline name").replace("approved", "agreed").encode()),
        KEPT,
    ),
    Case(
        b"name-\xff\xfe-not-utf8.html",
        _bytes(article(12, title="Odd bytes name").replace("approved", "voted for").encode()),
        KEPT,
        fields={"source_path_suffix": "name-\\xff\\xfe-not-utf8.html"},
    ),
)


def write_corpus(folder: Path) -> dict[str, Case]:
    """Write every case into folder (plus a directory symlink loop); returns source path -> case."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for case in CASES:
        path = os.path.join(os.fsencode(folder), case.name)
        case.write(Path(os.fsdecode(path)))
        out[os.fsdecode(path)] = case
    loop = folder / "loop"
    loop.mkdir(exist_ok=True)
    os.symlink(folder, loop / "back-to-top")  # walking must not follow it
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for path, case in write_corpus(Path(sys.argv[1])).items():
        print(f"{case.expected:<16} {path!r}")
