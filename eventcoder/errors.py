"""Every error eventcoder raises on purpose.

    EventcoderError
    ├── InputError(path, line, reason)   one bad input; the batch goes on
    ├── ConfigError                      a setting or a missing model/extra; fix and rerun
    ├── StoreError                       the database refused a read or write
    └── EvalError                        a data set could not be read for evaluation
"""

from __future__ import annotations

from typing import Optional


class EventcoderError(Exception):
    """Base class: the CLI turns these into one 'Error: ...' line and a non-zero exit."""


class InputError(EventcoderError):
    """An input could not be read as an article; names the file and line so it can be fixed."""

    def __init__(self, path: Optional[str], reason: str, line: Optional[int] = None):
        self.path = path
        self.line = line
        self.reason = reason
        where = path or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {reason}")


class ConfigError(EventcoderError):
    """A setting is wrong or an optional part is not installed."""


class StoreError(EventcoderError):
    """The store could not be opened, migrated, read or written."""


class EvalError(EventcoderError):
    """An evaluation data set is missing or could not be read."""
