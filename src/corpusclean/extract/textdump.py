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

import functools
import json
import math
import re
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from corpusclean.extract.linefreq import SiteLineStats
from corpusclean.extract.residual import (
    IMAGE_CREDIT_LABEL,
    IMAGE_CREDIT_TAIL,
    ResidualReason,
    agency_of,
    boilerplate_reason,
    related_headline,
)
from corpusclean.records import Extraction

FloatArray = npt.NDArray[np.float64]


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
    max_line_chars: int = 50_000  # longer lines are minified junk, never prose
    max_lines: int = 200_000  # a page with more lines is cut here
    site_min_pages: int = 3  # a line on at least this many pages of the site is a site repeat
    site_keep_score: float = 0.95  # ... unless the model is at least this sure it is body


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
_SENTENCE_END = re.compile(r"[.!?;…。！？](?:[\"'”’»)\]]*)(?:\s|$)|[。！？]")
_TERMINAL = re.compile(r"[.!?…。！？:;][\"'”’»)\]]*$|[\"”’»]$")
_LEAD_LOWER = re.compile(r"^[\"'“‘(«]?[a-zà-ÿ]")
_LEAD_QUOTE = re.compile(r"^[\"“‘«„]")
_LEAD_BULLET = re.compile(r"^(?:[-–—*•·▪►→✓✔]|\d{1,2}[.)])\s")
_SEPARATORS = re.compile(r"\s[|•·»›/]\s|\s[|]|[|]\s")
_URLISH = re.compile(r"https?://|www\.|\S@\S+\.\w|^@\w|\.(?:com|org|net)\b", re.IGNORECASE)
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
    r"^[\W\d_]*(?:(?:published|updated|posted|last\s+updated|publicado|publié|veröffentlicht|atualizado"
    r"|actualizado|pubblicato|on|am|at|le|el|em|il|um|de|of|ago|hours?|minutes?|days?|gmt|utc|est|edt"
    r"|pst|pdt|cet|cest|ist|am|pm|wib|kst|jst|updated)\b[\W\d_]*)*$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
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
_DATE_TAIL = re.compile(r"\s*(?:[,|/–—-]\s*)?(?:on\s+)?(?:\d|" + _MONTH + r"\s+\d).*$", re.IGNORECASE)
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
    r"^(?:updated\s+|posted\s+|há\s+|hace\s+|il\s+y\s+a\s+|vor\s+)?\d{1,3}\s*"
    r"(?:[smhd]|mins?|minutes?|hrs?|hours?|days?|weeks?|months?|minutos?|horas?|dias?|días|minuten|stunden|tagen?"
    r"|heures?|jours?|분|시간|일|分钟|小时|天)\.?\s*(?:ago|atrás|前|전)?\s*$",
    re.IGNORECASE,
)


def is_date_line(line: str) -> bool:
    """True for a short line that is a date or time stamp ("June 3, 2025", "5H ago") and little else."""
    if len(line) > 90:
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


@dataclass(frozen=True, slots=True)
class _Page:
    """A dump split into lines, with what the features and the metadata both need."""

    lines: tuple[str, ...]  # stripped, control characters removed; "" for blank lines
    content: tuple[int, ...]  # indexes of the non-blank lines, in order
    units: tuple[int, ...]  # text_units per content line
    terminal: tuple[bool, ...]
    para: tuple[bool, ...]  # blank line before and after: a paragraph-like block
    residual: tuple[ResidualReason | None, ...]
    date: tuple[bool, ...]  # is_date_line, for short lines
    keys: tuple[str, ...]  # casefolded word characters: equal keys are repeats
    run: tuple[int, int]  # densest prose run, as content positions [start, end]


_TERMINAL_CHARS = frozenset('.!?…。！？:;"”’»')
_CLOSERS = "\"'”’»)]"
_LEAD_QUOTES = frozenset('"“‘«„')
_BULLETS = frozenset("-–—*•·▪►→✓✔")
_SEPARATOR_TOKENS = (" | ", " • ", " · ", " » ", " › ", " / ", "| ", " |")
_URL_TOKENS = ("http", "www.", "@", ".com", ".org", ".net")
_SENTENCE_TOKENS = (". ", "! ", "? ", "; ", "。", "！", "？", '." ', ".” ", "… ")
_DIGIT_CHARS = "0123456789"


def _is_terminal(line: str) -> bool:
    core = line.rstrip(_CLOSERS)
    return bool(core) and (core[-1] in _TERMINAL_CHARS or (len(core) < len(line) and line[-1] in '"”’»'))


def _line_key(line: str) -> str:
    return " ".join(_NON_WORD_RUN.sub(" ", line.casefold()).split())


_NON_WORD_RUN = re.compile(r"[\W_]+")


