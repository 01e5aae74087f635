"""Errors raised by the library. A leaf module: imports nothing from :mod:`kg`."""
from __future__ import annotations


class KgError(Exception):
    """Base class for every error :mod:`kg` raises on purpose."""


class InputError(KgError):
    """A source file that cannot be read. The message is one line naming file and cause.

    >>> str(InputError("a.docx", "truncated DOCX (not a valid zip archive)"))
    'a.docx: truncated DOCX (not a valid zip archive)'
    """

    def __init__(self, path: str, cause: str):
        self.path = str(path)
        self.cause = " ".join(str(cause).split())
        super().__init__(f"{self.path}: {self.cause}")


class StoreError(KgError):
    """The graph store cannot be opened, read or written."""


class QueryError(KgError):
    """A SPARQL query that cannot be parsed or run."""
