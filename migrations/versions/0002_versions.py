"""versions: pages, page versions, full-text search, page_latest view

Revision ID: 0002
Revises: 0001

Adds the `page` and `page_version` tables and `capture.page_id` / `capture.version`; full-text
search over `text.body` (SQLite: the FTS5 table `text_fts`, kept in sync by triggers; PostgreSQL:
a GIN index on to_tsvector('simple', body)); the `page_latest` view. Existing captures with a URL
are put on their pages and numbered, and the families of pages with several captures re-derived,
so an archive from release 0001 answers `history` and `search` right after the upgrade.
"""
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from difflib import SequenceMatcher
from typing import Any, Sequence, Union
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Each migration keeps its own copy of the SQL it ran (see 0001).
PAGE_LATEST = """
CREATE VIEW page_latest AS
SELECT p.id AS page_id,
       p.url AS url,
       v.version AS version,
       v.capture_id AS capture_id,
       c.title AS title,
       c.text_id AS text_id,
       c.captured_at AS captured_at,
       v.last_captured_at AS last_captured_at,
       (SELECT COUNT(*) FROM capture a WHERE a.page_id = p.id) AS captures
FROM page p
JOIN page_version v ON v.page_id = p.id
 AND v.version = (SELECT MAX(w.version) FROM page_version w WHERE w.page_id = p.id)
JOIN capture c ON c.id = v.capture_id
"""