def _split_page(text: str, config: DumpCleanConfig) -> _Page:
    clean = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    raw = clean.split("\n", config.max_lines)[: config.max_lines]
    lines = tuple(line.strip() if len(line) <= config.max_line_chars else "" for line in raw)
    content = tuple(i for i, line in enumerate(lines) if line)
    last = len(lines) - 1
    units: list[int] = []
    terminal: list[bool] = []
    para: list[bool] = []
    residual: list[ResidualReason | None] = []
    date: list[bool] = []
    keys: list[str] = []
    for i in content:
        line = lines[i]
        n = text_units(line)
        units.append(n)
        terminal.append(_is_terminal(line))
        para.append((i == 0 or not lines[i - 1]) and (i == last or not lines[i + 1]))
        residual.append(boilerplate_reason(line))
        date.append(n < 100 and is_date_line(line))
        keys.append(_line_key(line) if n < 400 else line)
    run = _densest_run(units, terminal, residual)
    return _Page(
        lines, content, tuple(units), tuple(terminal), tuple(para), tuple(residual), tuple(date), tuple(keys), run
    )


def _densest_run(units: list[int], terminal: list[bool], residual: list[ResidualReason | None]) -> tuple[int, int]:
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


IntArray = npt.NDArray[np.int64]


def _line_row(line: str, units: int, page: _Page, pos: int) -> list[float]:
    """The features of one line that need only the line (columns 0-11 and 17-23)."""
    words = line.split()
    n_words = max(len(words), units / 6.0)
    first = line[0]
    lead = line[1] if first in _LEAD_QUOTES and len(line) > 1 else first
    sentences = sum(map(line.count, _SENTENCE_TOKENS)) + (1 if page.terminal[pos] else 0)
    return [
        math.log1p(units),
        float(units < 20),
        float(20 <= units < 60),
        float(units >= 150),
        math.log1p(n_words),
        float(page.terminal[pos]),
        math.log1p(sentences),
        (line.count(",") + line.count("，") + line.count("、")) / n_words,
        _titlecase_share(words),
        float(lead.islower()),
        sum(map(line.count, _DIGIT_CHARS)) / len(line),
        float(line.isupper()),
    ]


