"""Error classes: each carries a documented exit code and a one-line hint for the user."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = 1
    hint: str | None = None

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class InputError(ArchiveError):
    """One input could not be read or cleaned (missing, binary, empty, undecodable, no article)."""

    exit_code = 1  # 2 is click's usage error


class NotFoundError(ArchiveError):
    """A capture id or URL that is not in the archive."""

    exit_code = 3
    hint = "Run `archive add` first, or check the id printed by `archive add`."


class DatabaseError(ArchiveError):
    """The archive database cannot be opened, migrated or written."""

    exit_code = 4
