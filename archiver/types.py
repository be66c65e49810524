"""Plain data passed between the stages: capture -> article -> fingerprints -> lineage edges.

These are leaves: no I/O, no database, no logic beyond trivial derived properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# the relations a lineage edge can have, strongest first (`archive link --relation` takes any of them)
RELATIONS = ("identical", "copy", "excerpt", "rewrite", "revision")


@dataclass(frozen=True)
class Capture:
    """One input as read by `sources`: the raw bytes plus where and when they came from."""

    raw: bytes
    path: str | None  # file path as given, "-" for stdin, None for a fetched URL
    url: str | None  # the page's URL when known (--url, WARC target URI, fetched URL)
    captured_at: datetime  # timezone-aware UTC: file mtime, WARC date, fetch time
    content_type: str | None = None  # declared type ("text/html", "text/plain"); None = sniff
    headers: dict[str, str] | None = None  # HTTP response headers when fetched
    requested_url: str | None = None  # the URL as given, when fetched (`url` is where redirects ended)
    redirects: tuple[str, ...] = ()  # each redirect target followed, in order, when fetched
    published: str | None = None  # the publication date a manifest gives, over the page's own (ISO 8601)


@dataclass(frozen=True)
class Chrome:
    """A piece of page text removed from the body, and the rule that removed it."""

    text: str
    reason: str  # rule name, e.g. "caption", "share-buttons", "copyright", "title-repeat"


@dataclass(frozen=True)
class Credit:
    """A publisher, agency or photographer the page names as a source of its text or images."""

    name: str  # canonical publisher name ("The Associated Press")
    kind: str  # "publisher" | "reporting" | "photo" | "syndication"
    evidence: str  # the sentence or line it was read from


@dataclass
class Article:
    """A cleaned capture: body paragraphs, metadata in their own fields, removed chrome, credits."""

    paragraphs: list[str]
    title: str | None = None
    byline: str | None = None
    site_name: str | None = None
    published: str | None = None  # ISO date "2021-08-08" or datetime "2021-08-08T12:55:00-04:00"
    language: str | None = None
    canonical_url: str | None = None
    chrome: list[Chrome] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    extractor: str = ""  # which cleaner produced it: "html" or "text"

    @property
    def text(self) -> str:
        """The clean body: paragraphs separated by one blank line."""
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Fingerprint:
    """One signature of a text, with everything needed to compare it safely later."""

    kind: str  # "exact" | "minhash" | "skeleton"
    algorithm: str  # e.g. "sha256", "minhash-word5-mmh3"
    version: int  # bumped whenever the same text would give a different value
    params: dict[str, Any]  # e.g. {"num_perm": 128, "shingle": 5, "seed": 1}
    value: bytes  # the signature, fixed layout, explicit byte order (see fingerprint.py)




@dataclass(frozen=True)
class AddResult:
    """What happened to one input of `archive add`."""

    path: str | None
    status: str  # "new" | "duplicate" | "version" | "error" | "skipped" (a file in a directory that is no page)
    id: int | None = None
    url: str | None = None
    title: str | None = None
    parent: int | None = None
    relation: str | None = None
    error: str | None = None  # why it failed, or (skipped) what the file is
    page: str | None = None  # the normalised page URL, when the capture has one
    version: int | None = None  # which version of that page it shows
    recapture: int | None = None  # for a re-capture of an unchanged version: the new capture's own id
    recleaned: list[int] | None = None  # earlier captures of the site re-cleaned: this add made a template
    redirected_from: str | None = None  # the URL as given, when fetching it was redirected to `url`


def utc(value: datetime) -> datetime:
    """A capture time as timezone-aware UTC (SQLite hands back naive UTC datetimes)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """A stored time as ISO 8601 in UTC, for JSON output."""
    return utc(value).isoformat() if value is not None else None
