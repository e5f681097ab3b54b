from __future__ import annotations

from corpusclean.extract.sanity import main_content_problem

MENU = "\n\n".join(
    ["News", "Sport", "Business", "Opinion", "Lifestyle", "Puzzles", "Sign in", "All sections", "Local", "Courts"] * 3
)
BODY = "\n\n".join(
    [
        "Kremlin spokesman Dmitry Peskov said on Tuesday that agreements reached between Russia and Ukraine "
        "at Monday's talks in Istanbul were important.",
        "Ready for high-level contacts",
        "Speaking at a press briefing in Moscow, Peskov emphasised that one should not expect immediate "
        "solutions and breakthroughs due to the complexity of the problem, however, the work continues.",
        "Istanbul hosted the second round of Russia-Ukraine talks on Monday, after the first one on May 16.",
    ]
)


def test_a_menu_is_not_an_article() -> None:
    problem = main_content_problem(MENU, min_words=30)
    assert problem is not None and "no prose" in problem


def test_an_article_with_a_subheading_is_one() -> None:
    assert main_content_problem(BODY, min_words=30) is None


def test_a_link_list_of_headlines_is_not_an_article() -> None:
    headlines = "\n\n".join(
        [
            "China, India power emissions fall simultaneously for first time in 52 years",
            "Fully electric vehicle sales in EU overtake petrol for first time in December",
            "Millions brace for record cold across US as winter storm aftermath lingers",
        ]
        * 4
    )
    assert main_content_problem(headlines, min_words=30) is not None


def test_cjk_prose_counts() -> None:
    text = "東京都は今日、新しい防災計画を発表した。計画には避難所の増設と備蓄の見直しが含まれている。" * 3
    assert main_content_problem(text, min_words=30) is None