def _features(page: _Page) -> tuple[FloatArray, IntArray]:
    """Stage-1 feature rows of the content lines, and the block id of each line."""
    n = len(page.content)
    if n == 0:
        return np.zeros((0, N_FEATURES), dtype=np.float64), np.zeros(0, dtype=np.int64)
    key_counts: dict[str, int] = {}
    for key in page.keys:
        key_counts[key] = key_counts.get(key, 0) + 1
    run_start, run_end = page.run
    has_run = run_end >= run_start
    run_units = sum(page.units[run_start : run_end + 1]) if has_run else 0
    total_units = sum(page.units) or 1
    max_units = max(page.units) or 1
    # Consecutive non-blank lines form a block (a list, a menu, a table): its size in lines
    # and characters tells a menu from a paragraph that merely lacks blank lines.
    block_id = [0] * n
    block = 0
    for pos in range(1, n):
        if page.content[pos] != page.content[pos - 1] + 1:
            block += 1
        block_id[pos] = block
    block_lines = [0] * (block + 1)
    block_units = [0] * (block + 1)
    for pos in range(n):
        block_lines[block_id[pos]] += 1
        block_units[block_id[pos]] += page.units[pos]
    log_units = [math.log1p(u) for u in page.units]
    flag_residual = [float(r is not None) for r in page.residual]
    flag_para = [float(p) for p in page.para]
    flag_terminal = [float(t) for t in page.terminal]
    rows: list[list[float]] = []
    n_lines = len(page.lines)
    for pos, index in enumerate(page.content):
        line = page.lines[index]
        units = page.units[pos]
        row = _line_row(line, units, page, pos)
        if has_run:
            inside = run_start <= pos <= run_end
            dist = 0 if inside else (run_start - pos if pos < run_start else pos - run_end)
            run_row = [float(inside), math.log1p(dist), float(pos < run_start), float(pos > run_end)]
        else:
            run_row = [0.0, 0.0, 0.0, 0.0]
        b = block_id[pos]
        prev = pos - 1 if pos > 0 else None
        nxt = pos + 1 if pos + 1 < n else None
        row += [
            float(index == 0 or not page.lines[index - 1]),
            float(index + 1 >= n_lines or not page.lines[index + 1]),
            flag_para[pos],
            flag_residual[pos],
            float(key_counts[page.keys[pos]] > 1),
            float(any(t in line for t in _SEPARATOR_TOKENS)),
            float(page.date[pos]),
            float(units < 120 and line[:1].isalpha() and _BYLINE.match(line) is not None),
            float(any(t in line for t in _URL_TOKENS)),
            float(line[0] in _LEAD_QUOTES),
            float(
                (line[0] in _BULLETS and line[1:2] == " ")
                or (line[:2].rstrip(".)").isdigit() and line[1:3] in (". ", ") "))
            ),
            float(line.endswith((":", "："))),
            pos / n,
            *run_row,
            run_units / total_units,
            log_units[prev] if prev is not None else 0.0,
            log_units[nxt] if nxt is not None else 0.0,
            flag_terminal[prev] if prev is not None else 0.0,
            flag_terminal[nxt] if nxt is not None else 0.0,
            flag_para[prev] if prev is not None else 0.0,
            flag_para[nxt] if nxt is not None else 0.0,
            flag_residual[prev] if prev is not None else 0.0,
            flag_residual[nxt] if nxt is not None else 0.0,
            math.log1p(block_units[b]),
            math.log1p(block_lines[b]),
            block_units[b] / total_units,
            units / max_units,
            0.0,
            0.0,
        ]
        rows.append(row)
    feats = np.asarray(rows, dtype=np.float64)
    # Boilerplate crossed between the prose run's start and a line: a body paragraph has an
    # inline "Related" line or two on its way, a comment has the share bar, the comment
    # count and the commenters' date lines.
    if has_run:
        residual_cum = np.cumsum(feats[:, 15])
        date_cum = np.cumsum(feats[:, 18])
        feats[:, 42] = np.log1p(np.abs(residual_cum - residual_cum[run_start]))
        feats[:, 43] = np.log1p(np.abs(date_cum - date_cum[run_start]))
    return feats, np.asarray(block_id, dtype=np.int64)


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
    key_counts: dict[str, int] = {}
    for key in page.keys:
        key_counts[key] = key_counts.get(key, 0) + 1
    # The title sits just above the body; h1 renders as a paragraph block and the title is
    # often repeated (page heading and image alt/heading), both count for a candidate.
    best: tuple[float, int] | None = None
    for pos in range(max(0, first_body - 15), min(first_body + 1, n)):
        line = page.lines[page.content[pos]]
        units = page.units[pos]
        if not _title_like(line, units, page.terminal[pos], page.residual[pos]) or is_date_line(line):
            continue
        if _BYLINE.match(line) or (len(line.split()) < 2 and units < 24):
            continue
        if pos == first_body and not page.para[pos]:
            continue
        score = 0.0
        score += 2.0 if key_counts[page.keys[pos]] > 1 else 0.0
        score += 1.0 if page.para[pos] else 0.0
        score += 1.0 if 30 <= units <= 160 else 0.0
        score += 0.6 * _titlecase_share(line.split())
        score -= 0.05 * (first_body - pos)
        if IMAGE_CREDIT_TAIL.search(line) or IMAGE_CREDIT_LABEL.search(line):
            score -= 3.0
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
    date = _find_near(page, top, first_body, lambda line, units: units < 100 and is_date_line(line))
    byline = _find_near(page, top, first_body, lambda line, units: units < 120 and _BYLINE.match(line) is not None)
    return _Header(title, repeats, standfirst, section, date, byline)


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
        if page.residual[pos] is not None or is_date_line(line):
            continue
        if page.units[pos] <= 30 and len(line.split()) <= 3 and not page.terminal[pos] and not line[0].isdigit():
            return pos
        return None
    return None


def _find_near(page: _Page, top: int, first_body: int, test: Any) -> int | None:
    lo = max(0, top - 4)
    hi = min(len(page.content), max(first_body, top) + 6)
    for pos in range(lo, hi):
        if test(page.lines[page.content[pos]], page.units[pos]):
            return pos
    return None


def _kind_for_reason(reason: ResidualReason) -> LineKind:
    if reason is ResidualReason.RELATED:
        return LineKind.RELATED
    if reason is ResidualReason.COMMENTS:
        return LineKind.COMMENTS
    if reason is ResidualReason.COPYRIGHT:
        return LineKind.FOOTER
    if reason is ResidualReason.IMAGE_CREDIT:
        return LineKind.CAPTION
    if reason in (ResidualReason.TITLE_REPEAT, ResidualReason.SUBTITLE_REPEAT):
        return LineKind.TITLE
    return LineKind.BOILERPLATE


def _is_caption(line: str, units: int) -> bool:
    return units < 400 and (
        IMAGE_CREDIT_LABEL.search(line) is not None
        or (IMAGE_CREDIT_TAIL.search(line) is not None and len(line.split()) >= 4)
        or _REUTERS_STYLE_CREDIT.search(line) is not None
    )


@dataclass(frozen=True, slots=True)
class _Decision:
    page: _Page
    probs: FloatArray
    body: list[bool]
    kinds: list[LineKind]
    header: _Header


