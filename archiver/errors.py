"""Error classes and the one table of exit codes: each error carries its code and a one-line hint."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Every exit status of `archive` (docs/commands.md and the README list them)."""

    OK = 0
    FAILED = 1  # at least one input (or capture, for reprocess and export) failed; the rest were done
    USAGE = 2  # a command line click or we refuse (click exits 2 for its own usage errors too)
    NOT_FOUND = 3  # a capture id, URL or version that is not in the archive
    DATABASE = 4  # the archive cannot be opened, migrated or written
    DAMAGED = 5  # `archive check` found damage (or a command met raw bytes that cannot be read back)
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), what a shell reports for an interrupted command


class ArchiveError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = ExitCode.FAILED
    hint: str | None = None

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


class InputError(ArchiveError):
    """One input could not be read or cleaned (missing, binary, empty, undecodable, no article)."""

    exit_code = ExitCode.FAILED


class UsageError(ArchiveError):
    """A command line that cannot be carried out as given (e.g. a search query that does not parse)."""

    exit_code = ExitCode.USAGE


class NotFoundError(ArchiveError):
    """A capture id or URL that is not in the archive."""

    exit_code = ExitCode.NOT_FOUND
    hint = "Run `archive add` first, or check the id printed by `archive add`."


class DatabaseError(ArchiveError):
    """The archive database cannot be opened, migrated or written."""

    exit_code = ExitCode.DATABASE