# unicode61 with diacritics folded: language-neutral word splitting (the archive holds en, de, fr,
# es, id... texts: a stemmer for one language would mis-stem the others). PostgreSQL's 'simple'
# configuration is its equivalent: lower-cased words, no stemming, no stop words.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE text_fts USING fts5(body, content='text', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER text_fts_insert AFTER INSERT ON text BEGIN "
    "INSERT INTO text_fts(rowid, body) VALUES (new.id, new.body); END",
    "CREATE TRIGGER text_fts_delete AFTER DELETE ON text BEGIN "
    "INSERT INTO text_fts(text_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
    "CREATE TRIGGER text_fts_update AFTER UPDATE OF body ON text BEGIN "
    "INSERT INTO text_fts(text_fts, rowid, body) VALUES ('delete', old.id, old.body); "
    "INSERT INTO text_fts(rowid, body) VALUES (new.id, new.body); END",
    "INSERT INTO text_fts(text_fts) VALUES ('rebuild')",
]
# A tsvector holds at most 1 MB: the index covers a text's first 200,000 characters (about 30,000 words,
# over 10x the longest aeb-dev article), which stays under that limit even when every word is distinct;
# a 20 MB page's text would otherwise make its capture impossible to store.
POSTGRES_FTS = (
    "CREATE INDEX ix_text_body_fts ON text USING gin (to_tsvector('simple'::regconfig, left(body, 200000)))"
)


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.create_table(
        "page",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_page")),
        sa.UniqueConstraint("url", name=op.f("uq_page_url")),
    )
    if sqlite:
        # ALTER TABLE ADD COLUMN, never a batch copy: re-creating `capture` with foreign keys on would
        # cascade-delete its chrome, credits and lineage edges.
        op.execute("ALTER TABLE capture ADD COLUMN page_id INTEGER REFERENCES page (id)")
        op.execute("ALTER TABLE capture ADD COLUMN version INTEGER")
    else:
        op.add_column("capture", sa.Column("page_id", sa.Integer(), nullable=True))
        op.add_column("capture", sa.Column("version", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_capture_page_id_page"), "capture", "page", ["page_id"], ["id"])
    op.create_index(op.f("ix_capture_page_id"), "capture", ["page_id"], unique=False)
    op.create_table(
        "page_version",
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("capture_id", sa.Integer(), nullable=False),
        sa.Column("captures", sa.Integer(), nullable=False),
        sa.Column("last_captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("words_added", sa.Integer(), nullable=True),
        sa.Column("words_removed", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["capture_id"], ["capture.id"], name=op.f("fk_page_version_capture_id_capture"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["page_id"], ["page.id"], name=op.f("fk_page_version_page_id_page"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("page_id", "version", name=op.f("pk_page_version")),
    )
    op.create_index(op.f("ix_page_version_capture_id"), "page_version", ["capture_id"], unique=False)
    if sqlite:
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        op.execute(POSTGRES_FTS)
    op.execute(PAGE_LATEST)

    _backfill(bind)


def downgrade() -> None:
    bind = op.get_bind()
    op.execute("DROP VIEW IF EXISTS page_latest")
    if bind.dialect.name == "sqlite":
        for name in ("text_fts_update", "text_fts_delete", "text_fts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS text_fts")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_text_body_fts")
    op.drop_index(op.f("ix_page_version_capture_id"), table_name="page_version")
    op.drop_table("page_version")
    op.drop_index(op.f("ix_capture_page_id"), table_name="capture")
    if bind.dialect.name == "sqlite":
        op.execute("ALTER TABLE capture DROP COLUMN version")  # SQLite >= 3.35
        op.execute("ALTER TABLE capture DROP COLUMN page_id")
    else:
        op.drop_constraint(op.f("fk_capture_page_id_page"), "capture", type_="foreignkey")
        op.drop_column("capture", "version")
        op.drop_column("capture", "page_id")
    op.drop_table("page")


# --- The data step, frozen: what release 0002's own code did to put old captures on pages. ---------------
# A migration never imports the application (its code moves and changes; this step must not): the page URL
# rule (archiver/sources/urls.py), the version rule (archiver/lineage/versions.py) and the word counts of
# the word diff (archiver/lineage/diff.py) as they were at this revision, and the lineage edges a page's
# versions get (archiver/lineage/edges.py `_version_edge`): a re-capture of a version is `identical` to its
# first capture, each later version a `revision` of the one before. Every other edge is left as it was.


def utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Query parameters that only track where a reader came from; never part of a page's identity.
# Collected from the campaign/click ids of Google, Meta, Microsoft, Mailchimp, Adobe and the
# share links of NYT/WaPo/Guardian/CNN pages (query strings seen in the aeb-dev page URLs).
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
        "_ga", "_gl", "ocid", "cmpid", "cmp", "smid", "smtyp", "sr_share", "ncid", "s_cid",
        "ito", "wt.mc_id", "wt_mc_id", "ref_src", "ref_url", "taid", "guccounter",
    }
)


TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_", "__hs")  # families: utm_source, at_medium, pk_campaign ...


DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _normalise_escapes(part: str, safe: str) -> str:
    """Decode escapes of characters that need none, re-encode the rest upper-case (RFC 3986 6.2.2)."""
    return quote(unquote(part), safe=safe)


def normalise_url(url: str | None) -> str | None:
    """The page-identity form of an http(s) URL, or None when it is not one.

    >>> normalise_url("HTTP://WWW.Example.com:80/a/b/?utm_source=x&id=3#top")
    'https://example.com/a/b?id=3'
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    host = host.removeprefix("www.")
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _normalise_escapes(parts.path, safe="/:@!$&'()*+,;=-._~") or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    )
    # http and https name the same page: sites moved to https without changing their pages.
    return urlunsplit(("https", netloc, path, urlencode(query), ""))


def page_url(canonical: str | None, captured_from: str | None) -> str | None:
    """The URL that names a capture's page: its declared canonical URL, else the URL it came from.

    A canonical URL is not trusted when it names a site's front page (some sites declare it on every
    article) or another site than the one the page was captured from (a syndicated copy pointing at
    the original: that is lineage, not the same page).
    """
    given = normalise_url(captured_from)
    if canonical:
        declared = normalise_url(urljoin(captured_from or "", canonical.strip()))
        front_page = declared is None or urlsplit(declared).path in ("", "/")
        if not front_page and (given is None or urlsplit(given).netloc == urlsplit(str(declared)).netloc):
            return declared
    return given


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


_TOKEN = re.compile(r"\w+(?:['’.\-]\w+)*|[^\w\s]", re.UNICODE)
_WORD = re.compile(r"\w", re.UNICODE)


def word_counts(a: str, b: str) -> tuple[int, int]:
    """Words added and removed from text a to text b (the word diff's counts)."""
    ta, tb = _TOKEN.findall(a), _TOKEN.findall(b)
    matcher = SequenceMatcher(None, ta, tb, autojunk=False)
    added = removed = 0
    for op_, i1, i2, j1, j2 in matcher.get_opcodes():
        if op_ != "equal":
            removed += sum(1 for t in ta[i1:i2] if _WORD.search(t))
            added += sum(1 for t in tb[j1:j2] if _WORD.search(t))
    return added, removed


def _time(value: Any) -> datetime:
    return utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _backfill(bind: sa.engine.Connection) -> None:
    """Put every capture with a URL on its page, number the versions, give versions their edges."""
    captures = bind.execute(sa.text(
        "SELECT id, url, canonical_url, text_id, captured_at, published, blob_sha256 FROM capture ORDER BY id"
    )).all()
    by_page: dict[int, list[Any]] = {}
    for row in captures:
        url = page_url(row.canonical_url, row.url)
        if url is None:
            continue
        page_id = bind.execute(sa.text("SELECT id FROM page WHERE url = :u"), {"u": url}).scalar()
        if page_id is None:
            page_id = bind.execute(sa.text("INSERT INTO page (url) VALUES (:u) RETURNING id"), {"u": url}).scalar_one()
        bind.execute(sa.text("UPDATE capture SET page_id = :p WHERE id = :c"), {"p": page_id, "c": row.id})
        by_page.setdefault(page_id, []).append(row)
    bodies: dict[int, str] = {}

    def body_of(text_id: int) -> str:
        if text_id not in bodies:
            bodies[text_id] = bind.execute(sa.text("SELECT body FROM text WHERE id = :t"), {"t": text_id}).scalar_one()
        return bodies[text_id]

    for page_id, rows in sorted(by_page.items()):
        by_id = {r.id: r for r in rows}
        assignments = assign_versions(
            [PageCapture(r.id, r.text_id, _time(r.captured_at), r.published, r.blob_sha256) for r in rows], body_of
        )
        for a in assignments:
            bind.execute(sa.text("UPDATE capture SET version = :v WHERE id = :c"), {"v": a.version, "c": a.capture_id})
        heads = {a.version: by_id[a.capture_id] for a in assignments if a.first}
        for version, head in sorted(heads.items()):
            members = [by_id[a.capture_id] for a in assignments if a.version == version]
            added = removed = None
            if version > 1:
                added, removed = word_counts(body_of(heads[version - 1].text_id), body_of(head.text_id))
            bind.execute(sa.text(
                "INSERT INTO page_version (page_id, version, capture_id, captures, last_captured_at, words_added,"
                " words_removed) VALUES (:p, :v, :c, :n, :last, :added, :removed)"
            ), {"p": page_id, "v": version, "c": head.id, "n": len(members),
                "last": max(_time(m.captured_at) for m in members), "added": added, "removed": removed})
        if len(rows) > 1:
            for a in assignments:
                _version_edge(bind, by_id[a.capture_id], a.version, heads)


def _version_edge(bind: sa.engine.Connection, child: Any, version: int, heads: dict[int, Any]) -> None:
    """The capture's edge inside its page: re-capture of its version, or revision of the version before."""
    head = heads[version]
    if head.id != child.id:
        why = "the same text" if child.text_id == head.text_id else "only whitespace, punctuation or the dateline changed"
        parent, relation, score = head, "identical", 1.0
        evidence = [f"re-capture of version {version} of this page (#{head.id}): {why}"]
    elif version > 1:
        parent = heads[version - 1]
        evidence = [
            f"version {version} of this page, captured {_time(child.captured_at).isoformat()[:19]} "
            f"after version {version - 1} (#{parent.id})"
        ]
        a, b = sorted((parent.text_id, child.text_id))
        match = bind.execute(sa.text("SELECT score, evidence FROM text_match WHERE text_a = :a AND text_b = :b"),
                             {"a": a, "b": b}).first()
        relation, score = "revision", 0.0
        if match is not None:
            score = round(match.score, 4)
            found = match.evidence if isinstance(match.evidence, dict) else json.loads(match.evidence or "{}")
            if found.get("summary"):
                evidence.append(f"{found['summary']} (#{parent.id})")
    else:
        return
    bind.execute(sa.text("DELETE FROM lineage_edge WHERE child_id = :c"), {"c": child.id})
    bind.execute(
        sa.table("lineage_edge", sa.column("child_id"), sa.column("parent_id"), sa.column("relation"),
                 sa.column("score"), sa.column("evidence", sa.JSON)).insert(),
        {"child_id": child.id, "parent_id": parent.id, "relation": relation, "score": score, "evidence": evidence},
    )
