"""The text-dump cleaner: the seed page, each rule with a line to drop and one to keep, hostile input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpusclean.extract.residual import CREDIT_MARKS, ResidualReason, boilerplate_reason, markup_reason
from corpusclean.extract.textdump import (  # the fast paths are checked against these
    BYLINE,
    DEFAULT_CONFIG,
    LineKind,
    _captions,
    _continue_numbered_lists,
    _cut_closing_sections,
    _drop_headline_closing_a_menu,
    _drop_kept_lines_above_byline,
    _drop_stray_short_runs,
    _keep_paragraph_above_ad_break,
    _keep_tables,
    _line_key,
    _related_block_lines,
    _split_page,
    _token_rows,
    _veto_metadata_lines,
    _vetoed,
    classify_lines,
    clean_dump,
    is_caption,
    is_credited_caption,
    is_date_line,
    is_stamp_line,
    prefix_gate,
    residual_gate_active,
    residual_reasons,
    text_units,
)

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "samples" / "text" / "trt-world-peskov-2025-06-03.txt"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p]


def test_seed_body_is_exactly_the_twelve_paragraphs(seed_text: str) -> None:
    result = clean_dump(seed_text)
    paragraphs = _paragraphs(result.text)
    assert len(paragraphs) == 12
    assert paragraphs[0].startswith("Kremlin spokesman Dmitry Peskov said on Tuesday")
    assert paragraphs[6] == "Ready for high-level contacts"
    assert paragraphs[-1].startswith("This time, the two sides agreed")
    # Every kept paragraph is a blank-line-separated block of the input, in order.
    blocks = [line.strip() for line in seed_text.split("\n") if line.strip()]
    assert paragraphs == [b for b in blocks if b in paragraphs]
    for gone in ("WORLD", "2 min read", "RelatedTRT", "RECOMMENDED", "SOURCE:AA", "Explore", "/ AP", "June 3, 2025"):
        assert gone not in result.text
    assert "Talks with Ukraine yield progress" not in result.text


def test_seed_fields(seed_text: str) -> None:
    result = clean_dump(seed_text)
    assert result.title == "Talks with Ukraine yield progress but no quick end: Kremlin"
    assert result.subtitle is not None and result.subtitle.startswith("Spokesman Peskov described the recent Istanbul")
    assert result.published == "June 3, 2025"
    assert result.section == "WORLD"  # as seen on the page, not title-cased
    assert result.source_agency == "AA"
    assert result.image_credits == ("AP",)
    assert result.related == (
        "Istanbul talks: Ukraine, Russia agree on major prisoner, body exchange deal",
        "Erdogan hails Russia-Ukraine peace talks in Istanbul as 'significant achievement'",
    )
    assert result.authors == ()
    assert result.input_chars == len(seed_text)
    assert "RECOMMENDED" in result.removed_lines
    assert "Explore" in result.removed_lines


def test_seed_line_kinds(seed_text: str) -> None:
    kinds = {label.text: label.kind for label in classify_lines(seed_text)}
    assert kinds["WORLD"] is LineKind.SECTION
    assert kinds["2 min read"] is LineKind.BOILERPLATE
    assert kinds["Talks with Ukraine yield progress but no quick end: Kremlin"] is LineKind.TITLE
    assert kinds["Kremlin dismissed the idea of a quick presidential summit. / AP"] is LineKind.CAPTION
    assert kinds["June 3, 2025"] is LineKind.DATE
    assert kinds["RECOMMENDED"] is LineKind.RELATED
    assert kinds["SOURCE:AA"] is LineKind.BOILERPLATE
    assert kinds["Ready for high-level contacts"] is LineKind.BODY
    assert kinds["Lula urges Trump to consider Palestine's inclusion in Board of Peace initiative"] is not LineKind.BODY


def test_classify_lines_covers_every_input_line(seed_text: str) -> None:
    labels = classify_lines(seed_text)
    assert [label.index for label in labels] == list(range(len(seed_text.split("\n"))))
    assert all(label.kind is LineKind.BLANK for label in labels if not label.text)


ARTICLE = [
    "The county board voted on Tuesday to keep the old mill standing, ending a dispute that has split the town "
    "for more than a decade and cost the county close to a million dollars in legal fees.",
    "Residents packed the meeting room, and several spoke for more than the three minutes the rules allow, "
    "the chair said afterwards, adding that she had let them speak because the vote mattered so much.",
    "The mill, built in 1887, will now be offered to a trust that plans to turn it into a museum and a "
    "workshop for the county's schools, according to the plan approved by the board.",
    "Opponents said they would ask the state court to review the decision before the end of the year.",
]


def _dump(header: list[str], body: list[str], footer: list[str]) -> str:
    return "\n".join(header) + "\n\n" + "\n\n".join(body) + "\n\n" + "\n".join(footer) + "\n"


def test_menu_and_headline_list_are_dropped_body_kept() -> None:
    header = ["Home", "News", "Sports", "Weather", "Obituaries", "E-Edition", "Mill saved after board vote"]
    footer = [
        "Most read",
        "School bus routes change in January as district redraws its map",
        "High school football: Norvane beats Carrow 21-14 in overtime thriller",
        "Contact us",
        "© 2025 Tri-County Herald. All rights reserved.",
    ]
    result = clean_dump(_dump(header, ARTICLE, footer))
    assert _paragraphs(result.text) == ARTICLE
    assert "Obituaries" in result.removed_lines


def test_non_english_and_cjk_body_is_kept() -> None:
    korean = [
        "엘제이의 일방적인 사진 공개로부터 비롯된 논란은 두 사람의 진실공방으로"
        " 이어졌고, 대중들의 반응은 처음에는 엘제이의 행동에 "
        "대한 비난으로 모아졌다. 하지만 시간이 지나면서 여론은 조금씩 달라지기 시작했다.",
        "타인의 동의를 구하지 않고 두 사람의 관계를 담은 사진을 SNS에"
        " 공개한다는 건 분명한 사생활 침해이고, 나아가 리벤지의 "
        "성격을 가진 폭로로 여겨질 수 있기 때문이다. 전문가들은 이런 행동이 데이트 폭력이 될 수 있다고 지적했다.",
        "류화영은 한 매체에 자신의 입장을 털어놓으며 두 사람의 관계에"
        " 대해 설명했고, 이후 논란은 더욱 커졌다. 소속사 측은 "
        "추가 입장을 내지 않겠다고 밝혔으며 법적 대응도 검토하지 않는다고 덧붙였다.",
    ]
    header = [
        "엔터미디어",
        "전체기사",
        "TV리뷰",
        "드라마",
        "예능",
        "칼럼",
        "엘제이의 리벤지인가, 류화영의 코스프레인가",
    ]
    footer = ["많이 본 뉴스", "기적적 동행 ‘어서와’, 노르웨이.", "Copyright ⓒ Entermedia.co.kr. 무단전재 및 재배포금지"]
    result = clean_dump(_dump(header, korean, footer))
    assert _paragraphs(result.text) == korean
    assert result.title == "엘제이의 리벤지인가, 류화영의 코스프레인가"


def test_text_units_counts_cjk_as_word_sized() -> None:
    assert text_units("abc") == 3
    assert text_units("中文新闻") == 12
    assert text_units("뉴스") == 4


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("June 3, 2025", True),
        ("November 19, 2019 / 12:21 AM / Updated 14 hours ago", True),
        ("21:17 18.11.2019", True),
        ("5H ago", True),
        ("기사입력 :[ 2018-08-25 15:24 ]", True),
        ("Updated 11:21 pm CST, Tuesday, November 19, 2019", True),
        ("Montag, 18. November 2019", True),
        ("First published on November 19, 2019 / 8:16 AM", True),
        ("First published on Tue 19 Nov 2019 08.16 GMT", True),
        ("Updated 0412 GMT (1212 HKT) March 4, 2025", True),  # any common zone, not only US and European ones
        ("Published 1 day ago", True),
        ("Published an hour ago", True),
        ("A day to remember for the village", False),
        ("An hour in the dark: how the grid failed", False),
        ("The vote on Tuesday, November 19, 2019 failed", False),
        ("Istanbul hosted the second round of talks on June 2, 2025, after the first on May 16.", False),
        ("Ready for high-level contacts", False),
        ("First published in 1887, the paper moved to Main Street on June 2, 2025.", False),
    ],
)
def test_date_lines(line: str, expected: bool) -> None:
    assert is_date_line(line) is expected


def test_caption_with_credit_is_dropped_and_credited() -> None:
    header = ["Mill saved after board vote", "The old mill on River Road, seen from the bridge. / AP", "June 3, 2025"]
    result = clean_dump(_dump(header, ARTICLE, ["Contact us"]))
    assert "seen from the bridge" not in result.text
    assert result.image_credits == ("AP",)
    assert result.published == "June 3, 2025"


def test_caption_ending_in_its_credit_is_dropped_even_as_a_paragraph() -> None:
    caption = "Residents leave the county offices after the vote on Tuesday, Ashby, Fla. (AP Photo/Carla Mendel, File)"
    body = [ARTICLE[0], ARTICLE[1], caption, ARTICLE[2], ARTICLE[3]]
    result = clean_dump(_dump(["Mill saved after board vote"], body, ["Contact us"]))
    assert _paragraphs(result.text) == ARTICLE
    assert result.image_credits == ("AP Photo/Carla Mendel, File",)
    # A short one between two paragraphs is not taken for a subheading either.
    body = [ARTICLE[0], ARTICLE[1], "The mill in 1910 (Image: GETTY)", ARTICLE[2], ARTICLE[3]]
    result = clean_dump(_dump(["Mill saved after board vote"], body, ["Contact us"]))
    assert _paragraphs(result.text) == ARTICLE
    assert result.image_credits == ("GETTY",)


def test_the_credited_caption_screen_finds_every_form() -> None:
    lines = [
        "Ina (Manu Ferrer/AP) more",
        "Alex Wong | AP",
        "Ina Sorel via AP",
        "The ferry at dawn Credit: EPA",
        "Ina speaks, Monday, Nov. 3, 2025, in Ashby.",
        "In this June 2, 2025, file photo, the mill stands empty.",
        "The mill (Image: GETTY)",
        "The ferry at dawn. Getty Images",
        "Traders on the floor in New York. REUTERS/Tomas Reyes",
        "Voters queue in Ashby. (Photo by Ina Sorel/Getty Images)",
        "The county board voted on Tuesday to keep the old mill standing.",
    ]
    page = _split_page("\n".join(lines), DEFAULT_CONFIG)
    assert page.credited == (True,) * 10 + (False,)


def test_metadata_stamp_lines_are_not_body() -> None:
    for stamp in (
        "By Ina Sorel | November 18, 2025 -- 19:14 GMT | Topic: Mills",
        "Ashby, Tri-County Bureau | Updated : 19 November 2025, 09:01 AM",
        "PUBLISHED: November 19, 2025 at 8:59 pm | UPDATED: November 19, 2025 at 10:16 pm",
    ):
        assert is_stamp_line(stamp)
        result = clean_dump(_header_dump(["Mill saved after board vote", stamp]))
        assert _paragraphs(result.text) == ARTICLE
        assert result.title == "Mill saved after board vote"
        assert result.published is not None and "2025" in result.published
    # Prose with a date and a separator, and a menu row without a date, are not stamps.
    assert not is_stamp_line("The vote on June 3, 2025 | a turning point for the town, the chair said afterwards")
    assert not is_stamp_line("Home | News | Sports | Weather")


def test_a_long_last_paragraph_ending_in_an_agency_is_kept() -> None:
    last = (
        "Opponents said they would ask the state court to review the decision before the end of the year, and "
        "the trust said it would not sign a lease until the court had ruled on the case, which could take "
        "until the spring. (AFP)"
    )
    assert not is_credited_caption(last, text_units(last))
    assert is_credited_caption("Board chair Ina Sorel after the vote (AFP)", 41)
    result = clean_dump(_dump(["Mill saved after board vote"], [*ARTICLE[:3], last], ["Contact us"]))
    assert _paragraphs(result.text)[-1] == last


def test_paragraph_above_an_ad_break_is_kept_when_the_article_goes_on_below() -> None:
    lede = ARTICLE[0]
    lines = ["Mill saved after board vote", "", lede, "", "Continue Reading Below", "", *ARTICLE[1:]]
    page = _split_page("\n".join(lines), DEFAULT_CONFIG)
    body = [False, False, False, True, True, True]  # title, lede, ad break, the rest
    _keep_paragraph_above_ad_break(page, body)
    assert body == [False, True, False, True, True, True]
    # Nothing kept below the break: the break is not inside the article, the paragraph stays out.
    body = [False, False, False, False, False, False]
    _keep_paragraph_above_ad_break(page, body)
    assert body == [False] * 6
    # A line that is not a sentence ("Watch the video") is not brought back.
    page = _split_page("\n".join(["Watch the video", "", "Continue Reading Below", "", *ARTICLE]), DEFAULT_CONFIG)
    body = [False, False, True, True, True, True]
    _keep_paragraph_above_ad_break(page, body)
    assert body[0] is False


def test_byline_becomes_authors() -> None:
    header = ["Mill saved after board vote", "By Jane Doe and John Roe", "June 3, 2025"]
    result = clean_dump(_dump(header, ARTICLE, ["Contact us"]))
    assert result.authors == ("Jane Doe", "John Roe")
    assert "By Jane Doe" not in result.text


def test_dateline_agency() -> None:
    body = ["NEW YORK (Reuters) - " + ARTICLE[0], *ARTICLE[1:]]
    result = clean_dump(_dump(["Mill saved after board vote"], body, ["Contact us"]))
    assert result.source_agency == "Reuters"
    assert result.text.startswith("NEW YORK (Reuters) - ")


def test_subheading_between_paragraphs_is_kept_label_is_not() -> None:
    body = [ARTICLE[0], ARTICLE[1], "What happens next", "RECOMMENDED", ARTICLE[2], ARTICLE[3]]
    result = clean_dump(_dump(["Mill saved after board vote"], body, ["Contact us"]))
    assert "What happens next" in _paragraphs(result.text)
    assert "RECOMMENDED" not in result.text


def test_last_paragraph_above_a_wire_copyright_is_kept() -> None:
    # The model alone drops this paragraph with the footer under it (a related box sits two
    # paragraphs above); the end-marker rule brings it back.
    text = (REPO / "samples" / "text" / "tri-county-herald-norvane-bakeries-2025-04-14.txt").read_text("utf-8")
    result = clean_dump(text)
    last = (
        "Norvane reported net sales of $2.9 billion last year. "
        "It is scheduled to report first-quarter results on May 6."
    )
    assert _paragraphs(result.text)[-1] == last
    assert "Copyright 2025 Thomson Reuters. Click for restrictions." in result.removed_lines


COMMENTS = [
    "[ 3 comments ]",
    "millwatcher",
    "I grew up two streets from the mill and I am glad the board finally listened to the people who live "
    "here, even if it took far too long.",
    "Rating: 4 Votes",
    "Honestly the money would have been better spent on the schools, but a museum is better than another "
    "parking lot for the county offices.",
]


def test_a_comments_label_after_the_body_closes_it() -> None:
    text = _dump(["Skip to content", "Home", "News", "Mill saved after board vote"], ARTICLE + COMMENTS, ["About"])
    body = clean_dump(text).text
    assert body == "\n\n".join(ARTICLE)


def test_a_comments_label_above_most_of_the_body_closes_nothing() -> None:
    # Keep: the label counts only below most of the article; a "Trending" box inside the
    # article is a widget with more article under it, not a closing section.
    text = _dump(["Skip to content", "Home", "3 comments", "Mill saved after board vote"], ARTICLE, ["About"])
    assert clean_dump(text).text == "\n\n".join(ARTICLE)
    widget = _split_page(
        "\n\n".join([*ARTICLE[:3], "Trending", "Fire crews called to grain silo", ARTICLE[3]]), DEFAULT_CONFIG
    )
    body = [True] * len(widget.texts)
    _cut_closing_sections(widget, body)
    assert all(body)


def _closing_cut(blocks: list[str]) -> list[str]:
    """The lines _cut_closing_sections keeps of a page whose lines are all body to begin with."""
    page = _split_page("\n\n".join(blocks), DEFAULT_CONFIG)
    body = [True] * len(page.texts)
    _cut_closing_sections(page, body)
    return [line for line, keep in zip(page.texts, body, strict=True) if keep]


SHARE_BAR = "Facebook\nTwitter\nComments\nPrint\nEmail"


def test_a_comments_button_in_a_share_bar_closes_nothing() -> None:
    # Keep: "Comments" between "Twitter" and "Print" is a share-bar button (with a long
    # disclaimer kept above it, the cut used to drop the whole article under the bar).
    kept = _closing_cut([*ARTICLE[:3], SHARE_BAR, ARTICLE[3]])
    assert kept[-1] == ARTICLE[3]
    # Drop: the same label on its own opens the reader comments.
    kept = _closing_cut([*ARTICLE[:3], "Comments", COMMENTS[2]])
    assert kept == ARTICLE[:3]


TAGS = "calendario stock car 2018, stock car brasil, stock car cascavel, stock car interlagos"
SIDEBAR = (
    "Clique na imagem acima e veja como está o ranking dos pilotos nesta temporada da F1 no GP do Brasil e no "
    "Geral, com todas as notas dadas pela equipe do Autoracing ao longo de cada etapa do campeonato."
)


def test_a_tags_label_below_the_article_closes_it() -> None:
    # Drop: the tags label ends the article even when the sidebar under it is longer.
    kept = _closing_cut([*ARTICLE[:3], "Tags", TAGS, SIDEBAR, SIDEBAR, SIDEBAR, SIDEBAR])
    assert kept == ARTICLE[:3]
    # Keep: a tags label under the title, with little article above it, closes nothing.
    kept = _closing_cut([ARTICLE[0], "Tags", TAGS, *ARTICLE[1:]])
    assert kept[-3:] == ARTICLE[1:]


SPORTS_MENU = ["- Baseball", "- Bowling", "- Boys Basketball", "- Boys Golf", "- Cross Country", "- Football"]
SWIM_RESULTS = ["Posted: Fri 6:45 PM, Feb 16, 2018", "Updated: Sat 8:31 PM, Feb 17, 2018"]


def test_a_lukewarm_menu_far_above_the_article_is_dropped() -> None:
    # Drop: a menu the model kept, parted from the article by a screenful of dropped lines.
    rest = ["Home", "Boys Swimming", "Article", "2018 Boys State Swim Results", *SWIM_RESULTS]
    page = _split_page("\n".join([*SPORTS_MENU, *rest]) + "\n\n" + "\n\n".join(ARTICLE), DEFAULT_CONFIG)
    body = [pos < len(SPORTS_MENU) or pos >= len(SPORTS_MENU) + len(rest) for pos in range(len(page.texts))]
    _drop_stray_short_runs(page, body)
    assert [line for line, keep in zip(page.texts, body, strict=True) if keep] == ARTICLE
    # Keep: the same short list between two of the article's paragraphs.
    page = _split_page("\n\n".join([ARTICLE[0], "\n".join(SPORTS_MENU), *ARTICLE[1:]]), DEFAULT_CONFIG)
    body = [True] * len(page.texts)
    _drop_stray_short_runs(page, body)
    assert all(body)


def test_footer_sentence_above_a_site_copyright_is_not_kept() -> None:
    text = _dump(
        ["Mill saved after board vote"],
        ARTICLE,
        ["About | Advertising | Contact | Corrections | Help", "Privacy Policy", "Terms of Use"],
    ) + (
        "\nSlate is published by The Slate Group, a Graham Holdings Company.\n\n"
        "All contents © 2019 The Slate Group LLC. All rights reserved.\n"
    )
    result = clean_dump(text)
    assert _paragraphs(result.text) == ARTICLE
    assert "Slate is published by The Slate Group, a Graham Holdings Company." in result.removed_lines


@pytest.mark.parametrize(
    "text",
    ["", "   \n\n  ", "\x00\x01\x02\x7f", "a" * 5_000_000, "\r\n" * 1000, "\ud800", "\n".join(["x"] * 10_000)],
)
def test_odd_input_never_raises(text: str) -> None:
    result = clean_dump(text)
    assert result.text == ""
    assert result.input_chars == len(text)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_never_raises_on_any_string(text: str) -> None:
    result = clean_dump(text)
    assert isinstance(result.text, str)


_MIXED = st.lists(
    st.sampled_from([*ARTICLE, "Share", "Home", "What happens next"]), min_size=1, max_size=8, unique=True
)


@settings(max_examples=100, deadline=None)
@given(_MIXED)
def test_cleaning_its_own_body_adds_nothing(lines: list[str]) -> None:
    once = clean_dump(_dump(["Mill saved after board vote"], lines, ["Contact us"])).text
    twice = clean_dump(once).text
    assert set(_paragraphs(twice)) <= set(_paragraphs(once))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(ARTICLE), min_size=1, max_size=4, unique=True))
def test_cleaning_a_clean_body_is_idempotent(lines: list[str]) -> None:
    # Already-clean text (an extractor's output) passes through whole, and stays so.
    once = clean_dump("\n\n".join(lines)).text
    assert _paragraphs(once) == lines
    assert clean_dump(once).text == once


# --- Header rules: each with a real line it must catch and a real line it must leave alone.


def _header_dump(header: list[str]) -> str:
    return _dump(["Home", "News", "Business", *header], ARTICLE, ["Contact us"])


def test_caption_ending_in_a_photo_credit_is_not_the_title() -> None:
    header = [
        "Valdecarrasco reabre su puente medieval tras dos años de obras",
        "Vecinos de Valdecarrasco cruzan el puente restaurado durante la inauguración de este miércoles. Foto: EFE",
    ]
    result = clean_dump(_header_dump(header))
    assert result.title == "Valdecarrasco reabre su puente medieval tras dos años de obras"
    assert result.image_credits == ("EFE",)
    assert "Foto: EFE" not in result.text


def test_a_label_inside_a_sentence_is_not_a_credit() -> None:
    header = ["The exhibition opens on Friday in the old mill. Photography: a retrospective runs until May"]
    result = clean_dump(_header_dump(header))
    assert result.image_credits == ()


def test_wire_photo_credit_caption_is_not_the_title() -> None:
    header = [
        "Norvane Foods to close three bakeries, cut 1,200 jobs as costs bite",
        "By Tomas Reyes, Reuters",
        "A Norvane Foods delivery truck leaves the company's bakery in Ashby on April 10, 2025. REUTERS/Carla Mendel",
    ]
    result = clean_dump(_header_dump(header))
    assert result.title == "Norvane Foods to close three bakeries, cut 1,200 jobs as costs bite"
    assert result.image_credits == ("REUTERS/Carla Mendel",)


def test_wire_agency_in_a_byline_is_not_an_author() -> None:
    result = clean_dump(_header_dump(["Mill saved after board vote", "By Tomas Reyes, Reuters"]))
    assert result.authors == ("Tomas Reyes",)
    result = clean_dump(_header_dump(["Mill saved after board vote", "By Tomas Reyes, Ana Ruiz"]))
    assert result.authors == ("Tomas Reyes", "Ana Ruiz")


def test_posted_on_date_by_name_is_a_date_and_a_byline() -> None:
    header = [
        "Bringing a 1962 valve radio back to life (without burning the house down)",
        "Posted on March 3, 2025 by Mara Lindqvist",
        "Electronics, Restoration",
    ]
    result = clean_dump(_header_dump(header))
    assert result.title == header[0]
    assert result.published == "March 3, 2025"
    assert result.authors == ("Mara Lindqvist",)
    assert "Posted on" not in result.text


def test_a_dated_byline_between_title_and_body_is_not_body() -> None:
    # Drop: the stamp the model scores as part of the article it sits on; keep: the article.
    stamp = "Monday November 18, 2019 7:45 am PST by Mara Lindqvist"
    text = _dump(["Home", "News", "Mill saved after board vote", stamp], ARTICLE, ["About"])
    result = clean_dump(text)
    assert stamp not in result.text
    assert result.text == "\n\n".join(ARTICLE)
    # The veto itself, on a page where every line starts as body.
    page = _split_page("\n\n".join([stamp, *ARTICLE]), DEFAULT_CONFIG)
    body = [True] * len(page.texts)
    _veto_metadata_lines(page, body)
    assert body == [False] + [True] * len(ARTICLE)


def test_a_sentence_with_posted_and_by_is_not_a_byline() -> None:
    header = ["Mill saved after board vote", "Posted on the wall by the door was a list of names."]
    result = clean_dump(_header_dump(header))
    assert result.authors == ()
    assert result.published is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("April 14, 2025 at 9:12 a.m. EDT", True),
        ("Updated April 14, 2025 at 11:40 p.m. EDT", True),
        ("The meeting ran from 9 a.m. to noon on April 14, 2025, officials said.", False),
    ],
)
def test_date_lines_with_a_m_and_p_m(line: str, expected: bool) -> None:
    assert is_date_line(line) is expected


def test_title_is_the_line_before_the_standfirst() -> None:
    header = [
        "COMARCA",
        "Valdecarrasco reabre su puente medieval tras dos años de obras",
        "La restauración, financiada en parte con fondos europeos, ha costado 1,8 millones de euros y devuelve el "
        "paso peatonal entre los dos barrios del pueblo",
        "Agencia EFE",
        "Valdecarrasco",
        "14 de mayo de 2025 - 12:35",
    ]
    result = clean_dump(_header_dump(header))
    assert result.title == header[1]
    assert result.subtitle == header[2]
    assert result.published == "14 de mayo de 2025"


def test_spanish_dateline_names_the_agency() -> None:
    body = ["Valdecarrasco (EFE).- " + ARTICLE[0], *ARTICLE[1:]]
    result = clean_dump(_dump(["Mill saved after board vote"], body, ["Contact us"]))
    assert result.source_agency == "EFE"
    body = ["Valdecarrasco (pop. 2,000) - " + ARTICLE[0], *ARTICLE[1:]]
    assert clean_dump(_dump(["Mill saved after board vote"], body, ["Contact us"])).source_agency is None


def test_headlines_under_a_bare_related_label_are_related_not_body() -> None:
    teaser = ["Read more:", "Grain prices slip as harvest outlook improves", "Regional grocers brace for thin margins"]
    text = _dump(["Mill saved after board vote"], [ARTICLE[0], ARTICLE[1]], []) + "\n".join(teaser) + "\n\n"
    text += "\n\n".join(ARTICLE[2:]) + "\n\nContact us\n"
    result = clean_dump(text)
    assert "Grain prices slip" not in result.text
    assert result.related == (
        "Grain prices slip as harvest outlook improves",
        "Regional grocers brace for thin margins",
    )
    # The paragraph after the box (a blank line away) is the article again.
    assert ARTICLE[2] in _paragraphs(result.text)


def test_a_headline_list_a_blank_line_below_its_label_is_related() -> None:
    most_popular = [
        "Ferry service to stop in March as county cuts costs",
        "Ashby council delays vote on the harbour plan",
        "Property taxes are on the rise. These maps show where.",
        "Skimming device found at a gas station on Route 9",
    ]
    text = "Mill saved after board vote\n\nMost Popular\n\n" + "\n".join(most_popular) + "\n\n"
    text += "\n\n".join(ARTICLE) + "\n\nContact us\n"
    result = clean_dump(text)
    assert _paragraphs(result.text) == ARTICLE
    assert result.related == tuple(most_popular)
    # One line a blank line below a label is a subheading of the article, not a list.
    page = _split_page(
        "\n".join([ARTICLE[0], "", "RECOMMENDED", "", "What happens next", "", ARTICLE[1]]), DEFAULT_CONFIG
    )
    assert _related_block_lines(page) == []


def test_markup_residue_is_dropped_from_the_body() -> None:
    shortcode = '[button link="https://example.com/submit/" type="big"] Send us YOUR review[/button]'
    body = [ARTICLE[0], ARTICLE[1], shortcode, ARTICLE[2], ARTICLE[3]]
    result = clean_dump(_dump(["Mill saved after board vote"], body, ["Contact us"]))
    assert _paragraphs(result.text) == ARTICLE
    # Square brackets in prose are kept.
    bracketed = "The chair said the plan [to sell the mill] was never on the table, and the board agreed."
    body = [ARTICLE[0], ARTICLE[1], bracketed, ARTICLE[2], ARTICLE[3]]
    result = clean_dump(_dump(["Mill saved after board vote"], body, ["Contact us"]))
    assert bracketed in _paragraphs(result.text)


def test_author_contact_line_closing_the_article_is_dropped() -> None:
    contact = "Have a tip? Ina Sorel may be reached at isorel@example.com. Follow her on Twitter @isorel."
    result = clean_dump(_dump(["Mill saved after board vote"], [*ARTICLE, contact], ["Contact us"]))
    assert _paragraphs(result.text) == ARTICLE
    # The same words in the middle of the story are the story's.
    quote = "The clerk said the mayor may be reached at the county offices until the end of the month."
    body = [ARTICLE[0], quote, *ARTICLE[1:]]
    result = clean_dump(_dump(["Mill saved after board vote"], body, ["Contact us"]))
    assert quote in _paragraphs(result.text)


def test_byline_with_a_date_is_a_dated_byline() -> None:
    header = ["Mill saved after board vote", "By Ina Sorel, Tomas Reyes on Monday, November 18th, 2025 at 11:08 a.m."]
    result = clean_dump(_header_dump(header))
    assert "By Ina Sorel" not in result.text
    assert result.authors == ("Ina Sorel", "Tomas Reyes")
    assert not _split_page("By the end of 2025, the mill will be a museum.", DEFAULT_CONFIG).dated_byline[0]


def test_a_table_the_body_keeps_part_of_is_kept_whole() -> None:
    rows = [
        "Pos. Rider Points Wins",
        *[f"{i} Rider {chr(64 + i)}. Sorel {900 - 37 * i} {i % 3} {i % 4}" for i in range(1, 9)],
    ]
    lines = [ARTICLE[0], "", *rows, "", ARTICLE[1]]
    page = _split_page("\n".join(lines), DEFAULT_CONFIG)
    body = [True, True, True, True, False, False, False, False, False, True, True]  # the model's cut
    _keep_tables(page, body)
    assert body == [True] * 11
    # A menu block the body keeps a line of is not a table: it stays as it was.
    menu = ["Home", "News", "Sports", "Weather 12", "Obituaries"]
    page = _split_page("\n".join([ARTICLE[0], "", *menu, "", ARTICLE[1]]), DEFAULT_CONFIG)
    body = [True, False, False, False, True, False, True]
    _keep_tables(page, body)
    assert body == [True, False, False, False, True, False, True]


def test_a_numbered_list_the_body_keeps_part_of_goes_on_to_its_last_item() -> None:
    items = [f"{i}) Board game number {i}, for two to six players" for i in range(1, 7)]
    lines = [ARTICLE[0], ""]
    for item in items:
        lines += [item, f"http://example.com/shop/{item[0]}"]
    lines += ["", "Leave a comment"]
    page = _split_page("\n".join(lines), DEFAULT_CONFIG)
    body = [True] * 9 + [False] * 5  # the model's scores faded after the fourth item
    _continue_numbered_lists(page, body)
    assert body == [True] * 12 + [False, False]  # up to the last item; what follows it is not the list's
    # Numbers that do not follow on ("2020 was ...", "12 people ...") join nothing.
    lines = [ARTICLE[0], "", "1. Heat the oven.", "2. Mix the flour.", "", "12 people came to the meeting.", ""]
    page = _split_page("\n".join(lines), DEFAULT_CONFIG)
    body = [True, True, True, False]
    _continue_numbered_lists(page, body)
    assert body == [True, True, True, False]


def test_site_name_is_the_masthead_the_copyright_line_names() -> None:
    text = _dump(
        ["Skip to content", "Tri-County Herald", "News", "Mill saved after board vote"],
        ARTICLE,
        ["© 2025 Tri-County Herald. All rights reserved."],
    )
    assert clean_dump(text).site_name == "Tri-County Herald"
    text = _dump(["Skip to content", "Tri-County Herald", "News", "Mill saved after board vote"], ARTICLE, ["About"])
    assert clean_dump(text).site_name is None


# --- The fast paths must agree with the plain per-line functions they stand in for.


def _sample_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted((REPO / "samples" / "text").glob("*.txt")):
        lines += [line.strip() for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    return lines


def test_residual_gate_is_in_use() -> None:
    # The short rules stay gateable by their first characters (see textdump.prefix_gate).
    assert residual_gate_active()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_sample_lines()) | st.text(min_size=1, max_size=120), min_size=1, max_size=12))
def test_caption_screen_matches_is_caption(lines: list[str]) -> None:
    lines = [line.strip() for line in lines if line.strip()]
    units = [text_units(line) for line in lines]
    marked = np.array([any(c in line for c in CREDIT_MARKS) for line in lines])
    assert _captions(tuple(lines), units, marked) == tuple(
        is_caption(line, n) for line, n in zip(lines, units, strict=True)
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_sample_lines()) | st.text(min_size=1, max_size=80), min_size=1, max_size=12))
def test_residual_reasons_match_boilerplate_reason(lines: list[str]) -> None:
    lines = [line.strip() for line in lines if line.strip()]
    assert residual_reasons(lines) == [boilerplate_reason(line) for line in lines]


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_byline_gate_never_rejects_a_byline(line: str) -> None:
    gate = prefix_gate(BYLINE)
    assert gate is not None
    if BYLINE.match(line):
        assert gate.may_match(line)


def test_byline_gate_is_selective() -> None:
    gate = prefix_gate(BYLINE)
    assert gate is not None
    assert gate.may_match("By Jane Doe") and gate.may_match("Escrito por Ana Ruiz")
    assert not gate.may_match("Kremlin spokesman Dmitry Peskov said on Tuesday")


_LINES = st.lists(
    st.sampled_from(
        [
            *("Share", "SHARE:", "share", "Straße", "STRASSE", "Home", "ﬁne", "fine", "Σίσυφος", "ΣΊΣΥΦΟΣ"),
            *("Ina Sorel (AFP)", "Ina Sorel (ePA)", "In fog. GETTY IMAGES", "İstanbul. Getty", "x (Photo: Ada Ruiz)"),
            *("Ina (Manu Ferrer/AP) more", "Alex Wong | AP", "Ina Sorel via AP", "storm Credit: EPA", "Ina Sorel"),
            *("Ina speaks, Monday, Nov. 3, 2025, in Ashby.", "In this June 2, 2025, file photo, the mill"),
            *("By Ina Sorel | June 3, 2025 | Topic: Mills", "Ashby Bureau · Updated: June 3, 2025"),
            *("- medium-wide-browser", "Loading comments...", "x", "X!!!!!", "Please wait …", "[/button]"),
            *("[button link=x]Go[/button]", "This feature is temporarily unavailable.", "Something went wrong"),
        ]
    )
    | st.text(min_size=1, max_size=40),
    min_size=1,
    max_size=10,
)


@settings(max_examples=300, deadline=None)
@given(_LINES)
def test_page_arrays_match_the_per_line_definitions(lines: list[str]) -> None:
    page = _split_page("\n".join(lines), DEFAULT_CONFIG)
    assert list(page.units) == [text_units(line) for line in page.texts]
    assert list(page.credited) == [is_credited_caption(line, text_units(line)) for line in page.texts]
    assert list(page.stamp) == [is_stamp_line(line) for line in page.texts]
    assert list(page.markup) == [markup_reason(line) is not None for line in page.texts]
    # Repeat keys: equal exactly when the normalized lines are equal.
    for a in range(len(page.texts)):
        for b in range(len(page.texts)):
            same = _line_key(page.texts[a]) == _line_key(page.texts[b])
            assert (page.keys[a] == page.keys[b]) is same


def test_token_rows_are_found_in_any_script() -> None:
    lines = ["Société © 2025 Ünsere Zeitung", "무단 전재 금지", "Plain prose without any token.", "x © y", "[caption]"]
    rows = _token_rows("\n".join(lines).lower(), None)
    assert rows.residual == {0, 1, 3}
    assert rows.markup == {4}
    assert _token_rows("", None).residual == set()


def test_token_rows_stay_on_their_line_when_lowering_lengthens_a_line() -> None:
    # "İ" lowercases to two code points, so offsets in the lowered page drift from the original's.
    lines = ["İİİİ İstanbul İzmir", "Sign up for our newsletter", "İİ", "Getty Images"]
    joined = "\n".join(lines)
    lowered = joined.lower()
    assert len(lowered) != len(joined)
    rows = _token_rows(lowered, None)
    assert rows.residual == {1}
    assert rows.credit == {3}


def test_sentence_stops_of_other_scripts_end_a_line() -> None:
    # A Hindi paragraph ends in a danda, an Urdu one in the Urdu full stop, an Arabic question
    # in the Arabic question mark: each is a sentence, as a paragraph ending in "." would be.
    lines = [
        "नगर परिषद ने मंगलवार को पुरानी मिल को बचाने का फैसला किया। इस फैसले से दस साल पुराना विवाद खत्म हो गया।",
        "شہر کی کونسل نے منگل کو پرانی مل کو بچانے کا فیصلہ کیا۔",
        "هل ستبقى المطحنة القديمة مفتوحة للزوار؟",
        "होम",
    ]
    page = _split_page("\n\n".join(lines), DEFAULT_CONFIG)
    assert page.terminal == (True, True, True, False)
    # Two sentences in the Hindi line, one in each of the others.
    assert page.counts.sentences.tolist()[:3] == [2.0, 1.0, 1.0]


def test_site_notice_under_the_article_is_a_footer_line() -> None:
    notice = "This material may not be published, broadcast, rewritten, or redistributed without permission."
    assert boilerplate_reason(notice) is ResidualReason.DISCLAIMER
    text = _dump(["Home", "News", "Mill saved after board vote"], ARTICLE, [notice, "Contact us"])
    assert _paragraphs(clean_dump(text).text) == ARTICLE
    kinds = {label.text: label.kind for label in classify_lines(text)}
    assert kinds[notice] is LineKind.FOOTER


def test_a_byline_that_is_not_a_sentence_is_never_body() -> None:
    lines = ["By Tomas Reyes, Reuters", "By Tuesday, the board had voted to keep the mill."]
    page = _split_page("\n\n".join(lines), DEFAULT_CONFIG)
    assert _vetoed(page, 0)
    assert not _vetoed(page, 1)


def test_kept_menu_and_headline_above_the_byline_are_dropped() -> None:
    header = ["Home", "News", "Mill saved after board vote", "By Tomas Reyes"]
    page = _split_page(_dump(header, ARTICLE, ["Contact us"]), DEFAULT_CONFIG)
    body = [True, True, True, False, *([True] * len(ARTICLE)), False]
    _drop_kept_lines_above_byline(page, body)
    assert body == [False, False, False, False, *([True] * len(ARTICLE)), False]


def test_a_sentence_above_the_byline_keeps_what_is_above_it() -> None:
    # A lede printed above the byline is a sentence: nothing above the byline is dropped.
    header = ["Mill saved after board vote", "The county voted on Tuesday to keep the old mill.", "By Tomas Reyes"]
    page = _split_page(_dump(header, ARTICLE, ["Contact us"]), DEFAULT_CONFIG)
    body = [True, True, False, *([True] * len(ARTICLE)), False]
    _drop_kept_lines_above_byline(page, body)
    assert body == [True, True, False, *([True] * len(ARTICLE)), False]


def test_a_headline_closing_the_menu_block_is_not_the_first_paragraph() -> None:
    header = ["Home", "News", "Business", "Mill saved after board vote"]
    page = _split_page(_dump(header, ARTICLE, ["Contact us"]), DEFAULT_CONFIG)
    body = [False, False, False, True, *([True] * len(ARTICLE)), False]
    _drop_headline_closing_a_menu(page, body)
    assert body == [False, False, False, False, *([True] * len(ARTICLE)), False]


def test_a_subheading_in_its_own_block_stays_the_first_kept_line() -> None:
    lines = ["Home", "News", "", "Why the mill matters", "", *ARTICLE]
    page = _split_page("\n".join(lines), DEFAULT_CONFIG)
    body = [False, False, True, *([True] * len(ARTICLE))]
    _drop_headline_closing_a_menu(page, body)
    assert body == [False, False, True, *([True] * len(ARTICLE))]


def test_page_header_rendered_as_one_block_stays_out_of_the_body() -> None:
    # Menu, headline, standfirst, share buttons and caption with no blank line between them: the
    # caption's confidence must not carry the menu into the body (DumpCleanConfig.stage1_floor).
    text = (REPO / "samples" / "text" / "heraldo-de-la-sierra-puente-valdecarrasco-2025-05-14.txt").read_text("utf-8")
    kinds = {label.text: label.kind for label in classify_lines(text)}
    for menu_line in ("Ir al contenido", "Portada", "Deportes", "Esquelas", "Compartir en X"):
        assert kinds[menu_line] is not LineKind.BODY, menu_line
    body = clean_dump(text).text
    assert body.startswith("Valdecarrasco (EFE).- El puente medieval de Valdecarrasco")
