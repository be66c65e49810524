"""Read side of versions: a page's history, and the word diff of two captures. Render formats them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from archiver.errors import NotFoundError
from archiver.lineage.diff import word_diff
from archiver.lineage.versions import page_captures
from archiver.read.resolve import capture_by_id, page_by_url, resolve_capture
from archiver.read.show import capture_brief
from archiver.store import tables
from archiver.store.captures import texts_get
from archiver.store.pages import page_versions
from archiver.types import iso

if TYPE_CHECKING:
    from archiver.store.engine import Archive

# Core reads on the archive's Core connection, as `show`: no sqlalchemy.orm (issue 23)


def _capture_summary(row: Any, text: Any) -> dict[str, Any]:
    return {
        **capture_brief(row),
        "captured_at": iso(row.captured_at),
        "published": row.published,
        "version": row.version,
        "words": text.words if text else 0,
    }


def history(archive: Archive, ref: str) -> dict[str, Any]:
    """Every version of the page of `ref` (a page URL or a capture id): when seen, words and headline changed."""
    with archive.connect() as session:
        page = None if ref.strip().isdigit() else page_by_url(session, ref)
        if page is None:
            row = resolve_capture(session, ref)
            if row.page_id is None:  # no URL: the capture is the only version we know
                text = texts_get(session, [row.text_id]).get(row.text_id)
                only = {
                    **_capture_summary(row, text),
                    "version": 1,
                    "words_added": None,
                    "words_removed": None,
                    "title_change": None,
                    "captures": [{"id": row.id, "captured_at": iso(row.captured_at), "title": row.title}],
                    "last_captured_at": iso(row.captured_at),
                }
                return {"page": None, "versions": [only], "captures": 1}
            page = session.execute(select(tables.page).where(tables.page.c.id == row.page_id)).first()
            assert page is not None
        rows = page_captures(session, page.id)
        texts = texts_get(session, {r.text_id for r in rows})
        versions: list[dict[str, Any]] = []
        previous_title: str | None = None
        for v in page_versions(session, page.id):
            head = capture_by_id(session, v.capture_id)
            assert head is not None
            members = [r for r in rows if r.version == v.version]
            versions.append(
                {
                    **_capture_summary(head, texts.get(head.text_id)),
                    "version": v.version,
                    "words_added": v.words_added,
                    "words_removed": v.words_removed,
                    "title_change": (
                        {"from": previous_title, "to": head.title}
                        if versions and previous_title != head.title
                        else None
                    ),
                    "captures": [
                        {"id": m.id, "captured_at": iso(m.captured_at), "title": m.title,
                         "same_text": m.text_id == head.text_id}
                        for m in members
                    ],
                    "last_captured_at": iso(v.last_captured_at),
                }
            )
            previous_title = head.title
        return {"page": {"id": page.id, "url": page.url}, "versions": versions, "captures": len(rows)}


def diff(archive: Archive, ref_a: str, ref_b: str | None = None) -> dict[str, Any]:
    """Word-level changes from capture A to capture B (B omitted: A against its page's previous version)."""
    with archive.connect() as session:
        a = resolve_capture(session, ref_a)
        if ref_b is None:
            b = a
            if a.page_id is None or not a.version or a.version < 2:
                raise NotFoundError(
                    f"capture #{a.id} has no earlier version to compare with",
                    hint="Give two captures: archive diff A B",
                )
            heads = {v.version: v.capture_id for v in page_versions(session, a.page_id)}
            previous = capture_by_id(session, heads[a.version - 1])
            assert previous is not None
            a = previous
        else:
            b = resolve_capture(session, ref_b)
        texts = texts_get(session, {a.text_id, b.text_id})
        text_a, text_b = texts[a.text_id].body, texts[b.text_id].body
        result = word_diff(text_a, text_b)
        return {
            "a": {**_capture_summary(a, texts[a.text_id]), "text": text_a},
            "b": {**_capture_summary(b, texts[b.text_id]), "text": text_b},
            "title_change": {"from": a.title, "to": b.title} if a.title != b.title else None,
            "words_added": result.words_added,
            "words_removed": result.words_removed,
            "changes": [
                {
                    "op": c.op,
                    "a": [c.a_start, c.a_end],
                    "b": [c.b_start, c.b_end],
                    "removed": c.removed,
                    "added": c.added,
                }
                for c in result.changes
            ],
        }
