"""corpusclean: raw article pages in, a clean, deduplicated Parquet dataset out."""

from __future__ import annotations

import functools

__all__ = ["__version__"]


@functools.cache
def _version() -> str:
    # importlib.metadata (and the distribution lookup) costs 0.04-0.07 s: looked up on first
    # use, not by every process that imports the package (a build's workers start sooner).
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("corpusclean")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
