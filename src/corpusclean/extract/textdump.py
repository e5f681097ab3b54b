"""The line-level cleaner for plain-text page dumps.

A dump is the rendered page as text: one line per block element, a blank line around
paragraph-like blocks (p, h1-h6, blockquote), and everything else (menus, share bars,
captions, related lists, comments, footers) kept. The article body is recovered line by line:

1. every line gets a small vector of language-light features (length with CJK counted as
   word-sized characters, sentence punctuation, title-case share, blank lines around it,
   residual-boilerplate rules, repeats, position relative to the densest run of prose);
2. a two-stage logistic model (weights shipped in ``_textdump_data/model.json``, trained by
   ``benchmarks/train_textdump.py``) scores each line, the second stage reading the first
   stage's scores of the neighbouring lines, because body lines come in runs;
3. hard rules then veto what a score must never keep (boilerplate patterns, the title and
   its repeats, lines repeated across the site when a :class:`SiteLineStats` is given);
4. metadata (title, standfirst, byline, date, section, agency, credits, related headlines)
   is read off the lines around the body.
"""

from __future__ import annotations

import enum
import functools
import importlib
import itertools
import json
import math
import operator
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

import ahocorasick
import numpy as np
import numpy.typing as npt

from corpusclean.extract import residual
from corpusclean.extract.linefreq import SiteLineStats, fold_table
from corpusclean.extract.residual import (
    IMAGE_CREDIT_LABEL,
    IMAGE_CREDIT_TAIL,
    ResidualReason,
    agency_of,
    boilerplate_reason,
    is_closing_label,
    normalize_line,
    related_headline,
)
from corpusclean.records import Extraction

FloatArray = npt.NDArray[np.float64]
# The regex parser has no type stubs; it is only read (see prefix_gate).
_re_parser: Any = importlib.import_module("re._parser")
_re_compiler: Any = importlib.import_module("re._compiler")
_re_const: Any = importlib.import_module("re._constants")


class LineKind(StrEnum):
    """What a line of a dump is (the `kind` of a :class:`LineLabel`)."""

    BLANK = "blank"
    BODY = "body"
    TITLE = "title"
    STANDFIRST = "standfirst"
    BYLINE = "byline"
    DATE = "date"
    SECTION = "section"
    CAPTION = "caption"
    RELATED = "related"
    NAVIGATION = "navigation"
    HEADLINE_LIST = "headline_list"
    BOILERPLATE = "boilerplate"  # share, subscribe, cookie, ads, read time, source line, tags
    COMMENTS = "comments"
    FOOTER = "footer"
    SITE_REPEAT = "site_repeat"  # seen on many pages of the same site


@dataclass(frozen=True, slots=True)
class LineLabel:
    """The classification of one input line."""

    index: int  # line number in the input, from 0
    text: str  # the stripped line
    kind: LineKind
    score: float  # the model's probability that the line is body text
    reason: str | None = None  # the residual rule that fired, if any


@dataclass(frozen=True, slots=True)
class DumpCleanConfig:
    """Knobs of :func:`clean_dump`; the defaults are what the benchmark measures."""

    threshold: float = 0.5  # body probability at which a line is neutral in the Viterbi pass
    clean_page_threshold: float = 0.2  # the threshold on a page that is all prose run
    switch_cost: float = 3.0  # cost of switching between body and other between two lines
    # A line whose own stage-1 logit is below this is never body, whatever its neighbours: stage 2
    # weighs a block's best line, and a page header rendered as one block (menu, headline, share
    # buttons, caption) could otherwise come in whole with its caption (samples/text/heraldo-*).
    stage1_floor: float = -4.0
    max_line_chars: int = 50_000  # longer lines are minified junk, never prose
    max_lines: int = 200_000  # a page with more lines is cut here
    site_min_pages: int = 3  # a line on at least this many pages of the site is a site repeat
    site_max_body_share: float = 0.5  # ... unless repeats are over this share of the body (a reprint)


DEFAULT_CONFIG = DumpCleanConfig()

# ---------------------------------------------------------------------------------------------
# Line features

# Han, kana and hangul carry about a word per character, so they count for more than one
# Latin character; without this a full Chinese sentence looks as short as a menu item.
_CJK_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
CJK_WEIGHT = 3
HANGUL_WEIGHT = 2

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_MONTH = (
    r"(?:jan(?:uary|vier|eiro|uar)?|feb(?:ruary|rero|ruar)?|févr(?:ier)?|fev(?:ereiro)?|mar(?:ch|s|ço|zo|z)?"
    r"|märz|apr(?:il|ile)?|avr(?:il)?|abr(?:il)?|may|mai|maio|mayo|maggio|jun(?:e|i|io|ho)?|juin"
    r"|jul(?:y|i|io|ho)?|juil(?:let)?|lug(?:lio)?|aug(?:ust)?|août|ago(?:sto)?|sep(?:t(?:ember|iembre)?)?"
    r"|set(?:embro|tembre)?|oct(?:ober|obre|ubre)?|okt(?:ober)?|out(?:ubro)?|ott(?:obre)?|nov(?:ember|embre|embro)?"
    r"|dec(?:ember)?|dez(?:ember|embro)?|déc(?:embre)?|dic(?:iembre|embre)?)\.?"
)
DATE_TEXT = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:\.|st|nd|rd|th)?\s+(?:de\s+)?{_MONTH}(?:\s+de)?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}(?:[ T]\d{1,2}:\d{2})?"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
    r"|\d{4}[./]\d{1,2}[./]\d{1,2}"
    r"|\d{4}\s*년\s*\d{1,2}\s*월\s*\d{1,2}\s*일|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)",
    re.IGNORECASE,
)
# A line that is only a date, a time, "Updated ..." or "Published ..." metadata.
_DATE_LINE_REST = re.compile(
    r"^[\W\d_]*(?:(?:published|updated|posted|last\s+updated|first|originally|publicado|publié|veröffentlicht|atualizado"
    r"|actualizado|pubblicato|on|am|at|le|el|em|il|um|de|of|ago|hours?|minutes?|days?|gmt|utc|est|edt"
    r"|pst|pdt|cet|cest|ist|am|pm|wib|kst|jst|updated|cst|cdt|mst|mdt|bst|et|pt|aest|aedt"
    r"|hkt|sgt|pht|ict|msk|pkt|wat|eat|cat|sast|brt|art|nzst|nzdt|acst|acdt|awst|wet|west|eet|eest"
    r"|hst|akst|akdt|mez|mesz|wita|wit"
    r"|mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?"
    r"|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi"
    r"|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|lunedì|martedì|mercoledì"
    r"|giovedì|venerdì|sabato|segunda-feira|terça-feira|quarta-feira|quinta-feira|sexta-feira"
    r")\b[\W\d_]*|[ap]\.m\.[\W\d_]*)*$",
    re.IGNORECASE,
)
BYLINE = re.compile(
    r"^(?:by|from|von|por|par|di|da|oleh|door|av|af|written\s+by|posted\s+by|reportagem\s+de|texto\s+de"
    r"|escrito\s+por|publicado\s+por)[\s:]+(?P<names>[^\W\d_][^|]{1,100}?)\s*(?:[|].*)?$",
    re.IGNORECASE,
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*", re.IGNORECASE)
_NAME_TAIL = re.compile(
    r"\s*(?:[,|/–—-]\s*)?(?:staff\s+writer|reporter|correspondent|editor|contributor|updated|published"
    r"|posted)\b.*$",
    re.IGNORECASE,
)
_DATE_TAIL = re.compile(
    r"\s*(?:[,|/–—-]\s*)?(?:on\s+)?(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:\d|" + _MONTH + r"\s+\d).*$",
    re.IGNORECASE,
)
# "... during the opening on Wednesday. Foto: EFE": a caption whose credit trails the sentence.
_TRAILING_CREDIT = re.compile(
    r"[.!?»”\"]\s+(?:photo|foto|image|picture|credit|bild|imagen|fotografía|crédit\s+photo)s?\s*[:：]\s*"
    r"(?P<credit>[^\W\d_][^.;|:]{0,58}?)\s*$",
    re.IGNORECASE,
)
# "Posted on March 3, 2025 by Mara Lindqvist": a date and a byline in one line.
_DATED_BYLINE = re.compile(
    r"^(?:(?:posted|published|written|updated|publicado|publié|veröffentlicht)\s+)?(?:on\s+|el\s+|le\s+|am\s+)?"
    r"(?P<date>.{6,40}?)\s*(?:[,|·•–—-]\s*)?\b(?:by|por|par|von|door|di|da)\s+(?P<names>[^\W\d_][^|]{1,80}?)\s*$",
    re.IGNORECASE,
)
_DATED_BYLINE_MAX_UNITS = 120
_BY_WORD = re.compile(r"\b(?:by|por|par|von|door|di|da)\s", re.IGNORECASE)  # what _DATED_BYLINE needs
# Wire services named in a byline ("By Tomas Reyes, Reuters") are the agency, not an author.
_WIRE_AGENCIES = frozenset(
    name.casefold()
    for name in (
        "Reuters", "AP", "Associated Press", "AFP", "Agence France-Presse", "EFE", "Agencia EFE", "dpa", "ANSA",
        "Anadolu", "Anadolu Agency", "AA", "Bloomberg", "UPI", "PA", "PA Media", "Xinhua", "Kyodo", "Yonhap",
        "Europa Press", "Lusa", "TASS", "Press Association",
    )
)  # fmt: skip
# "Valdecarrasco (EFE).- El puente ...": the Spanish dateline puts a stop before the dash.
_DATELINE_AGENCY_STOP = re.compile(
    r"^(?:[^\W\d_][^()]{0,60}?\s)?\((?P<agency>[A-Z][A-Za-z]{1,14}(?:[ /-][A-Z][A-Za-z]{1,14})?)\)\s*\.\s*[-–—]"
)
_REUTERS_STYLE_CREDIT = re.compile(r"\b(?P<credit>[A-Z]{2,}(?:\s[A-Z]{2,})?/[A-Z][\w.'’-]+(?:\s[A-Z][\w.'’-]+)*)\s*$")

# The densest run of prose: a line counts for the run when it is sentence-like and long
# enough, against it otherwise (Kadane's maximum-sum segment over these scores).
_RUN_PROSE_UNITS = 60.0
_RUN_PENALTY = 0.35

FEATURE_NAMES: tuple[str, ...] = (
    "log_units",
    "short_lt20",
    "mid_20_60",
    "long_ge150",
    "log_words",
    "terminal",
    "log_sentences",
    "comma_rate",
    "titlecase",
    "lead_lower",
    "digits",
    "all_caps",
    "blank_before",
    "blank_after",
    "para_block",
    "residual",
    "page_repeat",
    "separators",
    "date_line",
    "byline",
    "urlish",
    "lead_quote",
    "bullet",
    "ends_colon",
    "position",
    "in_run",
    "log_run_dist",
    "before_run",
    "after_run",
    "run_share",
    "prev_units",
    "next_units",
    "prev_terminal",
    "next_terminal",
    "prev_para",
    "next_para",
    "prev_residual",
    "next_residual",
    "block_units",
    "block_lines",
    "block_share",
    "units_vs_max",
    "residual_from_run",
    "dates_from_run",
)
N_FEATURES = len(FEATURE_NAMES)


def text_units(line: str) -> int:
    """Length in Latin-character equivalents: CJK characters weigh more, being word-sized."""
    n = len(line)
    if line.isascii():
        return n
    wide = len(_CJK_WIDE.findall(line))
    hangul = len(_HANGUL.findall(line)) if wide == 0 else 0
    return n + (CJK_WEIGHT - 1) * wide + (HANGUL_WEIGHT - 1) * hangul


_RELATIVE_TIME = re.compile(
    r"^(?:(?:updated|posted|published)\s+|há\s+|hace\s+|il\s+y\s+a\s+|vor\s+)?(?:\d{1,3}|an?|one)\s*"
    r"(?:[smhd]|mins?|minutes?|hrs?|hours?|days?|weeks?|months?|minutos?|horas?|dias?|días|minuten|stunden|tagen?"
    r"|heures?|jours?|분|시간|일|分钟|小时|天)\.?\s*(?:ago|atrás|前|전)?\s*$",
    re.IGNORECASE,
)


_DATE_MAX_CHARS = 90


def is_date_line(line: str) -> bool:
    """True for a short line that is a date or time stamp ("June 3, 2025", "5H ago") and little else."""
    if len(line) > _DATE_MAX_CHARS:
        return False
    if _RELATIVE_TIME.match(line):
        return True
    match = DATE_TEXT.search(line)
    if match is None:
        return False
    rest = line[: match.start()] + " " + line[match.end() :]
    return len(rest) < 12 or _DATE_LINE_REST.match(rest) is not None


def _titlecase_share(words: list[str]) -> float:
    alpha = 0
    upper = 0
    for word in words[:16]:
        first = word[0]
        if first.isalpha():
            alpha += 1
            if first.isupper():
                upper += 1
    return upper / alpha if alpha else 0.0


# ---------------------------------------------------------------------------------------------
# Reading a page
#
# Everything per line is computed for the whole page at once: the content lines are joined
# into one string, turned into an array of code points, and counted per line with numpy.
# A Python loop over ~160 lines x 40 features was most of the cleaner's time; the regex
# rules that cannot be vectorized (residual boilerplate, dates, bylines) are only run on the
# lines a cheap gate lets through.

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_CLOSERS = "\"'”’»)]"
_URL_TOKENS = ("http", "www.", "@", ".com", ".org", ".net")
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF66, 0xFF9F))
_HANGUL_RANGE = (0xAC00, 0xD7AF)
_BMP = 0x10000
_SPACE, _NEWLINE, _PERIOD, _PIPE = 32, 10, ord("."), ord("|")
_CLOSE_PAREN = ord(")")
# Lines this long (text units) and longer are their own repeat key: normalizing them buys nothing.
_KEY_MAX_UNITS = 400
_ASCII_KEY_TABLE = bytes(c if c >= 128 or chr(c).isalnum() or c == _NEWLINE else _SPACE for c in range(256))


