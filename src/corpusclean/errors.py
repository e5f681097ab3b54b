"""Every error corpusclean raises, named after the condition.

Per-page problems never raise out of the pipeline: they become reject rows
(see :class:`corpusclean.records.RejectReason`). These exceptions are for
conditions that stop a whole run or a whole call.
"""

from __future__ import annotations


class CorpusCleanError(Exception):
    """Base class: catch this to handle any corpusclean failure."""


class InputNotFoundError(CorpusCleanError):
    """An input path or glob given by the user matches nothing."""


class SchemaError(CorpusCleanError):
    """A schema definition is invalid, or a table does not match its schema."""


class DatasetError(CorpusCleanError):
    """The output directory is not a corpusclean dataset, or is in a state we cannot use."""


class DatasetLockedError(DatasetError):
    """Another run holds the output directory's lock."""


class ConfigError(CorpusCleanError):
    """A configuration value is out of range or inconsistent."""


class QualityGateError(CorpusCleanError):
    """A run broke a configured quality gate; its tables were quarantined, the dataset is unchanged."""
