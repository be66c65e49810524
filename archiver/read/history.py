"""Read side of versions: a page's history, and the word diff of two captures. Render formats them."""

from __future__ import annotations

from typing import Any

from archiver.errors import NotFoundError
from archiver.lineage.diff import word_diff
from archiver.lineage.versions import page_captures
from archiver.read.resolve import page_by_url, resolve_capture
from archiver.read.show import capture_brief
from archiver.store.captures import texts_get
from archiver.store.engine import Archive
from archiver.store.models import CaptureRow, Page, TextRow
from archiver.store.pages import page_versions
from archiver.types import iso


def _capture_summary(row: CaptureRow, text: TextRow | None) -> dict[str, Any]:
    return {
        **capture_brief(row),
        "captured_at": iso(row.captured_at),
        "published": row.published,
        "version": row.version,
        "words": text.words if text else 0,
    }


def history(archive: Archive, ref: str) -> dict[str, Any]:
    """Every version of the page of `ref` (a page URL or a capture id): when seen, words and headline changed."""
    with archive.session() as session:
        page = None if ref.strip().isdigit() else page_by_url(session, ref)
        if page is None:
            row = resolve_capture(session, ref)
            if row.page_id is None:  # no URL: the capture is the only version we know
                text = session.get(TextRow, row.text_id)
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
            page = session.get(Page, row.page_id)
            assert page is not None
        rows = page_captures(session, page.id)
        texts = texts_get(session, {r.text_id for r in rows})
        versions: list[dict[str, Any]] = []
        previous_title: str | None = None
        for v in page_versions(session, page.id):
            head = session.get(CaptureRow, v.capture_id)
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
    with archive.session() as session:
        a = resolve_capture(session, ref_a)
        if ref_b is None:
            b = a
            if a.page_id is None or not a.version or a.version < 2:
                raise NotFoundError(
                    f"capture #{a.id} has no earlier version to compare with",
                    hint="Give two captures: archive diff A B",
                )
            heads = {v.version: v.capture_id for v in page_versions(session, a.page_id)}
            previous = session.get(CaptureRow, heads[a.version - 1])
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
