"""Page versions: which captures of one page show the same version, numbered in capture order, and the
page_version rows kept to match (`page_refresh`). The rule is pure (`assign_versions`: texts that differ
only in whitespace, punctuation, a dateline or an update stamp are one version); its SQL is
`archiver.store.pages`. Re-assigned as a whole whenever a page gains a capture, so any add order gives the
same numbers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, select

from archiver.lineage.diff import word_diff
from archiver.store import tables
from archiver.store.pages import capture_versions_set, page_bodies, page_capture_rows, page_version_rows_put
from archiver.types import utc

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from archiver.store.tables import Reader


def page_captures(session: Reader, page_id: int) -> list[Row[Any]]:
    """A page's capture rows (every column) in page order (capture time, published, raw SHA-256)."""
    rows = list(session.execute(select(tables.capture).where(tables.capture.c.page_id == page_id)))
    return sorted(rows, key=lambda r: page_order_key(r.captured_at, r.published, r.blob_sha256))


def page_refresh(session: Session, page_id: int) -> dict[int, Assignment]:
    """Re-assign the versions of a page's captures and rewrite the page_version rows that changed.

    Only what differs is written: re-capturing a known version changes one page_version row (its count
    and last capture time) and the versions of the captures that moved, not the page's every row.
    """
    rows = page_capture_rows(session, page_id)
    bodies: dict[int, str] = {}

    def body_of(text_id: int) -> str:
        if not bodies:  # a page's texts are read together, once, and only when versions must be compared
            ids = sorted({r.text_id for r in rows})
            bodies.update(page_bodies(session, ids))
        return bodies[text_id]

    assignments = assign_versions(
        [PageCapture(r.id, r.text_id, r.captured_at, r.published, r.blob_sha256) for r in rows], body_of
    )
    by_id = {r.id: r for r in rows}
    moved = [(a.capture_id, a.version) for a in assignments if by_id[a.capture_id].version != a.version]
    capture_versions_set(session, moved)
    page_version_rows_put(session, page_id, _version_rows(assignments, by_id, body_of))
    return {a.capture_id: a for a in assignments}


_PUNCT = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    }
)


_DASHES = re.compile(r"\s*-{1,3}\s*")

_SPACE = re.compile(r"\s+")

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)


# "KABUL, Afghanistan (AP) - ", "WASHINGTON - ", "NEW YORK (Reuters) - ", "Aug. 8, 2021 - ": a wire
# dateline opening the first paragraph (forms seen in the AP/Reuters/NPR seed and aeb-dev texts).
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'\- ]{1,40}(?:,\s*[A-Z][\w.'\- ]{1,40}){0,2}\s*(?:\([\w .&]{2,30}\)\s*)?"
    rf"|{_MONTH}\s+\d{{1,2}}(?:,\s*\d{{4}})?\s*)-\s+"
)


# A paragraph that is only a date/update stamp: "Updated 5:32 PM ET, Sun August 8, 2021".
_STAMP_WORDS = re.compile(
    rf"^(?:(?:updated|published|posted|last|modified|on|at|am|pm|a\.m\.|p\.m\.|et|edt|est|ct|cdt|pt|pdt|gmt|utc"
    rf"|bst|cet|cest|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    rf"|{_MONTH.lower()}|\d{{1,4}}(?::\d\d)?(?:st|nd|rd|th)?|[,.:|/()-])\s*)+$"
)


STAMP_MAX_WORDS = 14  # longest update stamp in the aeb-dev texts is 11 tokens; a real sentence stays a version


def _is_stamp(paragraph: str) -> bool:
    lowered = paragraph.strip().lower()
    return (
        bool(lowered)
        and len(lowered.split()) <= STAMP_MAX_WORDS
        and any(ch.isdigit() for ch in lowered)
        and bool(_STAMP_WORDS.match(lowered))
    )


def boring_form(text: str) -> str:
    """The text with its boring differences taken out: equal forms mean the same version."""
    norm = unicodedata.normalize("NFKC", text).translate(_PUNCT)
    paragraphs = [p for p in re.split(r"\n\s*\n", norm) if p.strip() and not _is_stamp(p)]
    if paragraphs:
        paragraphs[0] = _DATELINE.sub("", _DASHES.sub(" - ", paragraphs[0].strip()), count=1)
    joined = " ".join(paragraphs)
    return _SPACE.sub(" ", _DASHES.sub(" - ", joined)).strip()


@dataclass(frozen=True)
class PageCapture:
    """What version assignment needs to know of one capture of a page."""

    capture_id: int
    text_id: int
    captured_at: datetime
    published: str | None
    blob_sha256: str


def page_order_key(captured_at: datetime, published: str | None, blob_sha256: str) -> tuple[Any, ...]:
    """Order of a page's captures: capture time, then published date, then raw-bytes SHA-256."""
    return (utc(captured_at).isoformat(), published or "", blob_sha256)


@dataclass(frozen=True)
class Assignment:
    """A capture's version number, and whether it is the first capture showing that version."""

    capture_id: int
    version: int
    first: bool
    boring_change: bool  # a re-capture whose text differs only in boring ways


def assign_versions(captures: Sequence[PageCapture], body_of: Callable[[int], str]) -> list[Assignment]:
    """Version numbers (1, 2, ...) for a page's captures, in page order.

    `body_of(text_id)` is asked only for texts that follow or precede another text in page order: a
    capture with the text of the capture before it shows that capture's form without computing it.
    """
    ordered = sorted(captures, key=lambda c: page_order_key(c.captured_at, c.published, c.blob_sha256))
    if len(ordered) == 1:  # a page's only capture is its version 1, whatever its form
        return [Assignment(ordered[0].capture_id, 1, True, False)]
    out: list[Assignment] = []
    forms: dict[int, str] = {}  # one text, one form: computed once per text, not per capture

    def form_of(text_id: int) -> str:
        if text_id not in forms:
            forms[text_id] = boring_form(body_of(text_id))
        return forms[text_id]

    version, previous, current_text = 0, None, None
    for c in ordered:
        # the previous capture's form is the current version's: the same text needs no comparison
        if previous is None or (c.text_id != previous and form_of(c.text_id) != form_of(previous)):
            version += 1
            current_text = c.text_id
            out.append(Assignment(c.capture_id, version, True, False))
        else:
            out.append(Assignment(c.capture_id, version, False, c.text_id != current_text))
        previous = c.text_id
    return out


def _version_rows(
    assignments: list[Assignment], by_id: dict[int, Any], body_of: Callable[[int], str]
) -> dict[int, tuple[object, ...]]:
    """The page_version row each version should have: first capture, captures, last capture time, and the
    words added and removed since the version before."""
    wanted: dict[int, tuple[object, ...]] = {}
    previous_body: str | None = None
    for a in assignments:
        if not a.first:
            continue
        members = [by_id[b.capture_id] for b in assignments if b.version == a.version]
        change = None
        if a.version > 1:
            body = body_of(by_id[a.capture_id].text_id)
            change = word_diff(previous_body, body) if previous_body is not None else None
            previous_body = body
        elif len(assignments) > len(members):  # a later version is diffed against this one
            previous_body = body_of(by_id[a.capture_id].text_id)
        wanted[a.version] = (
            a.capture_id,
            len(members),
            max(utc(m.captured_at) for m in members),
            change.words_added if change else None,
            change.words_removed if change else None,
        )
    return wanted