_NON_WORD_RUN = re.compile(r"[\W_]+")


def _line_key(line: str) -> str:
    return " ".join(_NON_WORD_RUN.sub(" ", line.casefold()).split())


class _Char(enum.IntFlag):
    """Properties of a character, one bit each, looked up per code point in one table."""

    ALPHA = enum.auto()
    UPPER = enum.auto()
    LOWER = enum.auto()
    SPACE = enum.auto()  # str.isspace: what str.split() splits on
    DIGIT = enum.auto()  # str.isdigit: what a numbered list item starts with
    DECIMAL = enum.auto()  # what regex \d matches
    CLOSER = enum.auto()  # closing quote or bracket, looked through at a line's end
    STOP_BEFORE_SPACE = enum.auto()  # ". " "! " "? " "; " "… " end a sentence
    STOP_ALONE = enum.auto()  # CJK full stops end one on their own
    TERMINAL = enum.auto()  # a line ending in one of these (before closers) ends a sentence
    SEPARATOR = enum.auto()  # " | ", " / ", " • ": a menu or breadcrumb separator
    QUOTE_END = enum.auto()
    COMMA = enum.auto()
    LEAD_QUOTE = enum.auto()
    BULLET = enum.auto()
    WIDE = enum.auto()  # han and kana: about a word per character
    HANGUL = enum.auto()
    DOUBLE_QUOTE = enum.auto()  # '." ' and '.” ' also end a sentence
    NUMBER_MARK = enum.auto()  # "1. " "2) ": a numbered list item
    COLON = enum.auto()
    ALNUM = enum.auto()  # str.isalnum: a word character other than "_"
    CREDIT_MARK = enum.auto()  # every photo-credit pattern has one of these


_CHAR_SETS: tuple[tuple[_Char, str], ...] = (
    (_Char.CLOSER, _CLOSERS),
    # Devanagari dandas, the Arabic question mark, the Urdu, Armenian and Ethiopic full stops, the Myanmar one.
    (_Char.STOP_BEFORE_SPACE, ".!?;…।॥؟۔։።။"),
    (_Char.STOP_ALONE, "。！？"),
    (_Char.TERMINAL, ".!?…。！？:;।॥؟۔։።။"),
    (_Char.SEPARATOR, "|•·»›/"),
    (_Char.QUOTE_END, '"”’»'),
    (_Char.COMMA, ",，、"),
    (_Char.LEAD_QUOTE, '"“‘«„'),
    (_Char.BULLET, "-–—*•·▪►→✓✔"),
    (_Char.DOUBLE_QUOTE, '"”'),
    (_Char.NUMBER_MARK, ".)"),
    (_Char.COLON, ":："),
    (_Char.CREDIT_MARK, residual.CREDIT_MARKS),
)
_CHAR_TESTS: tuple[tuple[_Char, Any], ...] = (
    (_Char.ALPHA, str.isalpha),
    (_Char.UPPER, str.isupper),
    (_Char.LOWER, str.islower),
    (_Char.SPACE, str.isspace),
    (_Char.DIGIT, str.isdigit),
    (_Char.DECIMAL, str.isdecimal),
    (_Char.ALNUM, str.isalnum),
)


@functools.cache
def _char_table() -> npt.NDArray[np.uint32]:
    """The _Char bits of every BMP code point (built once, on first use: ~10 ms)."""
    chars = [chr(c) for c in range(_BMP)]
    table = np.zeros(_BMP, dtype=np.uint32)
    for bit, test in _CHAR_TESTS:
        table[np.fromiter(map(test, chars), dtype=np.bool_, count=_BMP)] |= np.uint32(bit)
    for bit, members in _CHAR_SETS:
        table[[ord(c) for c in members]] |= np.uint32(bit)
    for lo, hi in _CJK_RANGES:
        table[lo : hi + 1] |= np.uint32(_Char.WIDE)
    table[_HANGUL_RANGE[0] : _HANGUL_RANGE[1] + 1] |= np.uint32(_Char.HANGUL)
    return table


