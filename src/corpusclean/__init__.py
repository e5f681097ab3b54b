"""corpusclean: raw article pages in, a clean, deduplicated Parquet dataset out."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("corpusclean")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
