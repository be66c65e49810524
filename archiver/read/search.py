"""Full-text search over clean texts: SQLite FTS5 (`text_fts`) or PostgreSQL tsvector + GIN index.

One query language on both backends, as in web search engines (PostgreSQL's websearch_to_tsquery):
words must all appear (any order, any case, accents ignored on SQLite); "quoted words" must appear
as a phrase; `OR` between two terms accepts either; a leading `-` excludes a word or phrase.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import text as sql

from archiver.errors import ArchiveError, UsageError
from archiver.store.captures import captures_of_texts, texts_get
from archiver.types import utc

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from archiver.store.engine import Archive

SEARCH_LIMIT = 20  # results shown by default: one screen of a terminal
SNIPPET_WORDS = 32  # words of context in a result's snippet: about two lines of a terminal
_TERM = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)

# The expression of the GIN index ix_text_body_fts (migration 0002), so the planner uses the index:
# a text's first 200,000 characters, because a tsvector holds at most 1 MB.
POSTGRES_DOCUMENT = "to_tsvector('simple'::regconfig, left(t.body, 200000))"


class SearchError(UsageError):
    """A query that cannot be searched (no word to find)."""

    hint = 'Give at least one word to find, e.g. archive search "bridge closed" -rumour'


@dataclass
class Query:
    """A parsed query: groups of alternatives that must all match, and excluded phrases."""

    groups: list[list[list[str]]] = field(default_factory=list)  # AND of (OR of phrases); a phrase is words
    excluded: list[list[str]] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        return [w for group in self.groups for phrase in group for w in phrase]


def parse_query(query: str) -> Query:
    """The query's terms: words and "phrases", OR between terms, -excluded terms."""
    parsed = Query()
    join_next = False
    for m in _TERM.finditer(query):
        negative = bool(m.group(1) or m.group(3))
        raw = m.group(2) if m.group(2) is not None else m.group(4)
        if m.group(4) == "OR" and parsed.groups:
            join_next = True
            continue
        words = _WORD.findall(raw)
        if not words:
            continue
        if negative:
            parsed.excluded.append(words)
        elif join_next:
            parsed.groups[-1].append(words)
        else:
            parsed.groups.append([words])
        join_next = False
    if not parsed.groups:
        raise SearchError(f"nothing to search for in {query!r}")
    return parsed


def fts5_expression(query: Query) -> str:
    """The query in SQLite FTS5 syntax; every term is a quoted phrase, so no user text is an operator."""

    def phrase(words: list[str]) -> str:
        return '"' + " ".join(words) + '"'

    positive = " AND ".join("(" + " OR ".join(phrase(p) for p in group) + ")" for group in query.groups)
    if query.excluded:
        return f"({positive}) NOT (" + " OR ".join(phrase(p) for p in query.excluded) + ")"
    return positive


def _matching_texts(session: Connection, query: str, limit: int) -> list[tuple[int, float]]:
    dialect = session.dialect.name
    if dialect == "sqlite":
        rows = session.execute(
            sql(
                "SELECT rowid, bm25(text_fts) AS rank FROM text_fts WHERE text_fts MATCH :q "
                "ORDER BY rank, rowid LIMIT :n"
            ),
            {"q": fts5_expression(parse_query(query)), "n": limit},
        ).all()
        return [(int(r[0]), round(-float(r[1]), 4)) for r in rows]
    if dialect == "postgresql":
        parse_query(query)  # the same refusal of a query with nothing to find
        rows = session.execute(
            sql(
                f"SELECT t.id, ts_rank({POSTGRES_DOCUMENT}, q) AS rank "
                "FROM text t, websearch_to_tsquery('simple'::regconfig, :q) q "
                f"WHERE {POSTGRES_DOCUMENT} @@ q ORDER BY rank DESC, t.id LIMIT :n"
            ),
            {"q": query, "n": limit},
        ).all()
        return [(int(r[0]), round(float(r[1]), 4)) for r in rows]
    raise ArchiveError(f"full-text search is not available on {dialect}")


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s.lower()) if not unicodedata.combining(c))


def snippet(body: str, words: list[str]) -> tuple[str, list[list[int]]]:
    """About SNIPPET_WORDS words where most of the query's words meet, and the [start, end] of each in it."""
    wanted = {_fold(w) for w in words}
    tokens = list(_WORD.finditer(body))
    if not tokens:
        return "", []
    folded = [_fold(t.group()) for t in tokens]
    best, lo = (-1, -1), 0
    for i in (i for i, w in enumerate(folded) if w in wanted):
        start = max(0, i - SNIPPET_WORDS // 3)
        window = folded[start : start + SNIPPET_WORDS]
        score = (len(wanted.intersection(window)), sum(w in wanted for w in window))
        if score > best:
            best, lo = score, start
    hi = min(len(tokens), lo + SNIPPET_WORDS)
    start, end = tokens[lo].start(), tokens[hi - 1].end()
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(tokens) else ""
    text = prefix + " ".join(body[start:end].split()) + suffix
    marks = [[m.start(), m.end()] for m in _WORD.finditer(text) if _fold(m.group()) in wanted]
    return text, marks


def search(archive: Archive, query: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Texts matching the query, best first, each with its captures and a snippet."""
    words = parse_query(query).words
    with archive.connect() as session:  # Core only: `search` never imports sqlalchemy.orm (issue 23)
        found = _matching_texts(session, query, limit)
        texts = texts_get(session, [t for t, _ in found])
        results = []
        for text_id, score in found:
            rows = captures_of_texts(session, [text_id])
            if not rows:
                continue
            first = rows[0]
            snip, marks = snippet(texts[text_id].body, words)
            results.append(
                {
                    "id": first.id,
                    "title": first.title,
                    "site_name": first.site_name,
                    "url": first.url or first.canonical_url,
                    "published": first.published,
                    "captured_at": utc(first.captured_at).isoformat(),
                    "version": first.version,
                    "text_id": text_id,
                    "captures": [r.id for r in rows],
                    "score": score,
                    "snippet": snip,
                    "matches": marks,
                }
            )
        return results