def _char_bits(cp: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """_Char bits per code point; astral code points (rare: emoji, rare han) are tested one by one."""
    bits: npt.NDArray[np.uint32] = _char_table()[np.minimum(cp, _BMP - 1)]
    for i in np.flatnonzero(cp >= _BMP).tolist():
        ch = chr(int(cp[i]))
        bits[i] = sum(int(bit) for bit, test in _CHAR_TESTS if test(ch))
    return bits


def _has(bits: npt.NDArray[np.uint32], flag: _Char) -> BoolArray:
    out: BoolArray = (bits & np.uint32(flag)) != 0
    return out


# ---------------------------------------------------------------------------------------------
# Prefix gates: which lines a start-anchored regex could possibly match.
#
# The residual rules and the byline pattern are long keyword alternations tried at the start
# of a line; trying one costs microseconds, and most lines match none. The gate reads the
# possible first three characters of a match off the parsed regex (ASCII only, case-insensitive)
# and, for alternatives that can start with almost anything ("<name> says:"), the possible last
# character when the alternative is anchored at the end. A line whose start and end are in
# neither set cannot match, so the regex is never tried on it. The gate is a superset by
# construction: lines with non-ASCII heads or ends always go to the regex.

_HEAD = 6
_MAX_FIRST_CHARS = 40  # keyword alternations start with letters and digits only
_EXPAND_LIMIT = 20_000  # prefixes tracked at once; past this a prefix is cut short (still a superset)
_ASCII_CHARS = tuple(chr(c) for c in range(128) if c != _NEWLINE)
RegexItem = tuple[Any, Any]


class _PrefixWalker:
    """The possible match prefixes (up to `depth` ASCII characters) of parsed regex items."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self._chars: dict[str, frozenset[str]] = {}

    def chars(self, item: RegexItem) -> frozenset[str]:
        key = repr(item)
        found = self._chars.get(key)
        if found is None:
            sub = _re_parser.SubPattern(_re_parser.State(), [item])
            single = _re_compiler.compile(sub, re.IGNORECASE)
            found = frozenset(ch.lower() for ch in _ASCII_CHARS if single.fullmatch(ch))
            self._chars[key] = found
        return found

    def walk(self, items: Any, prefixes: set[str]) -> tuple[set[str], set[str]]:
        """(open, closed) prefixes after `items`: closed ones are final (long enough or cut)."""
        closed: set[str] = set()
        for item in items:
            prefixes, done = self.step(item, prefixes)
            closed |= done
            if not prefixes:
                break
        return prefixes, closed

    def step(self, item: RegexItem, prefixes: set[str]) -> tuple[set[str], set[str]]:
        op, av = item
        if op in (_re_const.LITERAL, _re_const.NOT_LITERAL, _re_const.IN, _re_const.ANY):
            chars = self.chars(item)
            if len(prefixes) * len(chars) > _EXPAND_LIMIT:
                return set(), set(prefixes)
            grown = {p + c for p in prefixes for c in chars}
            done = {p for p in grown if len(p) >= self.depth}
            return grown - done, done
        if op in (_re_const.AT, _re_const.ASSERT, _re_const.ASSERT_NOT):
            return prefixes, set()  # zero-width: ignoring it only widens the gate
        if op is _re_const.SUBPATTERN:
            return self.walk(av[3], prefixes)
        if op is _re_const.ATOMIC_GROUP:
            return self.walk(av, prefixes)
        if op is _re_const.BRANCH:
            opened: set[str] = set()
            closed: set[str] = set()
            for branch in av[1]:
                o, c = self.walk(branch, set(prefixes))
                opened |= o
                closed |= c
            return opened, closed
        if op in (_re_const.MAX_REPEAT, _re_const.MIN_REPEAT, _re_const.POSSESSIVE_REPEAT):
            low, high, sub = av
            current, opened, closed = set(prefixes), set(), set()
            count = 0
            # Past `depth` repetitions nothing new fits in a prefix of `depth` characters.
            while True:
                if count >= low or count > self.depth:
                    opened |= current
                if count >= high or count > self.depth or not current:
                    break
                current, done = self.walk(sub, current)
                closed |= done
                count += 1
            return opened, closed
        return set(), set(prefixes)  # anything else (backreferences): stop, keep what is known


def _alternatives(items: Any) -> list[list[RegexItem]]:
    """The top-level alternatives of a parsed regex, through groups that wrap a whole branch."""
    seq = list(items)
    lead = 0
    while lead < len(seq) and seq[lead][0] is _re_const.AT:
        lead += 1
    rest = seq[lead:]
    if len(rest) == 1 and rest[0][0] is _re_const.SUBPATTERN:
        return [seq[:lead] + alt for alt in _alternatives(rest[0][1][3])]
    if len(rest) == 1 and rest[0][0] is _re_const.BRANCH:
        return [seq[:lead] + alt for branch in rest[0][1][1] for alt in _alternatives(branch)]
    return [seq]


def _reversed_items(items: Any) -> list[RegexItem]:
    out: list[RegexItem] = []
    for op, av in reversed(list(items)):
        if op is _re_const.SUBPATTERN:
            av = (av[0], av[1], av[2], _reversed_items(av[3]))
        elif op is _re_const.ATOMIC_GROUP:
            av = _reversed_items(av)
        elif op is _re_const.BRANCH:
            av = (av[0], [_reversed_items(b) for b in av[1]])
        elif op in (_re_const.MAX_REPEAT, _re_const.MIN_REPEAT, _re_const.POSSESSIVE_REPEAT):
            av = (av[0], av[1], _reversed_items(av[2]))
        out.append((op, av))
    return out


_NON_ASCII = 128  # the code a non-ASCII character gets in _LineEnds


@dataclass(frozen=True, slots=True)
class _LineEnds:
    """Each line's first two and last characters, lowercased ASCII codes (_NON_ASCII otherwise)."""

    first: IntArray
    second: IntArray  # a newline (10) when the line has one character
    third: IntArray
    last: IntArray
    wide_head: BoolArray  # a non-ASCII character among the first _HEAD characters


def _pair_codes(ends: _LineEnds) -> IntArray:
    codes: IntArray = np.minimum(ends.first, 127) * 128 + np.minimum(ends.second, 127)
    return codes


def _triple_codes(ends: _LineEnds) -> IntArray:
    codes: IntArray = _pair_codes(ends) * 128 + np.minimum(ends.third, 127)
    return codes


@dataclass(frozen=True, slots=True, eq=False)
class PrefixGate:
    """Lines a start-anchored pattern may match: by their first few or last ASCII characters."""

    singles: frozenset[str]  # one-character match prefixes (a digit-led "3 comments")
    by_pair: dict[str, tuple[str, ...]]  # the longer lowercased match prefixes, by their first two characters
    tails: frozenset[str]  # possible last characters, for alternatives that may start with anything

    def may_match(self, line: str) -> bool:
        head = line[:_HEAD].lower()
        if not head.isascii() or head[:1] in self.singles:
            return True
        longer = self.by_pair.get(head[:2])
        if longer is not None and head.startswith(longer):
            return True
        return bool(self.tails) and (line[-1:].lower() in self.tails or not line[-1:].isascii())

    def prefilter(self, ends: _LineEnds) -> BoolArray:
        """A superset of may_match over a page's lines, from their first two and last characters."""
        tables = self._tables()
        out: BoolArray = ends.wide_head | tables[0][ends.first] | tables[1][_triple_codes(ends)]
        if self.tails:
            out |= tables[2][ends.last]
        return out

    def _tables(self) -> tuple[BoolArray, BoolArray, BoolArray]:
        return _gate_tables(self)


@functools.lru_cache(maxsize=16)
def _gate_tables(gate: PrefixGate) -> tuple[BoolArray, BoolArray, BoolArray]:
    singles = np.zeros(_NON_ASCII + 1, dtype=np.bool_)
    singles[[ord(c) for c in gate.singles]] = True
    # Heads by their first three characters; a two-character head allows any third.
    triples = np.zeros(128 * 128 * 128, dtype=np.bool_)
    for pair, heads in gate.by_pair.items():
        code = (ord(pair[0]) * 128 + ord(pair[1])) * 128
        for head in heads:
            if len(head) == 2:
                triples[code : code + 128] = True
            else:
                triples[code + ord(head[2])] = True
    tails = np.zeros(_NON_ASCII + 1, dtype=np.bool_)
    tails[[ord(c) for c in gate.tails]] = True
    tails[_NON_ASCII] = True
    return singles, triples, tails


def prefix_gate(pattern: re.Pattern[str]) -> PrefixGate | None:
    """The gate of a pattern used with `.match`, or None when it could match almost any line."""
    tree = _re_parser.parse(pattern.pattern, pattern.flags)
    heads: set[str] = set()
    tails: set[str] = set()
    for alternative in _alternatives(tree):
        opened, closed = _PrefixWalker(_HEAD).walk(alternative, {""})
        found = opened | closed
        # An alternative that can start with nearly any character ("<name> says:") gates nothing.
        if "" not in found and len({h[0] for h in found}) <= _MAX_FIRST_CHARS:
            heads |= found
            continue
        # An alternative that can start with anything is gated by its last character.
        if alternative and alternative[-1] == (_re_const.AT, _re_const.AT_END):
            opened, closed = _PrefixWalker(1).walk(_reversed_items(alternative[:-1]), {""})
            ends = opened | closed
            if "" not in ends and len(ends) <= 8:
                tails |= ends
                continue
        return None
    by_pair: dict[str, list[str]] = {}
    for head in sorted(heads):
        if len(head) >= 2:
            by_pair.setdefault(head[:2], []).append(head)
    singles = frozenset(h for h in heads if len(h) == 1)
    return PrefixGate(singles, {k: tuple(v) for k, v in by_pair.items()}, frozenset(tails))


@functools.cache
def _byline_gate() -> PrefixGate | None:
    return prefix_gate(BYLINE)


# The residual gate screens a page's lines for :func:`~corpusclean.extract.residual.boilerplate_reason`
# by the contract residual.SCREEN publishes: a line is looked at only when it holds one of the
# screen's tokens (cookie, copyright, newsletter sign-up), starts with a staff-credit prefix,
# or may match the short rules by its first and last characters (a PrefixGate of the short
# rule). Everything else is known to give None without a call.


@dataclass(frozen=True, slots=True, eq=False)
class _ResidualGate:
    screen: residual.Screen
    short: PrefixGate
    staff_pairs: BoolArray  # first two characters of the staff prefixes, as _pair_codes


@functools.cache
def _residual_gate() -> _ResidualGate | None:
    """The gate, or None (every line goes to boilerplate_reason) when the short rule cannot be gated."""
    screen = residual.SCREEN
    short = prefix_gate(screen.short_rule)
    if short is None:
        return None
    staff_pairs = np.zeros(128 * 128, dtype=np.bool_)
    for prefix in screen.staff_prefixes:
        if len(prefix) < 2 or not prefix[:2].isascii():
            return None
        staff_pairs[ord(prefix[0]) * 128 + ord(prefix[1])] = True
    return _ResidualGate(screen, short, staff_pairs)


def residual_gate_active() -> bool:
    """True when lines are screened in bulk (false only if the short rules cannot be gated)."""
    return _residual_gate() is not None


def residual_reasons(lines: list[str] | tuple[str, ...]) -> list[ResidualReason | None]:
    """:func:`boilerplate_reason` of each (stripped, non-empty) line, skipping the lines the gate proves clean."""
    texts = tuple(lines)
    if not texts:
        return []
    joined = "\n".join(texts)
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    start_arr = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(lens[:-1] + 1, out=start_arr[1:])
    return _residual_reasons(texts, joined, lens, _line_ends(cp, start_arr, lens))


def _line_ends(cp: npt.NDArray[np.uint32], start_arr: IntArray, lens: IntArray) -> _LineEnds:
    # The first _HEAD characters of each line (a newline past its end) and its last one.
    offsets = np.arange(_HEAD, dtype=np.int64)
    inside = offsets[None, :] < lens[:, None]
    at = np.where(inside, start_arr[:, None] + offsets[None, :], 0)
    head = np.where(inside, cp[at].astype(np.int64), _NEWLINE)
    last = cp[start_arr + lens - 1].astype(np.int64)
    both = np.concatenate([head, last[:, None]], axis=1)
    # ASCII lowercase is +32 on A-Z; anything past ASCII is one code.
    both = np.minimum(np.where((both >= ord("A")) & (both <= ord("Z")), both + 32, both), _NON_ASCII)
    wide_head = (both[:, :_HEAD] == _NON_ASCII).any(axis=1)
    return _LineEnds(both[:, 0], both[:, 1], both[:, 2], both[:, _HEAD], wide_head)


def _residual_reasons(
    texts: tuple[str, ...], joined: str, lens: IntArray, ends: _LineEnds, token_rows: set[int] | None = None
) -> list[ResidualReason | None]:
    """residual_reasons of `texts` (`joined` by newlines; `token_rows`: the lines holding one of
    the screen's tokens, if at hand)."""
    gate = _residual_gate()
    lines = texts
    if gate is None:
        return [boilerplate_reason(line) for line in lines]
    screen = gate.screen
    # Token hits are found on the whole page at once (a test per line is slow).
    if token_rows is not None:
        hits = token_rows
    elif joined.count("\n") == len(lines) - 1:
        hits = _token_rows(joined.lower(), None).residual
    else:  # a line holds a newline itself (only through residual_reasons): rows are not lines
        hits = {i for i, line in enumerate(lines) if any(t in line.lower() for t in screen.tokens)}
    short = gate.short.may_match
    staff = gate.staff_pairs[_pair_codes(ends)] | ends.wide_head
    maybe = ((lens <= screen.short_chars) & gate.short.prefilter(ends)) | ((lens <= screen.staff_chars) & staff)
    if hits:
        maybe[list(hits)] = True
    maybe &= lens <= screen.max_chars
    out: list[ResidualReason | None] = [None] * len(lines)
    memo: dict[str, ResidualReason | None] = {}
    for i in np.flatnonzero(maybe).tolist():
        line = lines[i]
        if line in memo:  # menus repeat within a page
            out[i] = memo[line]
            continue
        n = len(line)
        if i in hits or (n <= screen.staff_chars and line.lower().startswith(screen.staff_prefixes)):
            out[i] = boilerplate_reason(line)
        elif n <= screen.short_chars and short(line):
            # No token and no staff prefix: boilerplate_reason would only try the short rules.
            match = screen.short_rule.match(line)
            if match is not None and match.lastgroup is not None:
                out[i] = screen.short_reasons[match.lastgroup]
        memo[line] = out[i]
    return out


@dataclass(frozen=True, slots=True)
class _Page:
    """A dump split into lines, with what the features and the metadata both need.

    Positions ("pos") index the content (non-blank) lines; the tuples are per content line.
    """

    lines: tuple[str, ...]  # stripped, control characters removed; "" for blank lines
    content: tuple[int, ...]  # indexes of the non-blank lines, in order
    texts: tuple[str, ...]  # the content lines themselves
    units: tuple[int, ...]  # text_units per content line
    terminal: tuple[bool, ...]
    para: tuple[bool, ...]  # blank line before and after: a paragraph-like block
    residual: tuple[ResidualReason | None, ...]
    date: tuple[bool, ...]  # is_date_line, for short lines (under 100 units)
    date_any: tuple[bool, ...]  # is_date_line, whatever the length
    byline: tuple[bool, ...]  # matches BYLINE
    caption: tuple[bool, ...]  # _is_caption
    credited: tuple[bool, ...]  # a caption closed by its credit, "... (AP Photo/Name)" (see _credited_captions)
    stamp: tuple[bool, ...]  # "By Name | November 18, 2019 | Topic: Hardware" (see is_stamp_line)
    markup: tuple[bool, ...]  # residual.markup_reason gives a reason (see _markup_lines)
    keys: tuple[RepeatKey, ...]  # equal keys are repeats (see _repeat_keys)
    repeated: tuple[bool, ...]  # another line of the page has the same key
    dated_byline: tuple[bool, ...]  # "Posted on March 3, 2025 by Mara Lindqvist"
    run: tuple[int, int]  # densest prose run, as content positions [start, end]
    counts: _LineCounts
    ends: _LineEnds


@dataclass(frozen=True, slots=True)
class _LineCounts:
    """Per-content-line numbers the stage-1 features are built from (numpy, one entry per line)."""

    units: FloatArray
    words: FloatArray  # max(whitespace-separated words, units / 6)
    sentences: FloatArray  # sentence-ending tokens, plus one when the line itself ends one
    commas: FloatArray
    titlecase: FloatArray  # share of the first 16 words that start upper-case (of those starting with a letter)
    lead_lower: FloatArray
    digits: FloatArray  # share of ASCII digits
    all_caps: FloatArray
    blank_before: FloatArray
    blank_after: FloatArray
    separators: FloatArray
    byline: FloatArray
    urlish: FloatArray
    lead_quote: FloatArray
    bullet: FloatArray
    ends_colon: FloatArray


def _per_line(mask: BoolArray, starts: IntArray) -> IntArray:
    """How many characters of each line `mask` marks (lines begin at `starts`, none is empty)."""
    counts: IntArray = np.add.reduceat(mask.view(np.uint8), starts, dtype=np.int64)
    return counts


class _Tokens(enum.IntFlag):
    """The token groups a page is scanned for (a token may belong to several)."""

    RESIDUAL = 1  # residual.SCREEN.tokens: lines boilerplate_reason must look at
    CREDIT = 2  # residual.CAPTION_CREDIT_TOKENS: lines that may be credited captions
    MARKUP = 4  # "[": lines that may hold a shortcode


@dataclass(frozen=True, slots=True)
class _TokenRows:
    """Rows (lines) of a page holding a token of each group, in its lowercased text."""

    residual: set[int]
    credit: set[int]
    markup: set[int]


class _TokenScanner:
    """Finds every line that holds one of many tokens in one pass over the page.

    An Aho-Corasick automaton (pyahocorasick) reads the page once for all ~120 tokens; one
    bytes.find per token over the whole page was ~0.4 ms of a ~2.8 ms page (round 8, see
    benchmarks/RESULTS-textdump.md), the automaton is ~0.1 ms.
    """

    def __init__(self, groups: dict[str, int]) -> None:
        self._automaton = ahocorasick.Automaton()
        for token, group in groups.items():
            self._automaton.add_word(token, group)
        self._automaton.make_automaton()

    def hits(self, text: str) -> tuple[list[int], list[int]]:
        """End offsets (in `text`) and groups of every token occurrence."""
        ends: list[int] = []
        groups: list[int] = []
        for end, group in self._automaton.iter(text):
            ends.append(end)
            groups.append(group)
        return ends, groups


def _rows_of(ends: list[int], text: str, starts: IntArray | None) -> IntArray:
    """The row of each offset in `text` (newline-separated rows beginning at `starts`, if known)."""
    if starts is None:
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        starts = np.concatenate([[0], np.flatnonzero(codes == _NEWLINE) + 1])
    rows: IntArray = np.searchsorted(starts, np.asarray(ends, dtype=np.int64), side="right") - 1
    return rows


@functools.cache
def _lowered_scanner() -> _TokenScanner:
    groups: dict[str, int] = {}
    for group, tokens in (
        (_Tokens.RESIDUAL, residual.SCREEN.tokens),
        (_Tokens.CREDIT, residual.CAPTION_CREDIT_TOKENS),
        (_Tokens.MARKUP, ("[",)),
    ):
        for token in tokens:
            if "\n" in token:
                raise ValueError(f"a scanned token holds a newline: {token!r}")
            groups[token] = groups.get(token, 0) | group
    return _TokenScanner(groups)


@functools.cache
def _url_scanner() -> _TokenScanner:
    return _TokenScanner(dict.fromkeys(_URL_TOKENS, 1))


def _token_rows(lowered: str, starts: IntArray | None) -> _TokenRows:
    """_TokenRows of a page whose lowercased lines, joined by newlines, are `lowered` (the
    lines begin at `starts` when lowering kept every line's length; lowering never adds or
    removes a newline and no token holds one, so rows are the page's lines)."""
    ends, groups = _lowered_scanner().hits(lowered)
    if not ends:
        return _TokenRows(set(), set(), set())
    rows = _rows_of(ends, lowered, starts)
    flags = np.asarray(groups, dtype=np.int64)
    return _TokenRows(
        set(rows[(flags & _Tokens.RESIDUAL) > 0].tolist()),
        set(rows[(flags & _Tokens.CREDIT) > 0].tolist()),
        set(rows[(flags & _Tokens.MARKUP) > 0].tolist()),
    )


RepeatKey = str | int


def _repeat_keys(
    texts: tuple[str, ...], joined: str, units: list[int], cp: npt.NDArray[np.uint32], starts: IntArray
) -> tuple[RepeatKey, ...]:
    """_line_key per line where it matters: keys are only ever compared for equality.

    A key is the word characters of the casefolded line, so equal keys have the same count
    and code-point sum of word characters; both are read per line off the page's code points
    (`cp`, lines beginning at `starts`) through a casefold table. A line whose (count, sum)
    no other line shares cannot repeat: its key is its position (an int never equals a str
    key). Lines of 400 units or more are their own key.
    """
    n = len(texts)
    folded = fold_table()[np.minimum(cp, _BMP - 1)]
    if (folded < 0).any() or (cp >= _BMP).any():
        # A character casefolds to several (or lies past the BMP): count on the casefolded page.
        joined = joined.casefold()
        cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        lens = np.fromiter(map(len, joined.split("\n")), dtype=np.int64, count=n)
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(lens[:-1] + 1, out=starts[1:])
        word = _has(_char_bits(cp), _Char.ALNUM)
        folded = np.where(word, cp, 0).astype(np.int64)
    count = np.add.reduceat(folded > 0, starts, dtype=np.int64)
    total = np.add.reduceat(folded, starts, dtype=np.int64)
    signatures = ((count << 40) | total).tolist()
    shared = Counter(signatures)
    keys: list[RepeatKey] = list(range(n))
    if len(shared) < n:
        memo: dict[str, str] = {}
        for pos, signature in enumerate(signatures):
            if shared[signature] > 1:
                line = texts[pos]
                key = memo.get(line)
                if key is None:
                    key = memo[line] = _line_key(line)
                keys[pos] = key
    for pos, u in enumerate(units):
        if u >= _KEY_MAX_UNITS:
            keys[pos] = texts[pos]
    return tuple(keys)


def _repeated(keys: tuple[RepeatKey, ...]) -> tuple[bool, ...]:
    counts = Counter(key for key in keys if isinstance(key, str))
    return tuple([isinstance(key, str) and counts[key] > 1 for key in keys])


def _split_page(text: str, config: DumpCleanConfig) -> _Page:
    clean = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    raw = clean.split("\n", config.max_lines)[: config.max_lines]
    if max(map(len, raw)) <= config.max_line_chars:
        lines = tuple([line.strip() for line in raw])
    else:
        lines = tuple([line.strip() if len(line) <= config.max_line_chars else "" for line in raw])
    content = tuple([i for i, line in enumerate(lines) if line])
    texts = tuple([lines[i] for i in content])
    n = len(texts)
    if n == 0:
        return _empty_page(lines)
    joined = "\n".join(texts)
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    lens = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    start_arr = np.zeros(n, dtype=np.int64)
    np.cumsum(lens[:-1] + 1, out=start_arr[1:])
    ends = start_arr + lens - 1
    line_of: IntArray = np.repeat(np.arange(n, dtype=np.int64), lens + 1)[: cp.shape[0]]
    bits = _char_bits(cp)
    # Padding, so "the next character" never runs off the end; a newline has no bits.
    bits_next = np.concatenate([bits[1:], [0]]).astype(np.uint32)
    is_space = _has(bits, _Char.SPACE)
    next_space = np.concatenate([cp[1:] == _SPACE, [False]])
    next2_space = np.concatenate([cp[2:] == _SPACE, [False, False]])[: cp.shape[0]]

    # Length in text units (CJK characters weigh more, see text_units).
    if joined.isascii():
        units_arr = lens.copy()
    else:
        n_wide = _per_line(_has(bits, _Char.WIDE), start_arr)
        n_hangul = _per_line(_has(bits, _Char.HANGUL), start_arr)
        units_arr = lens + (CJK_WEIGHT - 1) * n_wide + (HANGUL_WEIGHT - 1) * np.where(n_wide == 0, n_hangul, 0)
    units = units_arr.tolist()

    # A line ends a sentence when its last character before closing quotes/brackets is a stop,
    # or when it ends with a closing quote after some text.
    positions = np.arange(cp.shape[0], dtype=np.int64)
    looked_through = _has(bits, _Char.CLOSER) | (cp == _NEWLINE)
    last_core = np.maximum.reduceat(np.where(looked_through, -1, positions), start_arr)
    has_core = last_core >= start_arr
    core_bits = bits[np.maximum(last_core, 0)]
    end_bits = bits[ends]
    terminal_arr = has_core & (_has(core_bits, _Char.TERMINAL) | ((last_core < ends) & _has(end_bits, _Char.QUOTE_END)))

    word_start = ~is_space & np.concatenate([[True], is_space[:-1]])
    word_rank = np.cumsum(word_start) - 1
    n_words = _per_line(word_start, start_arr)
    first_word = np.concatenate([[0], np.cumsum(n_words)[:-1]])
    # The first 16 words of each line: how many start with a letter, and with a capital.
    early = word_start & ((word_rank - first_word[line_of]) < 16)
    starts_alpha = early & _has(bits, _Char.ALPHA)
    starts_upper = starts_alpha & _has(bits, _Char.UPPER)
    alpha_words = _per_line(starts_alpha, start_arr)
    upper_words = _per_line(starts_upper, start_arr)
    titlecase = np.divide(upper_words, alpha_words, out=np.zeros(n), where=alpha_words > 0)

    sentences = (
        _per_line(
            (_has(bits, _Char.STOP_BEFORE_SPACE) & next_space)
            | _has(bits, _Char.STOP_ALONE)
            | ((cp == _PERIOD) & _has(bits_next, _Char.DOUBLE_QUOTE) & next2_space),
            start_arr,
        )
        + terminal_arr
    )
    commas = _per_line(_has(bits, _Char.COMMA), start_arr)
    digits = _per_line((cp >= ord("0")) & (cp <= ord("9")), start_arr)
    separators = _per_line(
        ((cp == _SPACE) & _has(bits_next, _Char.SEPARATOR) & next2_space)
        | ((cp == _PIPE) & next_space)
        | ((cp == _SPACE) & (np.concatenate([cp[1:], [0]]) == _PIPE)),
        start_arr,
    )
    first_bits = bits[start_arr]
    second_bits = bits_next[start_arr]
    lead_quote = _has(first_bits, _Char.LEAD_QUOTE)
    lead_bits = np.where(lead_quote & (lens > 1), second_bits, first_bits)
    lead_lower = _has(lead_bits, _Char.LOWER)
    second_space = next_space[start_arr]
    bullet = (_has(first_bits, _Char.BULLET) & second_space) | (
        _has(first_bits, _Char.DIGIT) & _has(second_bits, _Char.NUMBER_MARK) & next2_space[start_arr]
    )
    ends_colon = _has(end_bits, _Char.COLON)
    decimals = _per_line(_has(bits, _Char.DECIMAL) | (cp >= _BMP), start_arr)

    index = np.asarray(content, dtype=np.int64)
    gap_before = np.concatenate([[2], np.diff(index)])
    gap_after = np.concatenate([np.diff(index), [2]])
    blank_before = gap_before > 1
    blank_after = gap_after > 1
    para = blank_before & blank_after

    urlish = np.zeros(n, dtype=np.bool_)
    url_ends, _ = _url_scanner().hits(joined)
    if url_ends:
        urlish[_rows_of(url_ends, joined, start_arr)] = True
    line_ends = _line_ends(cp, start_arr, lens)
    lowered = joined.lower()
    token_rows = _token_rows(lowered, start_arr if len(lowered) == len(joined) else None)
    residual_reasons_ = tuple(_residual_reasons(texts, joined, lens, line_ends, token_rows.residual))
    terminal = tuple(terminal_arr.tolist())
    # Dates and bylines are regex searches: only lines that could hold one are searched.
    # Every date pattern has a digit in it.
    date_flags = [False] * n
    for i in np.flatnonzero((decimals > 0) & (lens <= _DATE_MAX_CHARS)).tolist():
        date_flags[i] = is_date_line(texts[i])
    date_any = tuple(date_flags)
    date = tuple(d and u < 100 for d, u in zip(date_any, units, strict=True))
    gate = _byline_gate()
    maybe_byline = gate.prefilter(line_ends) if gate is not None else np.ones(n, dtype=np.bool_)
    byline_flags = [False] * n
    for i in np.flatnonzero(maybe_byline).tolist():
        line = texts[i]
        byline_flags[i] = (gate is None or gate.may_match(line)) and BYLINE.match(line) is not None
    byline_any = tuple(byline_flags)
    byline = [b and u < 120 and line[:1].isalpha() for line, u, b in zip(texts, units, byline_any, strict=True)]
    keys = _repeat_keys(texts, joined, units, cp, start_arr)
    dated_byline = _dated_bylines(texts, units, terminal, decimals)
    caption = _captions(texts, units, _per_line(_has(bits, _Char.CREDIT_MARK), start_arr) > 0)
    credited = _credited_captions(texts, units, token_rows.credit, line_ends)
    joiners = _per_line((cp == ord("-")) | (cp == ord("_")), start_arr)
    markup = _markup_lines(texts, lens, n_words, joiners, line_ends, token_rows.markup)
    stamp_flags = [False] * n
    for i in np.flatnonzero((decimals > 0) & (separators > 0) & (lens <= STAMP_MAX_CHARS)).tolist():
        stamp_flags[i] = is_stamp_line(texts[i])
    words = np.maximum(n_words, units_arr / 6.0)
    counts = _LineCounts(
        units=units_arr.astype(np.float64),
        words=words,
        sentences=sentences.astype(np.float64),
        commas=commas.astype(np.float64),
        titlecase=titlecase,
        lead_lower=lead_lower.astype(np.float64),
        digits=digits / np.maximum(lens, 1),
        all_caps=np.fromiter(map(str.isupper, texts), dtype=np.float64, count=n),
        blank_before=blank_before.astype(np.float64),
        blank_after=blank_after.astype(np.float64),
        separators=(separators > 0).astype(np.float64),
        byline=np.asarray(byline, dtype=np.float64),
        urlish=urlish.astype(np.float64),
        lead_quote=lead_quote.astype(np.float64),
        bullet=bullet.astype(np.float64),
        ends_colon=ends_colon.astype(np.float64),
    )
    run = _densest_run(units, terminal, residual_reasons_)
    return _Page(
        lines,
        content,
        texts,
        tuple(units),
        terminal,
        tuple(para.tolist()),
        residual_reasons_,
        date,
        date_any,
        byline_any,
        caption,
        credited,
        tuple(stamp_flags),
        markup,
        keys,
        _repeated(keys),
        dated_byline,
        run,
        counts,
        line_ends,
    )


def _empty_page(lines: tuple[str, ...]) -> _Page:
    none = np.zeros(0, dtype=np.float64)
    counts = _LineCounts(*([none] * len(_LineCounts.__slots__)))
    codes = np.zeros(0, dtype=np.int64)
    ends = _LineEnds(codes, codes, codes, codes, np.zeros(0, dtype=np.bool_))
    return _Page(lines, (), (), (), (), (), (), (), (), (), (), (), (), (), (), (), (), (0, -1), counts, ends)


def _densest_run(
    units: list[int], terminal: tuple[bool, ...], residual: tuple[ResidualReason | None, ...]
) -> tuple[int, int]:
    best = (0, -1)
    best_sum = 0.0
    total = 0.0
    start = 0
    for pos, n in enumerate(units):
        prose = residual[pos] is None and (n >= 2 * _RUN_PROSE_UNITS or (n >= _RUN_PROSE_UNITS and terminal[pos]))
        total += min(n, 600) / 100.0 if prose else -_RUN_PENALTY
        if total <= 0.0:
            total = 0.0
            start = pos + 1
        elif total > best_sum:
            best_sum = total
            best = (start, pos)
    return best


def _shifted(values: FloatArray, by: int) -> FloatArray:
    """values[i - by] (0 where out of range)."""
    out = np.zeros_like(values)
    if by > 0:
        out[by:] = values[:-by]
    else:
        out[:by] = values[-by:]
    return out


def _features(page: _Page) -> tuple[FloatArray, IntArray]:
    """Stage-1 feature rows of the content lines, and the block id of each line."""
    n = len(page.content)
    if n == 0:
        return np.zeros((0, N_FEATURES), dtype=np.float64), np.zeros(0, dtype=np.int64)
    c = page.counts
    units = c.units
    repeat = np.asarray(page.repeated, dtype=np.float64)
    residual_flag = np.fromiter((r is not None for r in page.residual), dtype=np.float64, count=n)
    terminal = np.asarray(page.terminal, dtype=np.float64)
    para = c.blank_before * c.blank_after
    date = np.asarray(page.date, dtype=np.float64)
    log_units = np.log1p(units)
    pos = np.arange(n, dtype=np.float64)
    run_start, run_end = page.run
    has_run = run_end >= run_start
    total_units = units.sum() or 1.0
    # Consecutive non-blank lines form a block (a list, a menu, a table): its size in lines
    # and characters tells a menu from a paragraph that merely lacks blank lines.
    blocks = np.cumsum(c.blank_before.astype(np.int64)) - 1
    block_lines = np.bincount(blocks).astype(np.float64)
    block_units = np.bincount(blocks, weights=units)
    feats = np.zeros((n, N_FEATURES), dtype=np.float64)
    feats[:, 0] = log_units
    feats[:, 1] = units < 20
    feats[:, 2] = (units >= 20) & (units < 60)
    feats[:, 3] = units >= 150
    feats[:, 4] = np.log1p(c.words)
    feats[:, 5] = terminal
    feats[:, 6] = np.log1p(c.sentences)
    feats[:, 7] = c.commas / c.words
    feats[:, 8] = c.titlecase
    feats[:, 9] = c.lead_lower
    feats[:, 10] = c.digits
    feats[:, 11] = c.all_caps
    feats[:, 12] = c.blank_before
    feats[:, 13] = c.blank_after
    feats[:, 14] = para
    feats[:, 15] = residual_flag
    feats[:, 16] = repeat
    feats[:, 17] = c.separators
    feats[:, 18] = date
    feats[:, 19] = c.byline
    feats[:, 20] = c.urlish
    feats[:, 21] = c.lead_quote
    feats[:, 22] = c.bullet
    feats[:, 23] = c.ends_colon
    feats[:, 24] = pos / n
    if has_run:
        before = pos < run_start
        after = pos > run_end
        feats[:, 25] = ~before & ~after
        feats[:, 26] = np.log1p(np.where(before, run_start - pos, np.where(after, pos - run_end, 0.0)))
        feats[:, 27] = before
        feats[:, 28] = after
        feats[:, 29] = units[run_start : run_end + 1].sum() / total_units
    feats[:, 30] = _shifted(log_units, 1)
    feats[:, 31] = _shifted(log_units, -1)
    feats[:, 32] = _shifted(terminal, 1)
    feats[:, 33] = _shifted(terminal, -1)
    feats[:, 34] = _shifted(para, 1)
    feats[:, 35] = _shifted(para, -1)
    feats[:, 36] = _shifted(residual_flag, 1)
    feats[:, 37] = _shifted(residual_flag, -1)
    feats[:, 38] = np.log1p(block_units[blocks])
    feats[:, 39] = np.log1p(block_lines[blocks])
    feats[:, 40] = block_units[blocks] / total_units
    feats[:, 41] = units / (units.max() or 1.0)
    # Boilerplate crossed between the prose run's start and a line: a body paragraph has an
    # inline "Related" line or two on its way, a comment has the share bar, the comment
    # count and the commenters' date lines.
    if has_run:
        residual_cum = np.cumsum(residual_flag)
        date_cum = np.cumsum(date)
        feats[:, 42] = np.log1p(np.abs(residual_cum - residual_cum[run_start]))
        feats[:, 43] = np.log1p(np.abs(date_cum - date_cum[run_start]))
    return feats, blocks


# ---------------------------------------------------------------------------------------------
# The model

CONTEXT_NAMES: tuple[str, ...] = (
    "logit",
    "prev1",
    "next1",
    "prev2",
    "next2",
    "max_prev3",
    "max_next3",
    "mean_win5",
    "in_run",
    "para",
    "residual",
    "in_span",
    "log_span_dist",
    "after_span",
    "block_mean",
    "block_max",
    "residual_from_anchor",
    "low_from_anchor",
)
N_CONTEXT = len(CONTEXT_NAMES)
# A rescued subheading is at most this long (text_units).
SUBHEADING_MAX_UNITS = 100
# Stage-1 probability a line must beat to extend the main span of the page.
SPAN_BIAS = 0.3


# Stage 1 sees each line with this many lines on either side: a short line between two
# paragraphs is a subheading, the same line inside a menu is a menu item.
WINDOW = 2


def window_features(z: FloatArray) -> FloatArray:
    """Rows of standardized features of lines i-WINDOW .. i+WINDOW, zero-padded at the edges."""
    n, f = z.shape
    padded = np.zeros((n + 2 * WINDOW, f), dtype=np.float64)
    padded[WINDOW : WINDOW + n] = z
    return np.hstack([padded[k : k + n] for k in range(2 * WINDOW + 1)])


@dataclass(frozen=True, slots=True)
class LineModel:
    """Stage 1: a one-hidden-layer network over windowed line features; stage 2: a logistic
    regression over stage-1 scores in context. See benchmarks/train_textdump.py."""

    mean1: FloatArray
    scale1: FloatArray
    hidden_w: FloatArray  # (features * (2 * WINDOW + 1), hidden)
    hidden_b: FloatArray
    out_w: FloatArray
    out_b: float
    mean2: FloatArray
    scale2: FloatArray
    coef2: FloatArray
    bias2: float

    def stage1(self, feats: FloatArray) -> FloatArray:
        """Stage-1 logits, one per line."""
        x = window_features((feats - self.mean1) / self.scale1)
        z: FloatArray = np.tanh(x @ self.hidden_w + self.hidden_b) @ self.out_w + self.out_b
        return z

    def stage2(self, context: FloatArray) -> FloatArray:
        """Body probabilities, one per line."""
        z: FloatArray = ((context - self.mean2) / self.scale2) @ self.coef2 + self.bias2
        return _sigmoid(z)

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(FEATURE_NAMES),
            "context": list(CONTEXT_NAMES),
            "window": WINDOW,
            "mean1": self.mean1.tolist(),
            "scale1": self.scale1.tolist(),
            "hidden_w": self.hidden_w.tolist(),
            "hidden_b": self.hidden_b.tolist(),
            "out_w": self.out_w.tolist(),
            "out_b": self.out_b,
            "mean2": self.mean2.tolist(),
            "scale2": self.scale2.tolist(),
            "coef2": self.coef2.tolist(),
            "bias2": self.bias2,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LineModel:
        same = (
            tuple(data["features"]) == FEATURE_NAMES
            and tuple(data["context"]) == CONTEXT_NAMES
            and data["window"] == WINDOW
        )
        if not same:
            raise ValueError("model.json was trained on other features; retrain with benchmarks/train_textdump.py")

        def arr(key: str) -> FloatArray:
            return np.asarray(data[key], dtype=np.float64)

        return cls(
            mean1=arr("mean1"),
            scale1=arr("scale1"),
            hidden_w=arr("hidden_w"),
            hidden_b=arr("hidden_b"),
            out_w=arr("out_w"),
            out_b=float(data["out_b"]),
            mean2=arr("mean2"),
            scale2=arr("scale2"),
            coef2=arr("coef2"),
            bias2=float(data["bias2"]),
        )


def _sigmoid(z: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
    return out


# model.json (11 kB of weights) was fitted by benchmarks/train_textdump.py on the tune half
# (85 pages) of the text-dump gold set: pages rendered from scrapinghub/article-extraction-
# benchmark, MIT license. Adding the 60 readability-news pages (Mozilla Readability test
# pages, Apache-2.0; benchmarks/render_dumps.py) was tried and lowered out-of-fold F1, so no
# other data is in it.
@functools.cache
def shipped_model() -> LineModel:
    """The model shipped in the package (read once, on first use)."""
    blob = resources.files("corpusclean.extract").joinpath("_textdump_data/model.json").read_text("utf-8")
    return LineModel.from_json(json.loads(blob))


def _best_span(gain: FloatArray) -> tuple[int, int]:
    """Maximum-sum contiguous segment of `gain` (Kadane); (0, -1) when every gain is negative."""
    best = (0, -1)
    best_sum = 0.0
    total = 0.0
    start = 0
    for pos, g in enumerate(gain.tolist()):
        total += g
        if total <= 0.0:
            total = 0.0
            start = pos + 1
        elif total > best_sum:
            best_sum = total
            best = (start, pos)
    return best


def context_features(logits: FloatArray, feats: FloatArray, blocks: IntArray) -> FloatArray:
    """Stage-2 inputs: a line's stage-1 score next to its neighbours', its block's and its span's.

    Body lines come in runs and whole blocks, and an article is one stretch of the page, so
    the main span of stage-1 scores tells the article from stray prose (comments, teasers).
    """
    n = logits.shape[0]
    probs = _sigmoid(logits)
    padded = np.concatenate([np.zeros(3), probs, np.zeros(3)])
    ctx = np.zeros((n, N_CONTEXT), dtype=np.float64)
    if n == 0:
        return ctx
    ctx[:, 0] = logits
    ctx[:, 1] = padded[2 : n + 2]
    ctx[:, 2] = padded[4 : n + 4]
    ctx[:, 3] = padded[1 : n + 1]
    ctx[:, 4] = padded[5 : n + 5]
    ctx[:, 5] = np.maximum.reduce([padded[0:n], padded[1 : n + 1], padded[2 : n + 2]])
    ctx[:, 6] = np.maximum.reduce([padded[4 : n + 4], padded[5 : n + 5], padded[6 : n + 6]])
    ctx[:, 7] = (padded[1 : n + 1] + padded[2 : n + 2] + padded[3 : n + 3] + padded[4 : n + 4] + padded[5 : n + 5]) / 5
    ctx[:, 8] = feats[:, FEATURE_NAMES.index("in_run")]
    ctx[:, 9] = feats[:, FEATURE_NAMES.index("para_block")]
    ctx[:, 10] = feats[:, FEATURE_NAMES.index("residual")]
    weight = feats[:, FEATURE_NAMES.index("log_units")]
    lo, hi = _best_span((probs - SPAN_BIAS) * weight)
    positions = np.arange(n)
    if hi >= lo:
        ctx[:, 11] = (positions >= lo) & (positions <= hi)
        dist = np.where(positions < lo, lo - positions, np.where(positions > hi, positions - hi, 0))
        ctx[:, 12] = np.log1p(dist)
        ctx[:, 13] = positions > hi
    sums = np.bincount(blocks, weights=probs)
    counts = np.bincount(blocks)
    ctx[:, 14] = (sums / np.maximum(counts, 1))[blocks]
    block_max = np.zeros(counts.shape[0])
    np.maximum.at(block_max, blocks, probs)
    ctx[:, 15] = block_max[blocks]
    # The anchor is the most confident long line; what lies between it and a line (boilerplate
    # lines, lines the model rejects) tells the article's own paragraphs from later prose.
    anchor = int(np.argmax(probs * weight))
    residual_cum = np.cumsum(feats[:, FEATURE_NAMES.index("residual")])
    low_cum = np.cumsum(probs < 0.2)
    ctx[:, 16] = np.log1p(np.abs(residual_cum - residual_cum[anchor]))
    ctx[:, 17] = np.log1p(np.abs(low_cum - low_cum[anchor]))
    return ctx


def page_features(text: str, config: DumpCleanConfig = DEFAULT_CONFIG) -> tuple[list[str], FloatArray, IntArray]:
    """The non-blank lines of a dump, their stage-1 feature rows and block ids (for training)."""
    page = _split_page(text, config)
    feats, blocks = _features(page)
    return [page.lines[i] for i in page.content], feats, blocks


# ---------------------------------------------------------------------------------------------
# Classification


@dataclass(frozen=True, slots=True)
class _Header:
    """Positions (content indexes) of the metadata lines found around the body."""

    title: int | None
    title_repeats: tuple[int, ...]
    standfirst: int | None
    section: int | None
    date: int | None
    byline: int | None


def _title_like(line: str, units: int, terminal: bool, residual: ResidualReason | None) -> bool:
    return residual is None and 12 <= units <= 300 and not (terminal and line.endswith(".")) and not line.endswith(":")


def _find_header(page: _Page, body: list[bool]) -> _Header:
    n = len(page.content)
    first_body = next((pos for pos in range(n) if body[pos]), n)
    # The title sits just above the body; h1 renders as a paragraph block and the title is
    # often repeated (page heading and image alt/heading), both count for a candidate.
    best: tuple[float, int] | None = None
    for pos in range(max(0, first_body - 15), min(first_body + 1, n)):
        line = page.lines[page.content[pos]]
        units = page.units[pos]
        if not _title_like(line, units, page.terminal[pos], page.residual[pos]) or page.date_any[pos]:
            continue
        if page.byline[pos] or (len(line.split()) < 2 and units < 24):
            continue
        if pos == first_body and not page.para[pos]:
            continue
        # A caption ("... Foto: EFE", "... REUTERS/Name"), a dated byline or a stamp is never the title.
        if (
            page.caption[pos]
            or page.credited[pos]
            or page.stamp[pos]
            or IMAGE_CREDIT_TAIL.search(line)
            or _is_dated_byline(page, pos)
        ):
            continue
        score = 0.0
        score += 2.0 if page.repeated[pos] else 0.0
        score += 1.0 if page.para[pos] else 0.0
        score += 1.0 if 30 <= units <= 160 else 0.0
        score += 0.6 * _titlecase_share(line.split())
        score -= 0.05 * (first_body - pos)
        score += _header_block_bonus(page, pos, first_body)
        if best is None or score > best[0]:
            best = (score, pos)
    title = best[1] if best is not None and best[0] > 0.5 else None
    repeats: tuple[int, ...] = ()
    standfirst = None
    section = None
    if title is not None:
        key = page.keys[title]
        repeats = tuple(pos for pos in range(n) if pos != title and page.keys[pos] == key)
        first = min((title, *repeats))
        standfirst = _find_standfirst(page, body, first, first_body)
        section = _find_section(page, first)
    top = title if title is not None else first_body
    date = _find_near(
        page, top, first_body, lambda pos: page.date[pos] or _is_dated_byline(page, pos) or page.stamp[pos]
    )
    byline = _find_near(
        page, top, first_body, lambda pos: (page.units[pos] < 120 and page.byline[pos]) or _is_dated_byline(page, pos)
    )
    return _Header(title, repeats, standfirst, section, date, byline)


def _is_dated_byline(page: _Page, pos: int) -> bool:
    return page.dated_byline[pos]


def _dated_bylines(
    texts: tuple[str, ...], units: list[int], terminal: tuple[bool, ...], decimals: IntArray
) -> tuple[bool, ...]:
    """Lines like "Posted on March 3, 2025 by Mara Lindqvist" (a date, then "by" and a name) or
    "By Mara Lindqvist on Monday, March 3, 2025 at 11:08 a.m." (a byline holding a date)."""
    flags = [False] * len(texts)
    for pos in np.flatnonzero(decimals > 0).tolist():
        line = texts[pos]
        if units[pos] >= _DATED_BYLINE_MAX_UNITS:
            continue
        if line[:3].lower() == "by " and BYLINE.match(line) and DATE_TEXT.search(line):
            flags[pos] = True
            continue
        if terminal[pos] and line.endswith("."):
            continue
        if _BY_WORD.search(line) is None:
            continue
        match = _DATED_BYLINE.match(line)
        flags[pos] = match is not None and DATE_TEXT.search(match.group("date")) is not None
    return tuple(flags)


def _header_block_bonus(page: _Page, pos: int, first_body: int) -> float:
    """The title heads the header block: a longer standfirst right after it, a date or byline soon after."""
    bonus = 0.0
    nxt = pos + 1
    if (
        nxt < first_body
        and page.units[nxt] > page.units[pos]
        and page.units[nxt] >= 50
        and page.residual[nxt] is None
        and not page.caption[nxt]
        and not page.date[nxt]
    ):
        bonus += 1.0
    for after in range(pos + 1, min(pos + 4, first_body)):
        if page.date[after] or page.byline[after] or _is_dated_byline(page, after):
            bonus += 0.5
            break
    return bonus


def _find_standfirst(page: _Page, body: list[bool], title: int, first_body: int) -> int | None:
    for pos in range(title + 1, min(title + 5, len(page.content))):
        if body[pos] or pos >= first_body:
            return None
        line = page.lines[page.content[pos]]
        if page.keys[pos] == page.keys[title] or page.units[pos] < 50:
            continue
        if IMAGE_CREDIT_TAIL.search(line) or IMAGE_CREDIT_LABEL.search(line) or page.residual[pos] is not None:
            continue
        if page.terminal[pos] or page.units[pos] >= 80:
            return pos
    return None


def _find_section(page: _Page, title: int) -> int | None:
    for pos in range(title - 1, max(-1, title - 5), -1):
        line = page.lines[page.content[pos]]
        if page.residual[pos] is not None or page.date_any[pos]:
            continue
        if page.units[pos] <= 30 and len(line.split()) <= 3 and not page.terminal[pos] and not line[0].isdigit():
            return pos
        return None
    return None


def _find_near(page: _Page, top: int, first_body: int, test: Callable[[int], bool]) -> int | None:
    lo = max(0, top - 4)
    hi = min(len(page.content), max(first_body, top) + 6)
    for pos in range(lo, hi):
        if test(pos):
            return pos
    return None


def _kind_for_reason(reason: ResidualReason) -> LineKind:
    if reason is ResidualReason.RELATED:
        return LineKind.RELATED
    if reason is ResidualReason.COMMENTS:
        return LineKind.COMMENTS
    if reason in (ResidualReason.COPYRIGHT, ResidualReason.DISCLAIMER):
        return LineKind.FOOTER
    if reason is ResidualReason.IMAGE_CREDIT:
        return LineKind.CAPTION
    if reason in (ResidualReason.TITLE_REPEAT, ResidualReason.SUBTITLE_REPEAT):
        return LineKind.TITLE
    return LineKind.BOILERPLATE


def is_caption(line: str, units: int) -> bool:
    """A caption: a photo credit label or tail, a wire-photo credit, or a sentence ending in "Foto: EFE"."""
    return units < 400 and (
        IMAGE_CREDIT_LABEL.search(line) is not None
        or (IMAGE_CREDIT_TAIL.search(line) is not None and len(line.split()) >= 4)
        or _REUTERS_STYLE_CREDIT.search(line) is not None
        or _TRAILING_CREDIT.search(line) is not None
    )


def _captions(texts: tuple[str, ...], units: list[int], marked: BoolArray) -> tuple[bool, ...]:
    """is_caption of each line; only `marked` lines (holding one of residual.CREDIT_MARKS) are searched."""
    flags = [False] * len(texts)
    for i in np.flatnonzero(marked).tolist():
        flags[i] = is_caption(texts[i], units[i])
    return tuple(flags)


# A metadata stamp: a few short parts between separators, one of them a date ("PUBLISHED: 00:01,
# Tue, Nov 19, 2019 | UPDATED: 10:43, ...", "New Delhi, News Nation Bureau | Updated : 19 November
# 2019, 09:01 AM", "Текст: Лида Буслаева · 11 октября 2018").
STAMP_MAX_CHARS = 140
STAMP_PART_MAX_CHARS = 60
_STAMP_SEPARATOR = re.compile(r"\s+[|·•]\s+")


def is_stamp_line(line: str) -> bool:
    """A line of 2-4 short parts between "|", "·" or "•", one of them a date."""
    if len(line) > STAMP_MAX_CHARS:
        return False
    parts = [part.strip() for part in _STAMP_SEPARATOR.split(line)]
    parts = [part for part in parts if part]
    return (
        2 <= len(parts) <= 4
        and all(len(part) <= STAMP_PART_MAX_CHARS for part in parts)
        and any(is_date_line(part) for part in parts)
    )


# How residual.markup_reason's widget status strings begin ("Please wait", "Loading ...", "Sorry",
# "Thanks", "Oops", "Close", "This feature is ...", "Something went wrong"); a lone "x" aside.
_STATUS_HEADS = ("ple", "loa", "sor", "tha", "oop", "clo", "thi", "som")
_STATUS_HEAD_CODES = np.asarray([(ord(h[0]) << 16) | (ord(h[1]) << 8) | ord(h[2]) for h in _STATUS_HEADS])


def _markup_lines(
    texts: tuple[str, ...],
    lens: IntArray,
    n_words: IntArray,
    joiners: IntArray,
    ends: _LineEnds,
    bracket_rows: set[int],
) -> tuple[bool, ...]:
    """residual.markup_reason of each line is not None; only lines that can match are asked: those
    holding "[" (shortcodes), short ones of one or two words with two "-"/"_" (CSS class names),
    and those that begin like a widget status string."""
    maybe = (lens <= residual.MARKUP_MAX_CHARS) & (n_words <= 2) & (joiners >= 2)
    heads = (ends.first << 16) | (ends.second << 8) | ends.third
    letter_second = (ends.second >= ord("a")) & (ends.second <= ord("z"))
    maybe |= (heads[:, None] == _STATUS_HEAD_CODES[None, :]).any(axis=1) | ((ends.first == ord("x")) & ~letter_second)
    rows = set(np.flatnonzero(maybe).tolist()) | bracket_rows
    flags = [False] * len(texts)
    for i in rows:
        flags[i] = residual.markup_reason(texts[i]) is not None
    return tuple(flags)


def is_credited_caption(line: str, units: int) -> bool:
    """A caption by its form (residual.is_credited_caption): "... (AP Photo/Alan Diaz, File)", "... (Image:
    GETTY)", "... Credit: ESA", "In this Nov. 5, 2019, file photo, ..."."""
    return units < 400 and residual.is_credited_caption(line)


def _credited_captions(
    texts: tuple[str, ...], units: list[int], credit_rows: set[int], ends: _LineEnds
) -> tuple[bool, ...]:
    """is_credited_caption of each line; only lines ending in ")" or holding one of
    residual.CAPTION_CREDIT_TOKENS (`credit_rows`, found by _token_rows) are searched."""
    flags = [False] * len(texts)
    rows = set(np.flatnonzero(ends.last == _CLOSE_PAREN).tolist())
    rows |= credit_rows
    for i in rows:
        flags[i] = is_credited_caption(texts[i], units[i])
    return tuple(flags)


@dataclass(frozen=True, slots=True)
class _Decision:
    page: _Page
    probs: FloatArray
    body: list[bool]
    kinds: list[LineKind]
    header: _Header


def _decide(text: str, site_lines: SiteLineStats | None, config: DumpCleanConfig, *, name_all: bool) -> _Decision:
    """Body labels, header positions and (with `name_all`, for reports) a kind for every line."""
    page = _split_page(text, config)
    n = len(page.content)
    if n == 0:
        empty = _Header(None, (), None, None, None, None)
        return _Decision(page, np.zeros(0), [], [], empty)
    model = shipped_model()
    feats, blocks = _features(page)
    logits = model.stage1(feats)
    probs = model.stage2(context_features(logits, feats, blocks))
    body = _select_body(page, probs, config)
    for pos in np.flatnonzero(logits < config.stage1_floor).tolist():
        body[pos] = False
    _drop_stray_short_runs(page, body)
    _veto_metadata_lines(page, body)
    _drop_kept_lines_above_byline(page, body)
    _drop_headline_closing_a_menu(page, body)
    _rescue_subheadings(page, body)
    _keep_paragraph_before_end_marker(page, body)
    _keep_paragraph_above_ad_break(page, body)
    _keep_tables(page, body)
    _continue_numbered_lists(page, body)
    _cut_closing_sections(page, body)
    _drop_contact_trailer(page, body)
    teased = _related_block_lines(page)
    for pos in teased:
        body[pos] = False
    kinds = [LineKind.BODY if keep else LineKind.BOILERPLATE for keep in body]
    if site_lines is not None and site_lines.counts:
        _drop_site_repeats(page, body, kinds, site_lines, config)
    header = _find_header(page, body)
    title_lines = header.title_repeats if header.title is None else (header.title, *header.title_repeats)
    for title_pos in title_lines:
        body[title_pos] = False
        kinds[title_pos] = LineKind.TITLE
    named = (
        (header.standfirst, LineKind.STANDFIRST),
        (header.section, LineKind.SECTION),
        (header.date, LineKind.DATE),
        (header.byline, LineKind.BYLINE),
    )
    for named_pos, kind in named:
        if named_pos is not None and not body[named_pos]:
            kinds[named_pos] = kind
    for pos in teased:
        kinds[pos] = LineKind.RELATED
    if name_all:
        _label_rest(page, body, kinds)
    return _Decision(page, probs, body, kinds, header)


def _select_body(page: _Page, probs: FloatArray, config: DumpCleanConfig) -> list[bool]:
    """Body/other labels by a two-state Viterbi pass over the lines.

    Each line votes with its log-odds (scaled by the log of its length, so a long confident
    paragraph outweighs a stray short line) and every switch between body and other costs
    `switch_cost`: an article is a few long stretches, not a scatter of single lines.
    """
    n = len(page.content)
    p = np.clip(probs, 1e-4, 1 - 1e-4)
    weight = np.log2(2.0 + np.asarray(page.units, dtype=np.float64))
    # A page that is one prose run from first line to last is already clean (an extractor's
    # output, or this cleaner's own): the model, trained on whole rendered pages, is unsure
    # there, so the bar is lowered rather than dropping the article.
    clean = page.run == (0, n - 1)
    if clean and all(page.para) and not any(page.residual):
        return [True] * n  # nothing but paragraphs of prose: already a body
    threshold = config.clean_page_threshold if clean else config.threshold
    gain = (np.log(p / (1 - p)) - math.log(threshold / (1 - threshold))) * weight
    cost = config.switch_cost
    # score[s]: best total with the current line in state s (0 other, 1 body).
    other, body_score = 0.0, -cost
    back: list[tuple[int, int]] = []
    for g in gain.tolist():
        to_body = other - cost
        to_other = body_score - cost
        if body_score >= to_body:
            prev_for_body, new_body = 1, body_score + g
        else:
            prev_for_body, new_body = 0, to_body + g
        if other >= to_other:
            prev_for_other, new_other = 0, other
        else:
            prev_for_other, new_other = 1, to_other
        back.append((prev_for_other, prev_for_body))
        other, body_score = new_other, new_body
    state = 1 if body_score > other else 0
    labels = [False] * n
    for pos in range(n - 1, -1, -1):
        labels[pos] = state == 1
        state = back[pos][state]
    return [labels[pos] and page.residual[pos] is None for pos in range(n)]


# A run of kept lines none of which is a sentence or this long is a menu or a list of links
# when STRAY_GAP_LINES or more dropped lines part it from the rest of the kept text.
STRAY_MAX_UNITS = 60
STRAY_GAP_LINES = 5


def _drop_stray_short_runs(page: _Page, body: list[bool]) -> None:
    """Drop a run of short kept lines (a menu that scored just above the bar) far from the rest.

    The article's own lists sit among its paragraphs; a navigation list the model is lukewarm
    about sits apart, a screenful of rejected lines away. Nothing is dropped when every kept
    run is short: then the page has no paragraphs to tell a menu from.
    """
    n = len(body)
    runs: list[tuple[int, int]] = []
    pos = 0
    while pos < n:
        if body[pos]:
            end = pos
            while end + 1 < n and body[end + 1]:
                end += 1
            runs.append((pos, end))
            pos = end + 1
        else:
            pos += 1
    if len(runs) < 2:
        return

    def short(run: tuple[int, int]) -> bool:
        return all(page.units[p] < STRAY_MAX_UNITS and not page.terminal[p] for p in range(run[0], run[1] + 1))

    flags = [short(run) for run in runs]
    if all(flags):
        return
    for i, run in enumerate(runs):
        if not flags[i]:
            continue
        gap_before = run[0] - runs[i - 1][1] - 1 if i > 0 else n
        gap_after = runs[i + 1][0] - run[1] - 1 if i + 1 < len(runs) else n
        if min(gap_before, gap_after) >= STRAY_GAP_LINES:
            body[run[0] : run[1] + 1] = [False] * (run[1] - run[0] + 1)


def _drop_site_repeats(
    page: _Page, body: list[bool], kinds: list[LineKind], site_lines: SiteLineStats, config: DumpCleanConfig
) -> None:
    """Lines the site prints on many of its pages are its furniture (the CCNet idea), whatever the
    model makes of them: a member appeal in the middle of the story reads like prose, and in a
    body block the model scores every line alike (0.91-0.96 on tests/unit/test_site_repeats.py).

    When repeated lines would take more than `site_max_body_share` of the kept body, the page
    repeats an article (a reprint, the same story at another URL): its lines stay, and
    deduplication decides.
    """
    repeats = [pos for pos, n in enumerate(site_lines.page_counts(page.texts)) if n >= config.site_min_pages]
    if not repeats:
        return
    kept = sum(u for u, keep in zip(page.units, body, strict=True) if keep)
    repeated = sum(page.units[pos] for pos in repeats if body[pos])
    if kept and repeated > config.site_max_body_share * kept:
        repeats = [pos for pos in repeats if not body[pos]]
    for pos in repeats:
        body[pos] = False
        kinds[pos] = LineKind.SITE_REPEAT


def _veto_metadata_lines(page: _Page, body: list[bool]) -> None:
    """Date stamps, dated bylines, captions ending in their credit, credited captions outside
    paragraph blocks, and template residue (residual.markup_reason) are never article text."""
    for pos in range(len(page.content)):
        if body[pos] and _vetoed(page, pos):
            body[pos] = False


# A byline that is not a sentence ("By Tomas Reyes, Reuters"; not "By Tuesday, the board had
# voted."): 1 of the tune gold lines, 51 page lines.
BYLINE_VETO_UNITS = 120
# Kept text below a heading byline must outweigh the kept lines above it this many times.
HEADER_BODY_RATIO = 3


def _vetoed(page: _Page, pos: int) -> bool:
    """Whether a line is never article text: a date stamp, a byline or dated byline, a metadata
    stamp, a caption (outside paragraph blocks unless it ends in its credit), or template residue."""
    return (
        page.date[pos]
        or (
            page.byline[pos]
            and not page.terminal[pos]
            and page.units[pos] < BYLINE_VETO_UNITS
            and page.texts[pos][:1].isalpha()
        )
        or page.dated_byline[pos]
        or page.stamp[pos]
        or (not page.para[pos] and page.caption[pos])
        or page.credited[pos]
        or page.markup[pos]
    )


def _drop_kept_lines_above_byline(page: _Page, body: list[bool]) -> None:
    """Drop kept lines above the byline or date line that heads the body when none of them is a
    sentence: a menu, the headline and a section label ("Home / News / Business / Headline /
    By Name / <body>"). Short pages with a small menu let the model keep those."""
    n = len(body)
    for pos in range(n):
        if not (page.date[pos] or page.dated_byline[pos] or (page.byline[pos] and _vetoed(page, pos))):
            continue
        above = [p for p in range(pos) if body[p]]
        if not above or any(page.terminal[p] or page.units[p] >= SUBHEADING_MAX_UNITS for p in above):
            return
        units_above = sum(page.units[p] for p in above)
        units_below = sum(page.units[p] for p in range(pos + 1, n) if body[p])
        if units_below >= HEADER_BODY_RATIO * units_above:
            for p in above:
                body[p] = False
        return


def _drop_headline_closing_a_menu(page: _Page, body: list[bool]) -> None:
    """Drop the first kept line when it is a short non-sentence closing a block of dropped lines
    (the menu it was rendered under, no blank line between): the page's headline, not its
    first paragraph."""
    first = next((pos for pos in range(len(body)) if body[pos]), None)
    if first is None or first < 2 or page.para[first] or page.terminal[first]:
        return
    if page.units[first] >= SUBHEADING_MAX_UNITS or page.counts.blank_before[first]:
        return
    start = first
    while start > 0 and not page.counts.blank_before[start]:
        start -= 1
    if first - start >= 2 and page.counts.blank_after[first]:
        body[first] = False


def _rescue_subheadings(page: _Page, body: list[bool]) -> None:
    """Keep a short heading block that sits between two body paragraphs.

    Boilerplate lines (an inline "Related..." teaser, "RECOMMENDED") are looked through:
    a subheading is often rendered right next to one. All-caps labels are not rescued.
    """
    n = len(page.content)
    for pos in range(n):
        if body[pos] or not page.para[pos] or page.units[pos] > SUBHEADING_MAX_UNITS:
            continue
        if page.residual[pos] is not None or page.caption[pos] or _vetoed(page, pos):
            continue
        line = page.lines[page.content[pos]]
        if line.isupper() or line.endswith((".", ",")):
            continue
        before = next((p for p in range(pos - 1, -1, -1) if page.residual[p] is None), None)
        after = next((p for p in range(pos + 1, n) if page.residual[p] is None), None)
        if before is not None and after is not None and body[before] and body[after]:
            body[pos] = True


# Lines that close a syndicated story right under its last paragraph: the wire's copyright
# ("Copyright 2025 Thomson Reuters."), its source line, its staff credits. The model learned
# that boilerplate below a paragraph means the footer has begun, and drops that paragraph.
_END_MARKERS = frozenset({ResidualReason.COPYRIGHT, ResidualReason.SOURCE_LINE, ResidualReason.STAFF_CREDIT})
END_PARAGRAPH_MIN_UNITS = 40


def _prose_paragraph(page: _Page, pos: int) -> bool:
    """A paragraph block of some length that no rule names (not boilerplate, a date or a caption)."""
    return (
        page.para[pos]
        and page.residual[pos] is None
        and page.units[pos] >= END_PARAGRAPH_MIN_UNITS
        and not page.date_any[pos]
        and not page.caption[pos]
        and not page.credited[pos]
    )


def _keep_paragraph_before_end_marker(page: _Page, body: list[bool]) -> None:
    """Keep a prose paragraph that follows the body and sits right above a story-end marker."""
    n = len(page.content)
    for pos in range(1, n - 1):
        if body[pos] or page.residual[pos + 1] not in _END_MARKERS or page.content[pos + 1] != page.content[pos] + 2:
            continue
        if not _prose_paragraph(page, pos) or not page.texts[pos].endswith((".", "!", "?", '."', ".”")):
            continue
        before = next((p for p in range(pos - 1, -1, -1) if page.residual[p] is None), None)
        if before is not None and body[before]:
            body[pos] = True


def _keep_paragraph_above_ad_break(page: _Page, body: list[bool]) -> None:
    """Keep a prose paragraph right above an in-article ad break ("Continue Reading Below",
    "Advertisement") when the body goes on below the break: the break sits inside the article,
    so the paragraph on its near side is article too (often the lede, which the model can
    mistake for the standfirst block above it)."""
    if ResidualReason.ADVERTISEMENT not in page.residual:
        return
    n = len(page.content)
    for pos in range(n - 1):
        if body[pos] or page.residual[pos + 1] is not ResidualReason.ADVERTISEMENT:
            continue
        if not _prose_paragraph(page, pos) or not page.terminal[pos]:
            continue
        after = next((p for p in range(pos + 2, n) if page.residual[p] is None), None)
        if after is not None and body[after]:
            body[pos] = True


# A table renders as a block of lines with no blank line between them, most of its rows holding
# several numbers ("3 Kevin Harvick 5033 4 6 15 26"). The model scores rows one by one, and
# number rows look like nothing it knows, so a table inside an article comes out in pieces.
TABLE_MIN_ROWS = 4
TABLE_NUMERIC_SHARE = 0.8
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:[.,:]\d+)*%?(?!\w)")


def _keep_tables(page: _Page, body: list[bool]) -> None:
    """A table the body keeps part of is kept whole (its boilerplate lines aside)."""
    starts = np.append(np.flatnonzero(page.counts.blank_before), len(body))
    long_blocks = np.flatnonzero(np.diff(starts) >= TABLE_MIN_ROWS)
    for block in long_blocks.tolist():
        rows = range(int(starts[block]), int(starts[block + 1]))
        kept = sum(body[pos] for pos in rows)
        if kept == 0 or kept == len(rows):
            continue
        numeric = sum(len(_NUMBER.findall(page.texts[pos])) >= 2 for pos in rows)
        if numeric >= TABLE_NUMERIC_SHARE * len(rows):
            for pos in rows:
                if page.residual[pos] is None and not _vetoed(page, pos):
                    body[pos] = True


# A numbered list ("21) Pesca pazza ...", "3. Preheat the oven") is one list: items whose number
# continues a kept item's are kept too, with the few lines between two items (a shop link under
# each product). The model scores items one by one, and its scores fade along a long list.
_NUMBERED_ITEM = re.compile(r"^(\d{1,3})[.)]\s+\S")
NUMBERED_MIN_ITEMS = 3
NUMBERED_MAX_GAP = 3  # lines between two items of the same list


def _continue_numbered_lists(page: _Page, body: list[bool]) -> None:
    """Keep the items (and the lines between them) that continue a kept item's numbering."""
    digit = (page.ends.first >= ord("0")) & (page.ends.first <= ord("9"))
    numbers: dict[int, int] = {}
    for pos in np.flatnonzero(digit).tolist():
        match = _NUMBERED_ITEM.match(page.texts[pos]) if page.units[pos] < 400 else None
        if match is not None:
            numbers[pos] = int(match.group(1))
    if len(numbers) < NUMBERED_MIN_ITEMS:
        return
    items = sorted(numbers)
    changed = True
    while changed:
        changed = False
        for a, b in itertools.pairwise(items):
            if b - a - 1 > NUMBERED_MAX_GAP or numbers[b] != numbers[a] + 1 or body[a] == body[b]:
                continue
            span = range(a, b + 1)
            if any(page.residual[pos] is not None for pos in span):
                continue
            for pos in span:
                if not body[pos] and not _vetoed(page, pos):
                    body[pos] = True
                    changed = True


def _drop_contact_trailer(page: _Page, body: list[bool]) -> None:
    """The author's contact line among the last kept lines ("... may be reached at ...") closes
    the article, not part of it (residual.is_contact_line, as on the HTML path)."""
    kept = [pos for pos in range(len(body)) if body[pos]][-residual.CONTACT_LAST_LINES :]
    for pos in kept:
        if residual.is_contact_line(page.texts[pos]):
            body[pos] = False


# Closing sections. A comments label ("Comments", "[ 167 comments ]", "Leave a reply") or a
# tags label ("Tags") below at least CLOSING_COMMENTS_UNITS of kept article text opens the
# reader comments or the page's closing matter, which read as prose to the line model:
# everything from it down is dropped. Comment threads and the sidebars under a tag list can
# be longer than the article, so this is not a share of the kept text; a comment count in a
# share bar under the title has too little article above it to count, and a "Comments"
# button inside a share bar ("Facebook / Twitter / Comments / Print") never counts. A "More
# stories" heading closes the body only below CLOSING_LABEL_AT of the kept text, as on the
# HTML path. "Related" and "Trending" labels also head inline widgets with more article
# below them, so they never close the body.
CLOSING_COMMENTS_UNITS = 400
CLOSING_LABEL_AT = 0.8
CLOSING_LABEL_UNITS = 60
_LABEL_WRAPPING = "[](){}<>«»-–—•*·:| "
_CLOSING_REASONS = frozenset({ResidualReason.COMMENTS, ResidualReason.TAGS})
_CLOSING_HEADING_INITIALS = frozenset("omlrp")  # residual.CLOSING_HEADING: other, more, latest, recent, popular


def _closing_char_table(chars: str) -> BoolArray:
    table = np.zeros(_NON_ASCII + 1, dtype=np.bool_)
    table[[ord(c) for c in chars if ord(c) < _NON_ASCII]] = True
    table[_NON_ASCII] = any(ord(c) >= _NON_ASCII for c in chars)
    return table


# Which lines can be a closing label at all, by their first and last characters (lowercased
# ASCII codes as in _LineEnds): a wrapped label, or a heading starting like CLOSING_HEADING.
_CLOSING_FIRST = _closing_char_table(_LABEL_WRAPPING + "".join(_CLOSING_HEADING_INITIALS))
_CLOSING_LAST = _closing_char_table(_LABEL_WRAPPING)


def _cut_closing_sections(page: _Page, body: list[bool]) -> None:
    """Drop everything from a closing-section label down (see CLOSING_COMMENTS_UNITS)."""
    n = len(body)
    if n == 0:
        return
    kept = np.where(np.asarray(body, dtype=np.bool_), page.counts.units, 0.0)
    above = np.cumsum(kept) - kept  # kept text above each line
    total = float(kept.sum())
    maybe = _CLOSING_FIRST[page.ends.first] | _CLOSING_LAST[page.ends.last]
    for pos, reason in enumerate(page.residual):
        if reason in _CLOSING_REASONS:
            maybe[pos] = True
    maybe &= (above >= CLOSING_COMMENTS_UNITS) & (page.counts.units <= CLOSING_LABEL_UNITS)
    for pos in np.flatnonzero(maybe).tolist():
        line = page.texts[pos]
        bare = line.strip(_LABEL_WRAPPING)
        if not bare or _in_share_bar(page, pos):
            continue
        reason = page.residual[pos] if bare == line else boilerplate_reason(bare)
        late = above[pos] >= CLOSING_LABEL_AT * total
        closes = (reason in _CLOSING_REASONS or late) and reason is not ResidualReason.RELATED
        if closes and is_closing_label(bare, reason):
            body[pos:] = [False] * (n - pos)
            return


def _in_share_bar(page: _Page, pos: int) -> bool:
    """The line sits in one block with a share button ("Facebook", "Print"): a button, not a heading.

    A share bar under the title often counts the comments ("Facebook / Twitter / Comments /
    Print / Email"); that "Comments" opens no comment section.
    """
    index = page.content[pos]
    return any(
        0 <= near < len(page.content)
        and abs(page.content[near] - index) == 1
        and page.residual[near] is ResidualReason.SHARE
        for near in (pos - 1, pos + 1)
    )


def _label_rest(page: _Page, body: list[bool], kinds: list[LineKind]) -> None:
    """Name the dropped lines that no header rule named, for reports."""
    n = len(page.content)
    kept = [pos for pos in range(n) if body[pos]]
    first, last = (kept[0], kept[-1]) if kept else (n, n)
    for pos in range(n):
        if body[pos] or kinds[pos] is not LineKind.BOILERPLATE:
            continue
        line = page.lines[page.content[pos]]
        reason = page.residual[pos]
        if reason is not None:
            kinds[pos] = _kind_for_reason(reason)
        elif page.caption[pos]:
            kinds[pos] = LineKind.CAPTION
        elif page.date[pos]:
            kinds[pos] = LineKind.DATE
        elif pos < first:
            kinds[pos] = LineKind.NAVIGATION
        elif pos > last:
            title_like = len(line.split()) >= 4 and not page.terminal[pos]
            kinds[pos] = LineKind.HEADLINE_LIST if title_like else LineKind.FOOTER


def classify_lines(
    text: str,
    *,
    site_lines: SiteLineStats | None = None,
    config: DumpCleanConfig = DEFAULT_CONFIG,
) -> list[LineLabel]:
    """One :class:`LineLabel` per input line (blank lines included), in input order."""
    try:
        decision = _decide(text, site_lines, config, name_all=True)
    except (ValueError, OverflowError, MemoryError, RecursionError):
        return []
    page = decision.page
    pos_of = {index: pos for pos, index in enumerate(page.content)}
    labels: list[LineLabel] = []
    for index, line in enumerate(page.lines):
        pos = pos_of.get(index)
        if pos is None:
            labels.append(LineLabel(index, line, LineKind.BLANK, 0.0))
            continue
        reason = page.residual[pos]
        labels.append(
            LineLabel(index, line, decision.kinds[pos], float(decision.probs[pos]), str(reason) if reason else None)
        )
    return labels


# ---------------------------------------------------------------------------------------------
# Metadata


def _authors(line: str) -> tuple[str, ...]:
    match = BYLINE.match(line) or _DATED_BYLINE.match(line)
    if match is None:
        return ()
    names = _DATE_TAIL.sub("", _NAME_TAIL.sub("", match.group("names")))
    out = []
    for name in _NAME_SPLIT.split(names):
        name = name.strip(" .,-–—|")
        if name and len(name.split()) <= 5 and name[0].isupper() and name.casefold() not in _WIRE_AGENCIES:
            out.append(name)
    return tuple(dict.fromkeys(out))


def _credits(page: _Page, body: list[bool]) -> tuple[str, ...]:
    out: list[str] = []
    n = len(page.content)
    is_credit = functools.partial(operator.is_, ResidualReason.IMAGE_CREDIT)
    flagged = {
        *itertools.compress(range(n), page.caption),
        *itertools.compress(range(n), page.credited),
        *itertools.compress(range(n), map(is_credit, page.residual)),
    }
    for pos in sorted(flagged):
        if body[pos]:
            continue
        line = page.texts[pos]
        if page.credited[pos] or page.residual[pos] is ResidualReason.IMAGE_CREDIT:
            credit = residual.caption_credit_end(line) or residual.image_credit_of(line, allow_tail=False)
            if credit:
                out.append(credit)
                continue
        if not page.caption[pos]:
            continue
        match = IMAGE_CREDIT_LABEL.search(line)
        credit = (match.group("credit") or match.group("paren")) if match is not None else None
        if credit is None:
            tail = IMAGE_CREDIT_TAIL.search(line) or _REUTERS_STYLE_CREDIT.search(line) or _TRAILING_CREDIT.search(line)
            credit = tail.group("credit") if tail is not None else None
        if credit and credit.strip():
            out.append(credit.strip())
    return tuple(dict.fromkeys(out))


def _agency(page: _Page, body: list[bool]) -> str | None:
    for pos in range(len(page.content)):
        if page.residual[pos] is ResidualReason.SOURCE_LINE:
            agency = agency_of(page.lines[page.content[pos]])
            if agency:
                return agency
    for pos in [pos for pos in range(len(page.content)) if body[pos]][:2]:
        line = page.texts[pos]
        agency = agency_of(line)
        if agency:
            return agency
        match = _DATELINE_AGENCY_STOP.match(line)
        if match is not None:
            return match.group("agency")
    return None


def _related(page: _Page) -> tuple[str, ...]:
    out: list[str] = []
    teased = set(_related_block_lines(page))
    for pos in range(len(page.content)):
        if pos in teased:
            out.append(page.texts[pos])
        elif page.residual[pos] is ResidualReason.RELATED:
            headline = related_headline(page.texts[pos])
            if headline:
                out.append(headline)
    return tuple(dict.fromkeys(out))


# A related box lists at most this many headlines under its label.
RELATED_BLOCK_MAX_LINES = 6
# A list of headlines a blank line below its label: its size, its lines' length, and the share
# of them that read as headlines (one can be two short sentences: "Taxes rise. See the maps.").
RELATED_LIST_MIN_LINES = 3
RELATED_LIST_MAX_LINES = 10
RELATED_LIST_MAX_UNITS = 160
RELATED_LIST_HEADLINE_SHARE = 0.75


def _related_block_lines(page: _Page) -> list[int]:
    """Headlines listed under a bare "Read more:" / "Te puede interesar:" label, in the same block.

    The label alone is caught by the residual rules; the headlines under it look like short
    sentences without a full stop, and the model can take them for body text.
    """
    out: list[int] = []
    n = len(page.content)
    for pos in range(n):
        if page.residual[pos] is not ResidualReason.RELATED or related_headline(page.texts[pos]) is not None:
            continue
        nxt = pos + 1
        if nxt < n and page.content[nxt] == page.content[pos] + 2:
            # A blank line under the label ("Most Popular"): the headlines are the next block,
            # when it is a list (several lines, no blank between them, none of them long) and
            # nearly all of it reads as headlines. One line alone there is a subheading.
            end = nxt
            while end + 1 < n and page.content[end + 1] == page.content[end] + 1:
                end += 1
            block = range(nxt, end + 1)
            if (
                RELATED_LIST_MIN_LINES <= len(block) <= RELATED_LIST_MAX_LINES
                and all(page.units[p] <= RELATED_LIST_MAX_UNITS and page.residual[p] is None for p in block)
                and sum(_headline_like(page, p) for p in block) >= RELATED_LIST_HEADLINE_SHARE * len(block)
            ):
                out.extend(block)
            continue
        while nxt < n and nxt - pos <= RELATED_BLOCK_MAX_LINES and page.content[nxt] == page.content[nxt - 1] + 1:
            if not _headline_like(page, nxt):
                break
            out.append(nxt)
            nxt += 1
    return out


def _headline_like(page: _Page, pos: int) -> bool:
    line = page.texts[pos]
    return (
        15 <= page.units[pos] <= 200
        and len(line.split()) >= 3
        and page.residual[pos] is None
        and not line.endswith((".", ":", ","))
    )


# The masthead is among the first lines of a page, and short.
SITE_NAME_LINES = 6
SITE_NAME_MAX_UNITS = 60


def _site_name(page: _Page) -> str | None:
    """The masthead line that the copyright footer names ("© 2025 Tri-County Herald. All rights ...")."""
    footers = [
        normalize_line(page.texts[pos])
        for pos in range(len(page.content))
        if page.residual[pos] is ResidualReason.COPYRIGHT
    ]
    if not footers:
        return None
    for pos in range(min(SITE_NAME_LINES, len(page.content))):
        if page.residual[pos] is not None or page.units[pos] > SITE_NAME_MAX_UNITS:
            continue
        key = normalize_line(page.texts[pos])
        if len(key) >= 4 and any(f" {key} " in f" {footer} " for footer in footers):
            return page.texts[pos]
    return None


def _line_at(page: _Page, pos: int | None) -> str | None:
    return page.lines[page.content[pos]] if pos is not None else None


def clean_dump(
    text: str,
    *,
    site_lines: SiteLineStats | None = None,
    config: DumpCleanConfig = DEFAULT_CONFIG,
) -> Extraction:
    """The article body and the metadata lines of one plain-text page dump.

    Never raises on odd input: a page with no article (empty, binary-ish, one giant line)
    comes back with empty text. `site_lines` (see :mod:`corpusclean.extract.linefreq`) adds
    the cross-page signal: lines seen on many pages of the same site are dropped.
    """
    input_chars = len(text) if isinstance(text, str) else 0
    try:
        decision = _decide(text, site_lines, config, name_all=False)
    except (ValueError, OverflowError, MemoryError, RecursionError):
        return Extraction(text="", input_chars=input_chars)
    page = decision.page
    body = decision.body
    header = decision.header
    kept = [page.lines[page.content[pos]] for pos in range(len(page.content)) if body[pos]]
    removed = tuple(page.lines[page.content[pos]] for pos in range(len(page.content)) if not body[pos])
    date_line = _line_at(page, header.date)
    date_match = DATE_TEXT.search(date_line) if date_line else None
    byline = _line_at(page, header.byline)
    return Extraction(
        text="\n\n".join(kept),
        title=_line_at(page, header.title),
        subtitle=_line_at(page, header.standfirst),
        authors=_authors(byline) if byline else (),
        published=date_match.group(0) if date_match else None,
        section=_line_at(page, header.section),
        site_name=_site_name(page),
        source_agency=_agency(page, body),
        image_credits=_credits(page, body),
        related=_related(page),
        input_chars=input_chars,
        removed_lines=removed,
    )
