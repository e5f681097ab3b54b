from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import pytest

from corpusclean.config import DEFAULT_INCLUDE
from corpusclean.errors import InputNotFoundError
from corpusclean.ingest.files import expand_inputs, read_page
from corpusclean.records import RawPage, Reject, RejectReason


def _tree(tmp_path: Path) -> Path:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.html").write_text("<html></html>")
    (tmp_path / "a" / "b" / "two.txt").write_text("text")
    (tmp_path / "a" / "b" / "three.html.gz").write_bytes(gzip.compress(b"<html></html>"))
    (tmp_path / "a" / "notes.md").write_text("not an input")
    (tmp_path / "a" / ".hidden.html").write_text("<html></html>")
    return tmp_path / "a"


def test_directories_are_walked_sorted_with_include_patterns(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    found = expand_inputs([str(root)], DEFAULT_INCLUDE)
    names = [os.path.relpath(p, root) for p in found.paths]
    assert names == ["b/three.html.gz", "b/two.txt", "one.html"]
    assert found.skipped == 1  # notes.md


def test_named_files_are_taken_whatever_their_name(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    found = expand_inputs([str(root / "notes.md")], DEFAULT_INCLUDE)
    assert found.paths == (str(root / "notes.md"),)


def test_globs_and_duplicates(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    found = expand_inputs([f"{root}/**/*.txt", str(root / "b" / "two.txt")], DEFAULT_INCLUDE)
    assert found.paths == (str(root / "b" / "two.txt"),)


def test_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="no such file"):
        expand_inputs([str(tmp_path / "nope")], DEFAULT_INCLUDE)
    with pytest.raises(InputNotFoundError, match="no files match"):
        expand_inputs([str(tmp_path / "*.warc")], DEFAULT_INCLUDE)


def test_directory_symlink_loop_is_not_followed(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    os.symlink(root, root / "b" / "loop")
    found = expand_inputs([str(root)], DEFAULT_INCLUDE)
    assert len(found.paths) == 3


def test_gzip_is_unpacked_by_magic(tmp_path: Path) -> None:
    path = tmp_path / "page.html"  # no .gz in the name
    path.write_bytes(gzip.compress(b"<html><p>hi</p></html>"))
    page = read_page(str(path), 1000)
    assert isinstance(page, RawPage) and page.data == b"<html><p>hi</p></html>"


def test_a_plain_page_file_carries_its_digest_and_a_gzip_one_does_not(tmp_path: Path) -> None:
    # The input ledger takes the digest from the bytes the extraction read; gzip bytes
    # are unpacked on reading, so a packed file is hashed at commit instead.
    plain, packed = tmp_path / "a.html", tmp_path / "b.html"
    plain.write_bytes(b"<html><p>hi</p></html>")
    packed.write_bytes(gzip.compress(b"<html><p>hi</p></html>"))
    page, gz_page = read_page(str(plain), 1000), read_page(str(packed), 1000)
    assert isinstance(page, RawPage) and page.file_sha256 == hashlib.sha256(plain.read_bytes()).hexdigest()
    assert isinstance(gz_page, RawPage) and gz_page.file_sha256 is None


def test_size_cap_applies_before_parsing_and_to_gzip_bombs(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(b"x" * 2000)
    result = read_page(str(big), 1000)
    assert isinstance(result, Reject) and result.reason is RejectReason.TOO_LARGE
    assert "2000 bytes" in result.detail
    bomb = tmp_path / "bomb.gz"
    bomb.write_bytes(gzip.compress(b"\0" * 10_000_000))
    result = read_page(str(bomb), 1000)
    assert isinstance(result, Reject) and result.reason is RejectReason.TOO_LARGE


def test_truncated_gzip_is_a_reject(tmp_path: Path) -> None:
    path = tmp_path / "cut.html.gz"
    path.write_bytes(gzip.compress(b"<html>" * 1000)[:30])
    result = read_page(str(path), 100_000)
    assert isinstance(result, Reject) and result.reason is RejectReason.DECODE_ERROR


def test_unreadable_file_is_a_reject(tmp_path: Path) -> None:
    path = tmp_path / "dir.html"
    path.mkdir()
    result = read_page(str(path), 100)
    assert isinstance(result, Reject) and result.reason is RejectReason.READ_ERROR
