"""Inputs on a local file system: expand files, directories and globs; read pages with size caps.

(URL inputs are expanded and read by remote.py; container files by containers.py.)

`expand_inputs` turns what the user typed into a sorted, de-duplicated list of
files (the order every later stage relies on for determinism). `read_page`
reads one file into a RawPage, unpacking gzip by its magic bytes, and never
reads more than the configured cap.
"""

from __future__ import annotations

import fnmatch
import glob
import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from corpusclean.errors import InputNotFoundError
from corpusclean.ingest import remote
from corpusclean.ingest.capped import GZIP_MAGIC, read_capped
from corpusclean.records import RawPage, Reject, RejectReason

_GLOB_CHARS = frozenset("*?[")


def display_path(path: str) -> str:
    """The path as valid UTF-8 for the tables: undecodable bytes of a file name become \\xNN."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


@dataclass(frozen=True, slots=True)
class InputFiles:
    paths: tuple[str, ...]
    skipped: int  # files inside walked directories that match no include pattern


def _walk(root: str, include: Sequence[str]) -> Iterator[tuple[str, bool]]:
    """Files under root as (path, included), sorted, never following directory symlinks."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = os.path.join(dirpath, name)
            yield path, any(fnmatch.fnmatch(name.lower(), pat) for pat in include)


def expand_inputs(inputs: Sequence[str], include: Sequence[str]) -> InputFiles:
    """Files named directly are always taken; directories are walked for `include` patterns.

    fsspec URLs (s3://bucket/prefix/, gs://b/**/*.warc.gz) are expanded the same
    way on their store and kept as full URLs; file:// URLs become local paths.
    """
    found: dict[str, None] = {}
    skipped = 0
    for item in inputs:
        if remote.is_url(item):
            local = remote.local_path(item)
            if local is None:
                urls, unmatched = remote.expand_url(item, include)
                found.update(dict.fromkeys(urls))
                skipped += unmatched
                continue
            item = local  # file:// is a local path: it keeps the ledger and os.stat
        if _GLOB_CHARS & set(item):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                raise InputNotFoundError(f"no files match {item!r}")
        elif os.path.isdir(item):
            matches = [item]
        elif os.path.lexists(item):
            found[item] = None
            continue
        else:
            raise InputNotFoundError(f"no such file or directory: {item!r}")
        for match in matches:
            if os.path.isdir(match):
                for path, included in _walk(match, include):
                    if included:
                        found[path] = None
                    else:
                        skipped += 1
            else:
                found[match] = None
    return InputFiles(tuple(sorted(found)), skipped)


def _read_capped(path: str, cap: int) -> tuple[bytes, bool] | Reject:
    """At most cap bytes of the file, unpacking gzip in a stream so a bomb costs no more; and
    whether it was gzip (then the bytes are not the file's)."""
    try:
        with open(path, "rb") as fh:
            packed = fh.read(len(GZIP_MAGIC)) == GZIP_MAGIC
            fh.seek(0)
            data = read_capped(fh, path, cap)
    except OSError as exc:
        return Reject(path, RejectReason.READ_ERROR, f"{type(exc).__name__}: {exc.strerror or exc}")
    if isinstance(data, Reject):
        if data.reason is RejectReason.TOO_LARGE and data.detail.startswith("over"):
            return Reject(path, RejectReason.TOO_LARGE, f"{os.path.getsize(path)} bytes, {data.detail}")
        return data
    return data, packed


def read_page(path: str, max_bytes: int) -> RawPage | Reject:
    """One file as one page. Errors become rejects; nothing here raises for a bad file."""
    if not os.path.isfile(path):
        what = "a directory" if os.path.isdir(path) else "not a regular file"
        return Reject(path, RejectReason.READ_ERROR, f"{what}")
    read = _read_capped(path, max_bytes)
    if isinstance(read, Reject):
        return read
    data, packed = read
    return RawPage(source_path=path, data=data, file_sha256=None if packed else hashlib.sha256(data).hexdigest())