def _decide(text: str, site_lines: SiteLineStats | None, config: DumpCleanConfig) -> _Decision:
    page = _split_page(text, config)
    n = len(page.content)
    if n == 0:
        empty = _Header(None, (), None, None, None, None)
        return _Decision(page, np.zeros(0), [], [], empty)
    model = shipped_model()
    feats, blocks = _features(page)
    probs = model.stage2(context_features(model.stage1(feats), feats, blocks))
    body = _select_body(page, probs, config)
    _veto_metadata_lines(page, body)
    _rescue_subheadings(page, body)
    kinds = [LineKind.BODY if keep else LineKind.BOILERPLATE for keep in body]
    if site_lines is not None:
        for pos in range(n):
            if (
                probs[pos] < config.site_keep_score
                and site_lines.page_count(page.lines[page.content[pos]]) >= config.site_min_pages
            ):
                body[pos] = False
                kinds[pos] = LineKind.SITE_REPEAT
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
    for pos in range(n):
        g = float(gain[pos])
        from_other_to_body = other - cost
        stay_body = body_score
        prev_for_body = 1 if stay_body >= from_other_to_body else 0
        new_body = max(stay_body, from_other_to_body) + g
        from_body_to_other = body_score - cost
        prev_for_other = 0 if other >= from_body_to_other else 1
        new_other = max(other, from_body_to_other)
        back.append((prev_for_other, prev_for_body))
        other, body_score = new_other, new_body
    state = 1 if body_score > other else 0
    labels = [False] * n
    for pos in range(n - 1, -1, -1):
        labels[pos] = state == 1
        state = back[pos][state]
    return [labels[pos] and page.residual[pos] is None for pos in range(n)]


def _veto_metadata_lines(page: _Page, body: list[bool]) -> None:
    """Date stamps and credited captions outside paragraph blocks are never article text."""
    for pos in range(len(page.content)):
        if not body[pos]:
            continue
        if page.date[pos] or (not page.para[pos] and _is_caption(page.lines[page.content[pos]], page.units[pos])):
            body[pos] = False


def _rescue_subheadings(page: _Page, body: list[bool]) -> None:
    """Keep a short heading block that sits between two body paragraphs.

    Boilerplate lines (an inline "Related..." teaser, "RECOMMENDED") are looked through:
    a subheading is often rendered right next to one. All-caps labels are not rescued.
    """
    n = len(page.content)
    for pos in range(n):
        if body[pos] or not page.para[pos] or page.residual[pos] is not None or page.date[pos]:
            continue
        line = page.lines[page.content[pos]]
        if page.units[pos] > SUBHEADING_MAX_UNITS or line.isupper() or line.endswith((".", ",")):
            continue
        before = next((p for p in range(pos - 1, -1, -1) if page.residual[p] is None), None)
        after = next((p for p in range(pos + 1, n) if page.residual[p] is None), None)
        if before is not None and after is not None and body[before] and body[after]:
            body[pos] = True


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
        elif _is_caption(line, page.units[pos]):
            kinds[pos] = LineKind.CAPTION
        elif page.units[pos] < 100 and is_date_line(line):
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
        decision = _decide(text, site_lines, config)
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
    match = _BYLINE.match(line)
    if match is None:
        return ()
    names = _DATE_TAIL.sub("", _NAME_TAIL.sub("", match.group("names")))
    out = []
    for name in _NAME_SPLIT.split(names):
        name = name.strip(" .,-–—|")
        if name and len(name.split()) <= 5 and name[0].isupper():
            out.append(name)
    return tuple(dict.fromkeys(out))


def _credits(page: _Page, body: list[bool]) -> tuple[str, ...]:
    out: list[str] = []
    for pos in range(len(page.content)):
        if body[pos]:
            continue
        line = page.lines[page.content[pos]]
        if not _is_caption(line, page.units[pos]):
            continue
        match = IMAGE_CREDIT_LABEL.search(line)
        credit = (match.group("credit") or match.group("paren")) if match is not None else None
        if credit is None:
            tail = IMAGE_CREDIT_TAIL.search(line) or _REUTERS_STYLE_CREDIT.search(line)
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
        agency = agency_of(page.lines[page.content[pos]])
        if agency:
            return agency
    return None


def _related(page: _Page) -> tuple[str, ...]:
    out: list[str] = []
    for pos in range(len(page.content)):
        if page.residual[pos] is ResidualReason.RELATED:
            headline = related_headline(page.lines[page.content[pos]])
            if headline:
                out.append(headline)
    return tuple(dict.fromkeys(out))


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
        decision = _decide(text, site_lines, config)
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
        source_agency=_agency(page, body),
        image_credits=_credits(page, body),
        related=_related(page),
        input_chars=input_chars,
        removed_lines=removed,
    )
