from __future__ import annotations

import codecs

from hypothesis import given, settings
from hypothesis import strategies as st

from corpusclean.ingest.sniff import Decoded, clean_control_chars, decode, looks_binary, sniff_type
from corpusclean.records import RejectReason, SourceType

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452")


def test_binary_by_magic_and_by_nul() -> None:
    assert looks_binary(PNG + b"<html>")
    assert looks_binary(b"%PDF-1.7\n")
    assert looks_binary(b"abc\x00def")
    assert not looks_binary("<html><body>Grüße</body></html>".encode())


def test_utf16_with_bom_is_text_not_binary() -> None:
    data = codecs.BOM_UTF16_LE + "<html><p>hello</p></html>".encode("utf-16-le")
    assert not looks_binary(data)
    decoded = decode(data)
    assert isinstance(decoded, Decoded)
    assert decoded.text == "<html><p>hello</p></html>"


def test_html_by_content_not_name() -> None:
    assert sniff_type("<!DOCTYPE html>\n<html><head>") is SourceType.HTML
    assert sniff_type("  <!-- saved page -->\n<html lang='en'>") is SourceType.HTML
    assert sniff_type("WORLD\n2 min read\nTalks with Ukraine yield progress") is SourceType.TEXT
    fragment = "<div class='a'><p>One</p><p>Two</p><p>Three</p></div>"
    assert sniff_type(fragment) is SourceType.HTML


def test_text_mentioning_tags_stays_text() -> None:
    dump = "How to write HTML\n\nUse the <p> element for paragraphs.\n" + "More prose here.\n" * 50
    assert sniff_type(dump) is SourceType.TEXT


def test_declared_latin1_is_used_when_utf8_fails() -> None:
    data = '<html><head><meta charset="iso-8859-1"></head><p>Café à Paris</p></html>'.encode("latin-1")
    decoded = decode(data)
    assert isinstance(decoded, Decoded)
    assert "Café à Paris" in decoded.text


def test_utf8_wins_over_a_wrong_declaration() -> None:
    data = '<meta charset="iso-8859-1"><p>Grüße aus Köln</p>'.encode()
    decoded = decode(data)
    assert isinstance(decoded, Decoded) and "Grüße aus Köln" in decoded.text


def test_control_characters_and_escapes_are_removed() -> None:
    assert clean_control_chars("a\x1b[31mred\x1b[0m\x07b\r\nc\x00") == "aredb\nc"


def test_undecodable_bytes() -> None:
    result = decode(bytes(range(128, 256)) * 4)
    assert isinstance(result, Decoded) or result is RejectReason.DECODE_ERROR


def test_undeclared_western_page_is_windows_1252() -> None:
    page = "<html><body><p>Le débat était très vif, a dit M. Müller à Zürich.</p></body></html>"
    decoded = decode(page.encode("cp1252"))
    assert isinstance(decoded, Decoded) and "très vif, a dit M. Müller à Zürich" in decoded.text


def test_undeclared_cyrillic_page_is_detected_not_read_as_1252() -> None:
    page = "<html><body><p>" + "Привет, как дела? Сегодня хорошая погода в Москве. " * 5 + "</p></body></html>"
    decoded = decode(page.encode("cp1251"))
    assert isinstance(decoded, Decoded) and "Сегодня хорошая погода" in decoded.text


@settings(max_examples=400)
@given(st.text(alphabet=st.sampled_from("ab é\n\r\t\x00\x01\x0b\x1b[\x7f\x80\x85\x9f\xa0\ufffd\ufffe\uffff€中")))
def test_utf8_fast_path_cleans_exactly_as_clean_control_chars(text: str) -> None:
    # decode() tests UTF-8 bytes for what clean_control_chars would change and skips it when
    # nothing would: the text must come out the same either way.
    assert decode(text.encode("utf-8")) == Decoded(clean_control_chars(text), "utf-8")
