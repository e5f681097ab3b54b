"""Read one page's bytes from an open file with a hard cap, unpacking gzip as a stream.

Shared by local files (files.py) and fsspec URLs (remote.py): a page over the cap, or a
gzip that unpacks past it (a bomb), costs at most cap bytes of memory and is a reject.
"""

from __future__ import annotations

import gzip
import zlib
from typing import BinaryIO

from corpusclean.records import Reject, RejectReason

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 16


def gunzip_capped(fh: BinaryIO, path: str, cap: int) -> bytes | Reject:
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=fh, mode="rb") as gz:
            while chunk := gz.read(_CHUNK):
                out += chunk
                if len(out) > cap:
                    return Reject(path, RejectReason.TOO_LARGE, f"gzip unpacks to over the cap of {cap} bytes")
    except (OSError, EOFError, zlib.error) as exc:
        return Reject(path, RejectReason.DECODE_ERROR, f"corrupt gzip: {exc}")
    return bytes(out)


def read_capped(fh: BinaryIO, path: str, cap: int) -> bytes | Reject:
    """At most cap bytes of the page (gzip unpacked); TOO_LARGE beyond. fh must be at offset 0."""
    head = fh.read(2)
    if head == GZIP_MAGIC:
        fh.seek(0)
        return gunzip_capped(fh, path, cap)
    data = head + fh.read(cap + 1 - len(head))
    if len(data) > cap:
        return Reject(path, RejectReason.TOO_LARGE, f"over the cap of {cap} bytes")
    return data
