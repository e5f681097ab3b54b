"""Inputs on remote storage, by fsspec URL: s3://, gs://, az://, http(s)://, ...

A URL input is expanded like a local one (a file, a "directory" prefix walked
for the include patterns, or a glob) into full URLs, sorted. Pages and
containers are then read through the same readers as local files, from a
seekable fsspec file object (range requests on object stores), so a WARC run
on S3 reads only its own byte range.

Credentials and endpoints come from fsspec's own configuration (environment,
e.g. AWS_ENDPOINT_URL and AWS_ACCESS_KEY_ID for S3, or fsspec config files),
never from corpusclean's config, so no secret ends up in a config fingerprint
or a manifest. `file://` URLs are turned into local paths (see files.py), so
local files keep the ledger and everything else that needs os.stat.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, BinaryIO, cast

from corpusclean.errors import InputNotFoundError
from corpusclean.ingest.capped import read_capped
from corpusclean.records import RawPage, Reject, RejectReason

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_GLOB_CHARS = frozenset("*?[")


def is_url(item: str) -> bool:
    """True for `scheme://...` inputs (file:// included)."""
    return bool(_URL.match(item))


def local_path(url: str) -> str | None:
    """The local path of a file:// URL, None for any other URL."""
    if url.lower().startswith("file://"):
        return url[len("file://") :] or "/"
    return None


def _name_included(path: str, include: Sequence[str]) -> bool:
    name = posixpath.basename(path.rstrip("/")).lower()
    return any(fnmatch.fnmatch(name, pat) for pat in include)


def _hidden(path: str, root: str) -> bool:
    rel = path[len(root) :].strip("/") if path.startswith(root) else path
    return any(part.startswith(".") for part in rel.split("/"))


def expand_url(url: str, include: Sequence[str]) -> tuple[list[str], int]:
    """Files a URL names, as full URLs, and how many files in walked prefixes matched no pattern.

    Raises InputNotFoundError when it names nothing (like a missing local path).
    """
    import fsspec  # here: fsspec costs ~40 ms to import, and most runs read local files

    fs, root = fsspec.core.url_to_fs(url)
    found: list[str] = []
    skipped = 0
    if _GLOB_CHARS & set(root):
        matches = sorted(fs.glob(root))
        if not matches:
            raise InputNotFoundError(f"no files match {url!r}")
        dirs = [m for m in matches if fs.isdir(m)]
        found += [m for m in matches if m not in dirs]
    elif fs.isdir(root):
        dirs = [root]
    elif fs.exists(root):
        return [fs.unstrip_protocol(root)], 0
    else:
        raise InputNotFoundError(f"no such file or directory: {url!r}")
    for folder in dirs:
        for path in sorted(fs.find(folder)):
            if _hidden(path, folder):
                continue
            if _name_included(path, include):
                found.append(path)
            else:
                skipped += 1
    return sorted({fs.unstrip_protocol(p) for p in found}), skipped


@contextmanager
def open_binary(path: str) -> Iterator[BinaryIO]:
    """A seekable binary file object for a local path or an fsspec URL."""
    if is_url(path) and local_path(path) is None:
        import fsspec

        with fsspec.open(path, mode="rb") as fh:
            yield cast(BinaryIO, fh)
    else:
        with open(local_path(path) or path, "rb") as fh:
            yield fh


def read_page(url: str, cap: int) -> RawPage | Reject:
    """One remote file as one page, with the same caps and gzip handling as a local one."""
    try:
        with open_binary(url) as fh:
            data = read_capped(fh, url, cap)
    except (OSError, ValueError) as exc:
        return Reject(url, RejectReason.READ_ERROR, f"{type(exc).__name__}: {exc}"[:500])
    if isinstance(data, Reject):
        return data
    return RawPage(source_path=url, data=data)


def stat_key(url: str) -> tuple[int, int] | None:
    """(size, modification time in ns) of a remote file, for the ledger; None when the store gives no time."""
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(url)
        info: dict[str, Any] = fs.info(path)
    except (OSError, ValueError):
        return None
    modified = info.get("LastModified") or info.get("mtime") or info.get("updated")
    size = info.get("size")
    if size is None or modified is None:
        return None
    stamp = modified.timestamp() if hasattr(modified, "timestamp") else float(modified)
    return int(size), int(stamp * 1_000_000_000)
