"""Plain-text cleaner: a page's text dump -> Article (story paragraphs, metadata, removed chrome).

The dump may come from a browser's select-all-copy, lxml ``text_content()`` or a scraper: page chrome,
titles, bylines, captions, share buttons, promos, bios and footers mixed with the story, possibly
hard-wrapped.  Lines are re-joined into units, every unit gets features (length, sentence shape,
stopword density, title case, chrome vocabularies), the story is the best-scoring contiguous run of
prose units, and the header / footer zones around it are read for metadata and swept for bios,
credit lines and taglines.  Every removed piece is kept as ``Chrome(text, reason)``.
"""

from __future__ import annotations

import re
from collections import Counter
import statistics
import unicodedata

from archiver.clean.textfeatures import (
    BYLINE_RE,
    DATE_LEAD_RE,
    Unit,
    text_date,
    text_ends_abbrev,
    text_ends_sentence,
    text_has_photo_credit,
    text_is_agency_credit,
    text_is_comment_mark,
    text_is_comments_start,
    text_is_copyright,
    text_is_legal,
    text_is_promo,
    text_is_share,
    text_is_teaser,
    text_is_ui,
    text_detect_language,
    text_stop_share,
    text_stoplist,
    text_strip_time,
    text_unit,
    text_words,
)
from archiver.types import Article, Chrome

# a unit with at least this many words that ends like a sentence is prose (calibrated on aeb-dev)
GOOD_MIN_WORDS = 8
# prose without final punctuation must be this long (lxml dumps glue paragraphs; aeb-dev)
GOOD_LONG_WORDS = 25
# prose has at least this stopword density (aeb-dev grid 0.12/0.18/0.24; English prose 0.3-0.5, menus < 0.15)
GOOD_MIN_STOP = 0.24
# a page whose words are under this share stopwords is not measured by stopword density at all (aeb-dev:
# Japanese and Korean pages and a page of sports results score < 0.05, prose pages 0.2-0.5)
PAGE_MIN_STOP = 0.08
# a headline glued to a date header has at most this many words (003: 12; 004's lede: 31)
HEADLINE_MAX_WORDS = 16
# a hard-wrapped line is at least this share of the wrap width (001: wrapped lines 179-190 chars)
WRAP_MIN_SHARE = 0.8
# a wrapped prose line is not title case (001 prose <= 0.5; its glued header line 0.9)
WRAP_MAX_TITLECASE = 0.6
# captions are at most this long (aeb-dev / seeds captions < 70 words)
CAPTION_MAX_WORDS = 80

# legal / cookie boilerplate paragraphs are at most this long (aeb-dev footers 20-120 words)
LEGAL_MAX_WORDS = 150
# promo lines ("Subscribe ...", "Click here ...") are short (aeb-dev promos <= 30 words)
PROMO_MAX_WORDS = 30
# a comment section only counts after this many words of prose (aeb-dev: shortest story ~60 words)
COMMENTS_MIN_PROSE = 40
# a comment-section header is the thread's only when a commenter line, a reply button or the comment form
# follows before this much prose, and a second within this many lines (wcxb-dev dumps: WordPress threads
# put "X says:" 1-3 lines after the header, the form's notices 1-4 lines after "Leave a Reply", Slashdot
# its first "Reply to This" 17 lines and ~30 words of prose after "87 Comments"; a story after a
# header-zone "33 Comments" link runs hundreds of words before any such line)
COMMENTS_MARK_MAX_PROSE = 120
COMMENTS_MARKS = 2  # one timestamp line may be the story's own ("Updated March 3, 2020 4:15 pm")
COMMENTS_MARK_MAX_LINES = 40

# only lines this long are split at every lowercase-to-capital join (aeb-dev lxml dumps glue whole
# articles into 1,000-5,000 char lines; hard-wrapped text like seed 001 stays under 200; even-page grid
# 300/400/600: lxml 0.893/0.889/0.886, inscriptis 0.905/0.906/0.906)
GLUED_MIN_CHARS = 300
_GLUE_RE = re.compile(
    r"(?<=[a-z]{3})(?=[A-Z][a-z])|(?<=[a-z0-9)][.!?])(?=[A-Z](?:[a-z]{2}|[A-Z]))"
    r"|(?<=[.!?][\"”’])(?=[A-Z])"
)
# a sentence end run into a capitalised word with no space ("...in May.Related"): two blocks glued by a
# renderer that adds no newline between elements (lxml text_content); aeb-dev inscriptis dumps hold at
# most 2 per 10,000 chars, lxml dumps up to 44, so it is split at any line length
_SENTENCE_GLUE_RE = re.compile(r"(?<=[a-z0-9)][.!?])(?=[A-Z][a-z]{2})|(?<=[a-z][.!?][\"”’])(?=[A-Z][a-z])")
# joins inside a unit: lowercase or a closing bracket run into a capital ("newsRANDY", "(185)Myles")
_JOIN_RE = re.compile(r"(?<=[a-z]{2})(?=[A-Z])|(?<=[a-z0-9][)])(?=[A-Z])")
# a mixed-case word ("PageRank", "YouTube") the text uses this often is a name, never split as a join: a
# renderer's glue runs two different blocks together once (Clough dev orig_taskb: "PageRank" 20 times, its
# paragraphs were cut at each; inscriptis dumps of aeb-dev and wcxb-dev: word F1 unchanged, see
# docs/calibration.md#plain-text-cleaning)
CAMEL_NAME_MIN_COUNT = 2
_CAMEL_WORD_RE = re.compile(r"\b[A-Za-z]*[a-z][A-Z][A-Za-z]*\b")
# a unit with a join every fewer than this many words is a glued list of links or headlines, split at
# every join (aeb-dev even pages, grid 6/10/15/20; prose with brand names like "YouTube" has one join
# per 30+ words)
GLUED_LIST_MAX_WORDS_PER_JOIN = 15
# runs of 2+ spaces inside a line this long are block boundaries: lxml keeps the whitespace between
# elements as spaces (aeb-dev even pages: lxml F1 +0.005, inscriptis unchanged; prose rarely runs over 200
# chars before a double space after a full stop, which only splits it into sentences)
BLOCK_SPACES_MIN_CHARS = 200
_BLOCK_SPACES_RE = re.compile(r"[ \t]{2,}")
# text counts as hard-wrapped only with this many definite continuations of a near-constant width (seed
# 001: 7 at 186 chars, spread 0.04; aeb-dev dumps: at most 3 at a consistent width, else spread >= 0.5)
WRAP_MIN_CONTINUATIONS = 4
WRAP_MAX_SPREAD = 0.2
_RELATIVE_TIME_RE = re.compile(
    r"^(?:posted |updated |published )?(?:\d+|an?|one)\s+"
    r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b|"
    r"^(?:yesterday|today) at \d",
    re.IGNORECASE,
)
# repeated lines shorter than this are chrome (aeb-dev: recurring related-link headlines <= 20 words)
REPEAT_MAX_WORDS = 25
# span scoring: a chrome unit costs at least this, a short non-sentence line this (aeb-dev grid)
CHROME_MIN_PENALTY = 8.0
SHORT_PENALTY = 12.0  # aeb-dev even pages, grid 2/4/6/8/10/12/16/24 once glued blocks are split: best 12
# list bullets; "o " is inscriptis' third-level bullet ("o Tax Operations"), only before a capital or digit
_BULLET_RE = re.compile(r"^(?:[*+•·▪►◦‣-]|\d{1,2}[.)]|o(?=\s+[A-Z0-9]))\s+")
_SPACE_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]+")
_SENT_SPLIT_RE = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
_PIPE_TITLE_RE = re.compile(r"^(.+?)\s+[|]\s+(.+)$")
_ROLE_RE = re.compile(
    r"\b(?:reporter|correspondent|editor|writer|producer|journalist|columnist|contributor|host|"
    r"anchor|author|freelancer?|staff|fellow|intern|critic|photographer|analyst|bureau chief)\b",
    re.IGNORECASE,
)
_BIO_START_RE = re.compile(
    r"^(?:(?:[A-Z][\w.'’-]+\s+){1,3}(?:is|was|has been|covers|writes|reports|joined)\b|"
    r"(?i:originally from|before joining|prior to joining|(?:he|she|they) (?:joined|has|is|was))\b)"
)
_BIO_NAME_RE = re.compile(
    r"^((?:[A-Z][\w'’-]+\s+){1,2}[A-Z][\w'’-]+)\s+(?:is|was|has been|covers|writes|reports|joined)\b"
)
_CREDIT_LINE_RE = re.compile(
    r"\breported from\b|\bcontributed (?:reporting|to this (?:report|story|article))|"
    r"^(?:additional )?reporting by\b|^(?:writing|editing|edited|compiled|produced) by\b|"
    r"\bcontributed\.$",
    re.IGNORECASE,
)
# an author box's header: "About Brigit Katz", "Sobre Carlos Nadalim", "Über Anna Schmidt"
_ABOUT_AUTHOR_RE = re.compile(
    r"^(?i:about|sobre|über|à propos de|a proposito di|tentang|об авторе:?)\s+(?i:the author:?\s+)?"
    r"(?:[A-Z][\w'’.-]+\s+){1,3}[A-Z][\w'’-]+$"
)
_TAGLINE_FUNC = {"from", "of", "the", "and", "by", "on", "at", "in", "for", "to", "with", "&", "a"}
_BYLINE_STOP = re.compile(
    r"\s+(?:Published|Updated|Last|Posted|On|In|For|Staff|Reporter|Correspondent|Editor|Contributor|"
    r"Jan\w*|Feb\w*|Mar\w*|Apr\w*|May|June?|July?|Aug\w*|Sep\w*|Oct\w*|Nov\w*|Dec\w*)\b.*$"
)


def clean_text(text: str) -> Article:
    """Clean a plain-text page dump into an Article (extractor="text"; credits left empty)."""
    language = text_detect_language(text)
    # the stoplist measures prose only where the page has some: a page of scores and names ("Palm Bay
    # (1-0): Tolivert 25 points.") has next to no function words in any line
    lang = language if text_stop_share(text, language) >= PAGE_MIN_STOP else None
    lines = _text_lines(text)
    raw_units = _text_join_wrapped(lines, lang)
    units = [text_unit(u, lang) for u in raw_units]
    chrome: list[Chrome] = []
    meta: dict[str, str | None] = {"title": None, "byline": None, "site_name": None, "published": None}
    reasons: list[str | None] = [None] * len(units)

    _text_pipe_title(units, reasons, meta)
    units = _text_date_header(units, reasons, meta, lang, chrome)
    _text_mark_duplicates(units, reasons)
    seen: dict[str, int] = {}
    for i, u in enumerate(units):
        if reasons[i] != "duplicate":
            seen[_fold(u.text)] = seen.get(_fold(u.text), 0) + 1
    repeated = [seen.get(_fold(u.text), 0) > 1 and u.words < REPEAT_MAX_WORDS for u in units]
    for i, u in enumerate(units):
        if reasons[i] is None:
            reasons[i] = _text_chrome_reason(u, meta)
        if reasons[i] is None and repeated[i]:
            reasons[i] = "repeat"  # menus, related links and share bars recur; story lines do not
    _text_mark_related_blocks(units, reasons)
    _text_mark_credited_captions(units, reasons)
    cut = _text_comments_cut(units, reasons)
    start, end, topic = _text_story_span(units[:cut], reasons, lang)
    end = _text_posts_cut(units, reasons, start, end)
    _text_keep_inner_repeats(units, reasons, start, end, topic)
    spans = _text_join_spans(units, reasons, _text_more_spans(units[:cut], reasons, start, end, topic))
    _text_keep_story_legal(units, reasons, spans)
    records = [_text_record_tail(units, reasons, spans[-1][1], cut), _text_record_head(units, reasons, spans[0][0])]

    kept: list[int] = []
    for i, u in enumerate(units):
        if any(a <= i <= b for a, b in records) and reasons[i] in (None, "repeat") and u.words:
            reasons[i] = None  # a record of the catalogue the story introduces (`_text_record_tail`)
            kept.append(i)
            continue
        if reasons[i] is not None:
            continue
        inside = any(a <= i <= b for a, b in spans)
        if inside and (_text_is_good(u) or _text_keep_short(units, reasons, i)):
            kept.append(i)
        else:
            reasons[i] = (
                "comments" if i >= cut else "short-fragment" if inside or start <= i <= end else "navigation"
            )
    _text_drop_copies(units, reasons, kept)
    _text_drop_excerpt_cards(units, reasons, kept)
    _text_drop_cookie_panel(units, reasons, kept)
    _text_header_meta(units, reasons, meta, kept[0] if kept else len(units))
    kept = [i for i in kept if reasons[i] is None]
    paragraphs = [units[i].text for i in kept]
    tail_chrome = _text_sweep_footer(paragraphs, meta)

    chrome.extend(Chrome(u.text, r) for u, r in zip(units, reasons, strict=True) if r is not None)
    chrome.extend(tail_chrome)
    return Article(
        paragraphs=paragraphs,
        title=meta["title"],
        byline=meta["byline"],
        site_name=meta["site_name"],
        published=meta["published"],
        language=language,
        chrome=chrome,
        extractor="text",
    )


def _text_lines(text: str) -> list[str]:
    """Normalised lines; '' marks a blank line."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    pieces: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        pieces.extend(_BLOCK_SPACES_RE.split(stripped) if len(stripped) >= BLOCK_SPACES_MIN_CHARS else [line])
    for line in pieces:
        line = _SPACE_RE.sub(" ", line).strip()
        line = _BULLET_RE.sub("", line).strip() if len(line) > 2 else line
        out.append(line)
    return out


def _text_split_glued(line: str, names: frozenset[str] = frozenset()) -> list[str]:
    """Split a very long line where blocks were glued without a space ("physical.You", "healthAnalysis").

    `names`: mixed-case words the text uses more than once ("PageRank", "YouTube"): a word, not a join."""
    held = [(m.start(), m.end()) for m in _CAMEL_WORD_RE.finditer(line) if m.group(0) in names] if names else []
    out: list[str] = []
    for start, part in _split_at(_SENTENCE_GLUE_RE, line, []):
        if not part.strip():
            continue
        inner = [(a - start, b - start) for a, b in held]
        pieces = [p for _, p in _split_at(_JOIN_RE, part, inner)]
        joins = len(pieces) - 1
        if joins >= 2 and len(part.split()) / joins < GLUED_LIST_MAX_WORDS_PER_JOIN:
            out.extend(p.strip() for p in pieces if p.strip())
        elif len(part) >= GLUED_MIN_CHARS:
            out.extend(p.strip() for _, p in _split_at(_GLUE_RE, part, inner) if p.strip())
        else:
            out.append(part.strip())
    return out


def _split_at(pattern: re.Pattern[str], text: str, held: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """`text` split at the pattern's (empty) matches, except inside the held spans: (offset, piece) pairs."""
    cuts = [m.start() for m in pattern.finditer(text) if not any(a < m.start() < b for a, b in held)]
    return [(a, text[a:b]) for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]


def _text_camel_names(text: str) -> frozenset[str]:
    """Mixed-case words that occur twice or more in the text: names ("PageRank"), not blocks glued by a renderer,
    which run two different blocks' last and first words together once."""
    counts = Counter(_CAMEL_WORD_RE.findall(text))
    return frozenset(w for w, n in counts.items() if n >= CAMEL_NAME_MIN_COUNT)


def _text_join_wrapped(lines: list[str], lang: str | None) -> list[str]:
    """Units = non-empty lines, with hard-wrapped lines re-joined into their paragraphs."""
    names = _text_camel_names("\n".join(lines))
    rows = [part for ln in lines if ln for part in _text_split_glued(ln, names)]
    # definite continuations: a line without final punctuation followed by a lowercase start
    cont = [
        len(a)
        for a, b in zip(rows, rows[1:], strict=False)
        if len(a) >= 40 and not text_ends_sentence(a) and b[:1].islower()
    ]
    width = _text_wrap_width(cont)
    units: list[str] = []
    joining = False
    for row in rows:
        if joining and units:
            units[-1] = units[-1] + " " + row
        else:
            units.append(row)
        joining = _text_wraps(units[-1], row, width, lang)
    return units


def _text_wrap_width(continuations: list[int]) -> float | None:
    """The hard-wrap width, when enough definite continuations share one (else the text is not wrapped)."""
    if len(continuations) < WRAP_MIN_CONTINUATIONS:
        return None
    ordered = sorted(continuations)
    width = statistics.median(ordered)
    spread = (ordered[3 * len(ordered) // 4] - ordered[len(ordered) // 4]) / width
    return width if spread <= WRAP_MAX_SPREAD else None


def _text_wraps(unit: str, row: str, width: float | None, lang: str | None) -> bool:
    """Whether the row (last line of unit) continues on the next line."""
    if width is None or len(row) < WRAP_MIN_SHARE * width:
        return False
    if text_ends_sentence(row) and not text_ends_abbrev(row):
        return False
    if row.endswith(")") and text_has_photo_credit(row):
        return False  # a caption ends with its credit
    return text_unit(row, lang).titlecase < WRAP_MAX_TITLECASE


def _text_is_good(u: Unit) -> bool:
    """Prose: long enough, sentence-shaped, with function words."""
    if u.alpha < 0.5:
        return False
    if u.stop is not None and u.stop < GOOD_MIN_STOP:
        return False
    return (u.words >= GOOD_MIN_WORDS and u.sentence) or u.words >= GOOD_LONG_WORDS


def _text_chrome_reason(u: Unit, meta: dict[str, str | None]) -> str | None:
    """The generic chrome rule a unit matches, or None."""
    t = u.text
    title = meta["title"]
    if title and _fold(title) == _fold(t):
        return "title-repeat"
    if text_is_share(t):
        return "share-buttons"
    if text_is_ui(t) and u.words <= 8:
        return "player" if re.search(r"\d:\d\d|play|listen|audio|loading|radio", t, re.I) else "navigation"
    if text_is_copyright(t):
        return "copyright"
    if u.words <= CAPTION_MAX_WORDS and text_has_photo_credit(t):
        return "caption"
    if u.words <= LEGAL_MAX_WORDS and text_is_legal(t):
        return "legal"
    if u.words <= PROMO_MAX_WORDS and text_is_promo(t):
        return "promo"
    if u.words <= 80 and text_is_teaser(t):
        return "teaser"
    if u.words <= 12 and not u.sentence and _text_date_only(t):
        return "date-header"
    if reason := _text_time_or_byline(u):
        return reason
    if title and u.words <= 60 and _fold(title) in _fold(t) and not u.sentence:
        return "title-repeat"
    return None


# a line opening with "By <Name>" and carrying a date, a reading time or a "·" / "|" separator is a byline
# wherever it stands (a byline line under the headline inside the story's first run was kept as a short
# line); both sets' inscriptis dumps: wcxb-dev 0.92455 -> 0.92456 (halves 0.93000 / 0.91908 -> 0.93001 /
# 0.91909; 9 pages up, 4677 down 0.004), aeb-dev 0.93116 -> 0.93132 (3f65af7b, b6906ca0). A bare "By
# <Name>" line too is not kept as a rule: on wcxb-dev its truths keep "By Functionality", "By Audience"
# (subheads) and some authors' names. Reading-time lines ("11 min read") alone as chrome: wcxb-dev 0.92450,
# the even half down (0.93000 -> 0.92989), not kept
BYLINE_LINE_MAX_WORDS = 20
_READ_TIME_RE = re.compile(r"\b\d+\s*(?:min(?:ute)?s?)\.?\s+read\b", re.IGNORECASE)
_META_SEP_RE = re.compile(r"[·⋅|—]")


def _text_time_or_byline(u: Unit) -> str | None:
    """A relative time line ("3 hours ago") or a byline line with a date, reading time or separator."""
    if u.words <= 8 and _RELATIVE_TIME_RE.search(u.text):
        return "timestamp"
    if u.words <= BYLINE_LINE_MAX_WORDS and BYLINE_RE.match(u.text) and (
        text_date(u.text) or _READ_TIME_RE.search(u.text) or _META_SEP_RE.search(u.text)
    ):
        return "byline"  # "By Kyle Howells 15 min read", "by Emily Baron Cadloff · October 10, 2021"
    return None


def _text_date_only(t: str) -> bool:
    """A line that is a date (plus time / 'Published' words) and little else."""
    found = text_date(t)
    if not found:
        return False
    rest = DATE_LEAD_RE.sub("", t[: found[1]]) + " " + text_strip_time(t[found[2] :])
    return len(text_words(rest)) <= 3


def _text_pipe_title(units: list[Unit], reasons: list[str | None], meta: dict[str, str | None]) -> None:
    """A leading 'Title | Site - tagline' line gives title and site name."""
    for i, u in enumerate(units[:12]):
        m = _PIPE_TITLE_RE.match(u.text)
        if not m or u.sentence and u.words > 30 or u.text.count("|") >= 2:  # 2+ bars: a menu
            continue
        head, tail = m[1].strip(), m[2].strip()
        if _text_is_nav_line(head) or _text_is_nav_line(tail):
            continue  # "« Previous post | Main", "▲ S&P 500 +194% | ▲ ..."
        if len(text_words(head)) >= 4 and len(text_words(tail)) <= 10:
            meta["title"] = head
            meta["site_name"] = re.split(r"\s+[-–—|:]\s+", tail)[0].strip()
        elif len(text_words(head)) <= 2 and len(text_words(tail)) >= 4:
            meta["title"] = tail
        else:
            continue
        reasons[i] = "title"
        for j in range(i + 1, len(units)):
            if _fold(units[j].text) == _fold(u.text):
                reasons[j] = "title-repeat"
        return


def _text_date_header(
    units: list[Unit], reasons: list[str | None], meta: dict[str, str | None], lang: str | None,
    chrome: list[Chrome],
) -> list[Unit]:
    """A leading 'date 2021-08-08 ...' line: published, plus a glued headline (title) or lede (body)."""
    for i, u in enumerate(units[:12]):
        if reasons[i] is not None:
            continue
        if _text_is_good(u) and not DATE_LEAD_RE.match(u.text):
            return units  # the story started: no date header
        lead = DATE_LEAD_RE.match(u.text)
        found = text_date(u.text)
        if not found or (not lead and found[1] > 0) or (lead and found[1] > lead.end() + 2):
            continue
        meta["published"] = meta["published"] or found[0]
        rest = text_strip_time(u.text[found[2] :])
        if not text_words(rest) or _text_is_nav_line(rest):  # "Dec 19, 2025 · 12 min read"
            reasons[i] = "date-header"
            return units
        rest_unit = text_unit(rest, lang)
        following = next((v for v in units[i + 1 :] if _text_is_good(v)), None)
        is_headline = rest_unit.words <= HEADLINE_MAX_WORDS and (
            following is None or following.words > rest_unit.words
        ) and len(_SENT_SPLIT_RE.split(rest)) == 1
        if is_headline:
            meta["title"] = meta["title"] or rest.rstrip()
            reasons[i] = "title"
            chrome.append(Chrome(u.text[: found[2]].strip(), "date-header"))
            units = list(units)
            units[i] = text_unit(rest, lang)
        else:
            chrome.append(Chrome(u.text[: found[2]].strip(), "date-header"))
            units = list(units)
            units[i] = rest_unit
        return units
    return units


# a line of at least this many words right above a short photo credit naming an agency ("Photo: Hau Dinh, AP",
# "Natalie Naccache | Bloomberg | Getty Images": at most CREDIT_MAX_WORDS) is that photo's caption, though it
# reads as prose (aeb-dev db6b0816, 374ac9a5: 36-50-word captions kept as the story's first paragraphs). A
# credit without an agency ("Source: statista.com", "Credit: Reviewed / X") follows the story's paragraphs on
# guides (wcxb-dev 0261, 4430), and a plant's name over its photo is a heading (wcxb-dev 4708: 3-6 words).
# Both sets' inscriptis dumps: wcxb-dev word F1 0.92271 -> 0.92271 (even / odd 0.92917 / 0.91623 -> 0.92914 /
# 0.91627), aeb-dev 0.9284 -> 0.9311 (0.9011 / 0.9563 -> 0.9013 / 0.9615); any credit: wcxb-dev 0.9223, aeb-dev
# 0.9312; agency credits of up to 10 words: aeb-dev 0.9306; captions of any length: wcxb-dev 0.92269
CAPTION_MIN_WORDS = 8
CREDIT_MAX_WORDS = 6


def _text_mark_credited_captions(units: list[Unit], reasons: list[str | None]) -> None:
    """A line right above a short agency photo credit is the photo's caption."""
    for i in range(len(units) - 1):
        credit = units[i + 1]
        if (
            reasons[i] is None and reasons[i + 1] == "caption" and credit.words <= CREDIT_MAX_WORDS
            and text_is_agency_credit(credit.text) and CAPTION_MIN_WORDS <= units[i].words <= CAPTION_MAX_WORDS
        ):
            reasons[i] = "caption"


# a run of up to this many lines followed at once by the same lines is one block rendered twice (carousel
# clones, a mobile and a desktop copy of the same card; wcxb-dev dumps: runs of 1-6 lines)
DUPLICATE_MAX_RUN = 12


def _text_mark_duplicates(units: list[Unit], reasons: list[str | None]) -> None:
    """The second copy of a run of lines that is repeated straight after itself is a rendering duplicate."""
    for j in text_second_copies([_fold(u.text) for u in units]):
        reasons[j] = reasons[j] or "duplicate"


def text_second_copies(keys: list[str], min_words: int = 0) -> list[int]:
    """Indexes of the second copy of each run of up to DUPLICATE_MAX_RUN keys repeated straight after itself
    (the first copy stays to be judged), the run holding at least `min_words` words; shared by the plain-text
    cleaner's lines and the HTML cleaner's body blocks (`html_rules`)."""
    out: list[int] = []
    i = 0
    while i < len(keys):
        for k in range(1, DUPLICATE_MAX_RUN + 1):
            if (
                i + 2 * k <= len(keys) and keys[i : i + k] == keys[i + k : i + 2 * k]
                and sum(len(x.split()) for x in keys[i : i + k]) >= min_words
            ):
                out.extend(range(i + k, i + 2 * k))
                i += k  # go on from the second copy
                break
        i += 1
    return out


# a run of at least this many consecutive kept lines, each the text of an earlier kept line, with at least one
# line of COPY_LONG_WORDS+ words, is the story rendered a second time (a hidden markdown or print copy, a
# review carousel cloned in another order); wcxb-dev dumps, grid (run lines, long lines) 2/1, 3/1, 3/2, 4/2:
# 0.92455 / 0.92426 / 0.92447 / 0.92418 from 0.92311, aeb-dev unchanged at each; asking the copies to be in
# the same order as the first: 0.92431 (2/1). Every long copy dropped, in a run or not: wcxb-dev 0.92449 but
# aeb-dev 0.93116 -> 0.93097 (a pull quote repeats one paragraph, and its truth keeps both)
COPY_RUN_LINES = 2
COPY_LONG_WORDS = 25


def _text_drop_copies(units: list[Unit], reasons: list[str | None], kept: list[int]) -> None:
    """A run of kept lines each of which repeats a line kept before is the story's second rendering."""
    seen: set[str] = set()
    copy: list[bool] = []
    for i in kept:
        key = _fold(units[i].text)
        copy.append(key in seen)
        seen.add(key)
    pos = 0
    while pos < len(kept):
        end = pos
        while end < len(kept) and copy[end]:
            end += 1
        run = kept[pos:end]
        if len(run) >= COPY_RUN_LINES and any(units[i].words >= COPY_LONG_WORDS for i in run):
            for i in run:
                reasons[i] = "duplicate"
        pos = end + 1


# a card of another post: a headline (EXCERPT_HEADLINE_WORDS words, not ending in "." or ":") and, within 2
# lines, its excerpt cut short (EXCERPT_MIN_WORDS+ words ending in "...", "…" or "[…]", a "Read more" link after
# it or not: wcxb-dev 4667 +0.05, no other page changed). At least EXCERPT_MIN_CARDS
# such cards, each headline within EXCERPT_MAX_GAP lines after the last excerpt, are a list of other posts
# inside the story (a blog's "recent posts" under its article). Both sets' inscriptis dumps (wcxb-dev 0.92664,
# aeb-dev 0.93824 before), over the kept lines: (excerpt words, cards, gap) 20/2/2 -> wcxb-dev 0.92748 (halves
# 0.93371 / 0.91956 -> 0.93407 / 0.92087; 13 pages up, 4524 +0.20, 0272 +0.10, none down), aeb-dev 0.93930
# (b3c19dd5 +0.10); 15/2/3 -> 0.92715 (4362 -0.20: an events page whose truth keeps its cards), 25/2/2 ->
# 0.92740, 30/2/2 -> 0.92733, 20/3/2 -> 0.92728 (aeb-dev unchanged), one card enough -> 0.92698; a line
# ending in "..." alone (without the headline and the second card) is as often the truth's as not (wcxb-dev:
# 3,567 words of such kept lines in the truth, 2,725 not)
EXCERPT_MIN_WORDS = 20
EXCERPT_HEADLINE_WORDS = (2, 20)
EXCERPT_MIN_CARDS = 2
EXCERPT_MAX_GAP = 2
_EXCERPT_END_RE = re.compile(
    r"(?:\w(?:\.\.\.|…)|\[(?:\.\.\.|…)\]|\s(?:\.\.\.|…))(?:\s*(?:read more|continue reading|keep reading)\W*)?\s*$",
    re.IGNORECASE,
)


def _text_drop_excerpt_cards(units: list[Unit], reasons: list[str | None], kept: list[int]) -> None:
    """Kept cards of other posts (a headline, then an excerpt cut short with "..."), two or more in a row, are
    teasers (EXCERPT_MIN_CARDS)."""
    cards: list[tuple[int, int]] = []
    for i, u in enumerate(units):
        if u.words < EXCERPT_MIN_WORDS or not _EXCERPT_END_RE.search(u.text.rstrip()):
            continue
        for j in (i - 1, i - 2):
            if j >= 0 and EXCERPT_HEADLINE_WORDS[0] <= units[j].words <= EXCERPT_HEADLINE_WORDS[1] and not (
                units[j].text.rstrip().endswith((".", ":"))
            ):
                cards.append((j, i))
                break
    runs: list[list[tuple[int, int]]] = []
    for card in cards:
        if runs and card[0] - runs[-1][-1][1] <= EXCERPT_MAX_GAP:
            runs[-1].append(card)
        else:
            runs.append([card])
    keep = set(kept)
    for run in runs:
        if len(run) >= EXCERPT_MIN_CARDS:
            for a, b in run:
                for k in range(a, b + 1):
                    if k in keep and reasons[k] is None:
                        reasons[k] = "teaser"


# a cookie-consent panel the renderer put inside the story's runs ("Manage Cookie Consent", "Accept All Cookie
# settings", a table of "_ga 1 year Google Analytics sets this cookie to ..."): at least COOKIE_MIN_LINES kept
# lines naming cookies, each within COOKIE_MAX_GAP lines of the last, one of them with consent wording, are
# chrome with the kept lines between them. A story's own cookies (a recipe's, "cookie-cutter") are one line
# apart from any other such line: on both sets' inscriptis dumps the kept lines naming cookies hold 806 words
# of the truth's and 1,127 not (wcxb-dev 0051, 0359). Both sets (wcxb-dev 0.93115, halves 0.93503 / 0.92725,
# aeb-dev 0.93937 before): 3 lines, gap 5 -> wcxb-dev 0.93139 (halves 0.93513 / 0.92764; 0051 0.92 -> 0.96,
# 0359 0.81 -> 0.95; no page down), aeb-dev unchanged. Grid: 2 lines / gap 3 -> 0.93137, 4 lines / gap 5 ->
# 0.93139, 3 lines / gap 10 -> 0.93139; without the consent wording: the same pages
COOKIE_MIN_LINES = 3
COOKIE_MAX_GAP = 5
_COOKIE_RE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_CONSENT_RE = re.compile(
    r"\b(?:consent|accept|settings|preferences|polic(?:y|ies)|necessary|essential)\b", re.IGNORECASE
)


def _text_drop_cookie_panel(units: list[Unit], reasons: list[str | None], kept: list[int]) -> None:
    """Kept lines of a cookie-consent panel (several lines naming cookies close together) are chrome."""
    groups: list[list[int]] = []
    for i in kept:
        if reasons[i] is None and _COOKIE_RE.search(units[i].text):
            if groups and i - groups[-1][-1] <= COOKIE_MAX_GAP:
                groups[-1].append(i)
            else:
                groups.append([i])
    for g in groups:
        if len(g) >= COOKIE_MIN_LINES and any(_CONSENT_RE.search(units[i].text) for i in g):
            for i in kept:
                if g[0] <= i <= g[-1] and reasons[i] is None:
                    reasons[i] = "legal"


def _text_keep_inner_repeats(
    units: list[Unit], reasons: list[str | None], start: int, end: int,
    topic: tuple[frozenset[str], frozenset[str]] | None = None,
) -> None:
    """A repeated line inside the story whose other copies are all outside it is the story's own (a heading
    listed again in a table of contents or a menu): on wcxb-dev dumps a quarter of the words of repeated
    lines were article text, mostly such headings. A repeated line all of whose copies are inside the story
    and which is on its subject (TOPIC_SHORT_MIN_SHARE) is the story's too: a label its sections repeat
    ("Top Expert Recommendations:"); both sets' dumps: wcxb-dev +0.0002, aeb-dev +0.0005 word F1 (counting
    such lines as cheap when the span is chosen as well: wcxb-dev +0.0012, aeb-dev -0.0006, not kept)."""
    inside: dict[str, list[int]] = {}
    outside: set[str] = set()
    for i, u in enumerate(units):
        if reasons[i] == "repeat":
            key = _fold(u.text)
            if start <= i <= end:
                inside.setdefault(key, []).append(i)
            else:
                outside.add(key)
    for key, idx in inside.items():
        if len(idx) == 1 and key in outside:
            reasons[idx[0]] = None
        elif topic is not None and key not in outside and (
            (_text_topic_share(units[idx[0]], topic) or 0.0) >= TOPIC_SHORT_MIN_SHARE
        ):
            for i in idx:  # every copy inside the story and on its subject: the story's own repeated label
                reasons[i] = None


def _text_comments_cut(units: list[Unit], reasons: list[str | None]) -> int:
    """Index of the first comment-section header after some prose that a comment thread or its form
    follows (everything after is comments). A "33 Comments" link in the header zone is followed by the
    story, not by commenters: on wcxb-dev dumps 8 pages lost their whole story at such a link."""
    prose = 0
    for i, u in enumerate(units):
        if reasons[i] is None and _text_is_good(u):
            prose += u.words
        elif prose >= COMMENTS_MIN_PROSE and text_is_comments_start(u.text) and _text_thread_follows(units, i):
            return i
    return len(units)


def _text_thread_follows(units: list[Unit], i: int) -> bool:
    """Whether a comment thread follows line i: a commenter line, a reply button or the comment form
    before much prose, and another within a few lines."""
    prose = marks = 0
    for u in units[i : i + COMMENTS_MARK_MAX_LINES]:
        marks += text_is_comment_mark(u.text)
        if marks >= COMMENTS_MARKS:
            return True
        prose += u.words if _text_is_good(u) else 0
        if prose > COMMENTS_MARK_MAX_PROSE and not marks:
            return False
    return False


# a short line whose content words are mostly the story's own (at least this share of them in the prose of
# the first best span) is a heading, list item or fact of the story, not a menu or a related headline: it
# costs TOPIC_SHORT_PENALTY, not SHORT_PENALTY, when the span is chosen again with the topic known.
# Calibrated on both sets' inscriptis dumps (guides whose headings and product lists cut the run of prose
# into sections the single best span left out): share 0.34/0.5/0.6 -> wcxb-dev word F1 0.9040/0.9016/0.8979,
# aeb-dev 0.9209/0.9212/0.9171 (penalty 2); penalty 0.5/2/4 -> wcxb-dev 0.9043/0.9016/0.8987, aeb-dev
# 0.9212 each. The span is searched again only within the story's bounds (`_text_story_bounds`), the topic
# read again from the new span, up to TOPIC_ROUNDS times (1 -> 3: wcxb-dev +0.0007, aeb-dev unchanged).
# With 3 rounds and penalty 0.5, share 0.5 -> 0.4: wcxb-dev 0.9098 -> 0.9100, aeb-dev 0.9222 both, Clough dev
# texts' least-kept text 0.56 -> 0.85 of its words (g0pB_taska: code lines between its paragraphs)
TOPIC_ROUNDS = 3
TOPIC_SHORT_MIN_SHARE = 0.4
TOPIC_SHORT_PENALTY = 0.5
# content words: this long at least, not in the language's stoplist, not numbers
TOPIC_WORD_MIN_CHARS = 4
# a list item of a guide or review ("Rapid deployment times for pre-configured servers", "Customer support
# can be slow"): a phrase of this many words, in sentence case (under this share of title-case words: menus
# and related headlines are title case), not ending in ";" or ":". Once the topic is known it costs
# TOPIC_SHORT_PENALTY as an on-topic line does, whatever its words: features, pros and cons name things the
# lede does not. Both sets' inscriptis dumps (wcxb-dev 0.9080, aeb-dev 0.9247 before): penalty 0.5/1/2/4
# -> wcxb-dev 0.9133/0.9131/0.9126/0.9102 (even half 0.9203/0.9203/0.9195/0.9182), aeb-dev 0.9247 each;
# 3/4/5 words -> wcxb-dev 0.9129/0.9133/0.9124, aeb-dev 0.9252/0.9247/0.9247; title-case share 0.4/0.5/0.6
# -> wcxb-dev 0.9123/0.9133/0.9129, aeb-dev 0.9247/0.9247/0.9211 (title-case related headlines join). Lines
# ending in ";" or ":" are kept out as the clauses rule is (Clough task c answers; with them: wcxb-dev
# 0.9142, but Clough cut 8 -> 6/10, light 10 -> 6/10)
LIST_ITEM_WORDS = (4, 25)
LIST_ITEM_MAX_TITLECASE = 0.5


# a legal-sounding paragraph is the story's own when the story's prose is within this many lines on both
# sides (Clough orig_taskb: "The name PageRank is a trademark of Google" between two story paragraphs and a
# quote mark; footer notices follow the story's last paragraph with share bars, promos or nothing after)
LEGAL_HOLE_REACH = 4
# what ends a story: share bars, promos, notices, UI labels, comment headers (a symbol-only line does not)
_HARD_CHROME = frozenset(
    {"share-buttons", "promo", "copyright", "legal", "navigation", "player", "timestamp", "comments"}
)


def _text_story_span(
    units: list[Unit], reasons: list[str | None], lang: str | None
) -> tuple[int, int, tuple[frozenset[str], frozenset[str]] | None]:
    """The story's best span, chosen again (within the story's bounds) once its topic is known, and the topic."""
    start, end = _text_best_span(units, reasons)
    topic = _text_topic(units, reasons, start, end, lang)
    for _ in range(TOPIC_ROUNDS):
        if topic is None:
            break
        lo, hi = _text_story_bounds(units, start, end)
        span = _text_span_score(_text_scores(units, reasons, topic), lo, hi)[0]
        if span == (start, end):
            break
        start, end = span
        topic = _text_topic(units, reasons, start, end, lang) or topic
    return start, end, topic


def _text_keep_story_legal(units: list[Unit], reasons: list[str | None], spans: list[tuple[int, int]]) -> None:
    """A legal-sounding paragraph inside a span with the story's prose on both sides is the story's."""
    for i in range(len(units)):
        if reasons[i] == "legal" and _text_story_legal(units, reasons, i) and any(
            a < i < b and any(reasons[j] is None and _text_is_good(units[j]) for j in range(a, i))
            and any(reasons[j] is None and _text_is_good(units[j]) for j in range(i + 1, b + 1))
            for a, b in spans
        ):
            reasons[i] = None


def _text_story_legal(units: list[Unit], reasons: list[str | None], i: int) -> bool:
    """A legal-sounding paragraph that is the story's prose ("The name PageRank is a trademark of Google, and
    the process has been patented"): prose-shaped, with the story's prose close on both sides."""
    if not _text_is_good(units[i]):
        return False

    def near(rng: range) -> bool:
        for j in rng:
            if reasons[j] is None and _text_is_good(units[j]):
                return True
            if reasons[j] == "legal" and _text_is_good(units[j]):
                continue  # two such paragraphs in a row
            if reasons[j] in _HARD_CHROME and units[j].words:  # a lone quote mark or rule is no boundary
                return False
        return False

    return near(range(i - 1, max(i - 1 - LEGAL_HOLE_REACH, -1), -1)) and near(
        range(i + 1, min(i + 1 + LEGAL_HOLE_REACH, len(units)))
    )


def _text_content_words(text: str, stop: frozenset[str]) -> list[str]:
    """Lowercased words that carry a topic: long enough, not function words, not numbers."""
    out = []
    for w in text_words(text):
        lw = w.lower()
        if len(lw) >= TOPIC_WORD_MIN_CHARS and lw not in stop and not lw.isdigit():
            out.append(lw)
    return out


def _text_topic(
    units: list[Unit], reasons: list[str | None], start: int, end: int, lang: str | None
) -> tuple[frozenset[str], frozenset[str]] | None:
    """What the story is about: the content words of the prose in its best span (and the stoplist used)."""
    stop = text_stoplist(lang)
    words = {
        w for i in range(max(start, 0), end + 1) if reasons[i] is None and _text_is_good(units[i])
        for w in _text_content_words(units[i].text, stop)
    }
    return (frozenset(words), stop) if words else None


def _text_topic_share(u: Unit, topic: tuple[frozenset[str], frozenset[str]]) -> float | None:
    """Share of a unit's content words that are the story's (None when it has none)."""
    words = _text_content_words(u.text, topic[1])
    return sum(w in topic[0] for w in words) / len(words) if words else None


def _text_is_list_item(u: Unit) -> bool:
    """A sentence-case phrase of a few words that ends neither a sentence nor a clause: a list item."""
    return (
        LIST_ITEM_WORDS[0] <= u.words <= LIST_ITEM_WORDS[1] and u.alpha >= 0.6
        and u.titlecase < LIST_ITEM_MAX_TITLECASE and not u.text.rstrip().endswith((";", ":"))
    )


def _text_scores(
    units: list[Unit], reasons: list[str | None], topic: tuple[frozenset[str], frozenset[str]] | None = None
) -> list[float]:
    """Contribution of each unit to the story span: prose adds its words, chrome subtracts."""
    good = [reasons[i] is None and _text_is_good(u) for i, u in enumerate(units)]
    out = []
    for i, u in enumerate(units):
        reason = reasons[i]
        if reason == "duplicate" or reason == "legal" and _text_story_legal(units, reasons, i):
            out.append(0.0)  # the same lines again / the story's own mention of a trademark: a hole, not a cut
        elif reason is not None:
            out.append(-max(CHROME_MIN_PENALTY, float(u.words)))
        elif good[i]:
            out.append(float(u.words))
        elif u.sentence and u.words >= 3:
            out.append(u.words * 0.5)
        elif topic is not None and (
            (_text_topic_share(u, topic) or 0.0) >= TOPIC_SHORT_MIN_SHARE or _text_is_list_item(u)
        ):
            out.append(-TOPIC_SHORT_PENALTY)
        else:
            out.append(-SHORT_PENALTY)
    return out


def _text_best_span(units: list[Unit], reasons: list[str | None]) -> tuple[int, int]:
    """Maximum-sum contiguous run of units (Kadane): the story region."""
    return _text_span_score(_text_scores(units, reasons), 0, len(units))[0]


# a run of prose apart from the story's best span joins the story when it scores this much (about two
# paragraphs of words net of the chrome inside it) and at least this share of the best span's score;
# wcxb-dev dumps: long guides are split by a promo box or a bulleted list into runs the single best span
# left out. Grid 60/100/150/250 x 0.15/0.3/0.5 on both sets' inscriptis dumps: 100 and 0.3 gain 0.014 word
# F1 on wcxb-dev and keep aeb-dev (60: aeb-dev -0.009; 0.15: aeb-dev -0.001). Grid again once the topic step
# and sentence-case list items made runs longer (wcxb-dev 0.9133, aeb-dev 0.9247 at 100 and 0.3): 80/100/150
# x 0.3 -> wcxb-dev 0.9138/0.9133/0.9109, aeb-dev 0.9247/0.9247/0.9259; 60/70/80 x 0.2 -> wcxb-dev
# 0.9147/0.9147/0.9145, aeb-dev 0.9237/0.9237/0.9247; 80 x 0.25 -> wcxb-dev 0.9146 (even half 0.9200 ->
# 0.9212, odd 0.9066 -> 0.9079), aeb-dev 0.9247 (no page changed); 40 x 0.15 -> 0.9153, aeb-dev 0.9237
MORE_SPAN_MIN_SCORE = 80.0
MORE_SPAN_MIN_SHARE = 0.25


def _text_more_spans(
    units: list[Unit], reasons: list[str | None], start: int, end: int,
    topic: tuple[frozenset[str], frozenset[str]] | None = None,
) -> list[tuple[int, int]]:
    """The best span plus, on each side, further runs of prose that score enough on their own."""
    spans = [(start, end)]
    if end < start:
        return spans
    scores = _text_scores(units, reasons, topic)
    main = _text_span_score(scores, start, end + 1)[1]
    floor = max(MORE_SPAN_MIN_SCORE, MORE_SPAN_MIN_SHARE * main)
    lo, hi = start, end
    stop = _text_story_bounds(units, start, end)[1]
    while hi + 1 < stop:  # after the story
        (a, b), score = _text_span_score(scores, hi + 1, stop)
        if b < a or score < floor:
            break
        spans.append((a, b))
        hi = b
    while lo > 0:  # before it
        (a, b), score = _text_span_score(scores, 0, lo)
        if b < a or score < floor:
            break
        spans.append((a, b))
        lo = a
    return spans


# the story's runs of prose are one story with the lines between them (a guide's lists, tables and headings
# between its runs of prose: 0.9 of the words of those lines are in the truth on wcxb-dev dumps), unless the
# lines between are a menu or a staff list (at least this share of their unclassified lines of 1-2 words;
# aeb-dev 8380689f: a list of editors' names between the story and a donation appeal) or a list of other
# posts (this many date lines; wcxb-dev 0331, 0397). Both sets' inscriptis dumps, joining every gap: wcxb-dev
# word F1 0.9146 -> 0.9213, aeb-dev 0.9247 -> 0.9245; with the two guards 0.9215 and 0.9247 (grid: share
# 0.6/0.8/0.9/any -> wcxb-dev 0.9215/0.9215/0.9215/0.9215, aeb-dev 0.9247/0.9247/0.9245/0.9245; dates
# 1/2/3/any -> wcxb-dev 0.9215/0.9215/0.9215/0.9213)
SPAN_GAP_MAX_TINY_SHARE = 0.8
SPAN_GAP_MAX_DATES = 2


def _text_join_spans(
    units: list[Unit], reasons: list[str | None], spans: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The story's runs joined with the lines between them, unless those lines are a menu or a list of posts."""
    ordered = sorted(spans)
    out = [ordered[0]]
    for a, b in ordered[1:]:
        gap = range(out[-1][1] + 1, a)
        free = [i for i in gap if reasons[i] is None]
        tiny = sum(units[i].words <= 2 for i in free) / len(free) if free else 0.0
        dates = sum(reasons[i] == "date-header" for i in gap)
        if tiny < SPAN_GAP_MAX_TINY_SHARE and dates < SPAN_GAP_MAX_DATES:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


# a catalogue after the story's prose: records of "Label: value" fields ("Date: March 2-5, 2026", "Location:
# Barcelona, Spain", "Focus: ..."), at least RECORD_MIN_FIELDS labels each at least RECORD_MIN_REPEATS times at
# near-regular intervals (the longest gap at most RECORD_MAX_GAP_RATIO times the shortest), the first within
# RECORD_MAX_START lines of the story's end, not past a comment or related header, with fewer than
# RECORD_MAX_DATES bare date lines (a list of posts: wcxb-dev 0209's podcast episodes). The lines from the
# story's end to the last label line join the story (a record's lines after its last label are the next
# record's name, or the page's footer after the last one). Both sets' inscriptis dumps (wcxb-dev 0.92521, aeb-dev
# 0.93132 before): (start, repeats, fields) 30/3/2 -> wcxb-dev 0.92651 (even 0.93101 -> 0.93360, odd 0.91940
# unchanged; 4367 0.19 -> 0.94, 4859 0.78 -> 0.95, no page down), aeb-dev 0.93787 (even 0.90130 -> 0.91428, odd
# unchanged; 5f03fc17, a meal plan whose story is its menu, 0.09 -> 0.72). Simulated first over the kept lines:
# one field -> 4 more wcxb-dev pages, each down (0273, 0378, 0208, 0143: a product's spec lines after a guide);
# 2 repeats and one field -> aeb-dev 3ce1c8fd -0.33 (a results table), wcxb-dev odd half down; any repeated
# short line as a field too ("Pros", "Cons", a table's column names) -> wcxb-dev 0.9251 (0485 -0.82: menus
# repeat as regularly as records); up to the last label plus one period -> the footer after the last record
# joins (wcxb-dev 0.92645). The same records before the story's start, its run being the catalogue's conclusion
# (`_text_record_head`: the last label within RECORD_MAX_START lines of the start; the records join from the first
# record's lede, the run of prose before the first label within one record's length of it): wcxb-dev 0.92761 ->
# 0.92965 (halves 0.93418 / 0.92102 -> 0.93503 / 0.92427; 1628 0.59 -> 0.96, 4647 0.14 -> 0.87, 0022 0.63 ->
# 0.93, 0057 0.69 -> 0.75), aeb-dev 0.93937 unchanged. Bounded by a related header before them as the tail is:
# 0.92825 (0022's records each carry a "More on HBS:" box); from one record's length before the first label
# (its menu lines too; 4647's title was a menu line): 0.92964; the last label within 100 lines: 0046 -0.004; one
# label: 1396 -0.12; 2 repeats: 1396 -0.27. Both rules together, from wcxb-dev 0.92973 / aeb-dev 0.93937: 2 repeats
# -> wcxb-dev 0.92951 (0500 0.95 -> 0.81 and its title lost); 3 labels -> 0.92940, aeb-dev 0.93281 (5f03fc17 has 2);
# gap ratio 5 or 10, labels of up to 5 words: no page changed
RECORD_MAX_START = 30
RECORD_MIN_REPEATS = 3
RECORD_MIN_FIELDS = 2
RECORD_MAX_GAP_RATIO = 3
RECORD_MAX_DATES = 2
_RECORD_LABEL_RE = re.compile(r"^([^:]{1,40}):\s*\S")


def _text_record_fields(
    units: list[Unit], reasons: list[str | None], lo: int, hi: int
) -> list[tuple[list[int], int]]:
    """The record labels of units[lo:hi] ("Date:", "Location:"): each label's line indexes and its median gap,
    for labels recurring RECORD_MIN_REPEATS+ times at near-regular intervals."""
    fields: dict[str, list[int]] = {}
    for j in range(lo, hi):
        m = _RECORD_LABEL_RE.match(units[j].text)
        # a label of 1-3 words on a line no chrome rule took; "https://..." is an address, not a label
        if m and reasons[j] in (None, "repeat") and "//" not in units[j].text[:12] and len(m[1].split()) <= 3:
            fields.setdefault(m[1].strip().lower(), []).append(j)
    out = []
    for idx in fields.values():
        if len(idx) < RECORD_MIN_REPEATS:
            continue
        gaps = [b - a for a, b in zip(idx, idx[1:], strict=False)]
        if min(gaps) >= 2 and max(gaps) <= RECORD_MAX_GAP_RATIO * min(gaps):
            out.append((idx, int(statistics.median(gaps))))
    return out


def _text_bare_dates(units: list[Unit], reasons: list[str | None], lo: int, hi: int) -> int:
    """Bare date lines ("Nov 18, 2025") in units[lo:hi + 1], not a record's "Date: ..." field."""
    return sum(
        reasons[j] == "date-header" and not _RECORD_LABEL_RE.match(units[j].text) for j in range(lo, hi + 1)
    )


def _text_record_head(units: list[Unit], reasons: list[str | None], start: int) -> tuple[int, int]:
    """The lines before the story's start that are records of a catalogue whose conclusion the story's run is
    (RECORD_MIN_FIELDS labels, the last within RECORD_MAX_START lines of the start), from the first record's
    lede (the run of prose before the first label, within one record's length of it) on; or an empty range.
    Related headers do not bound them: a guide's records carry their own "More on HBS:" link boxes."""
    fields = [(idx, per) for idx, per in _text_record_fields(units, reasons, 0, start)
              if idx[-1] >= start - RECORD_MAX_START]
    if len(fields) < RECORD_MIN_FIELDS:
        return 0, -1
    head = min(idx[0] for idx, _ in fields)
    lo = max(0, head - max(per for _, per in fields) + 1)
    prose = [j for j in range(lo, head) if reasons[j] is None and _text_is_good(units[j])]
    if prose:  # the first record's lede, not the menu or header lines before it
        lo = prose[-1]
        while lo > 0 and reasons[lo - 1] is None and _text_is_good(units[lo - 1]):
            lo -= 1
    return (lo, start - 1) if _text_bare_dates(units, reasons, lo, start - 1) < RECORD_MAX_DATES else (0, -1)


def _text_record_tail(units: list[Unit], reasons: list[str | None], end: int, cut: int) -> tuple[int, int]:
    """The lines after the story's end, [end + 1, last label line], that are records of a catalogue ("Date:
    ...", "Location: ...", "Focus: ..." repeated per entry), or an empty range (RECORD_MIN_FIELDS)."""
    stop = cut
    for j in range(end + 1, cut):
        if text_is_comments_start(units[j].text) or _text_is_related_header(units[j].text):
            stop = j
            break
    fields = [idx for idx, _ in _text_record_fields(units, reasons, end + 1, stop) if idx[0] <= end + RECORD_MAX_START]
    if len(fields) < RECORD_MIN_FIELDS:
        return 0, -1
    last = max(idx[-1] for idx in fields)
    return (end + 1, last) if _text_bare_dates(units, reasons, end + 1, last) < RECORD_MAX_DATES else (0, -1)


# the header of a block of other stories or posts: at most this many words (wcxb-dev and aeb-dev dumps:
# "Related Articles", "More From the Los Angeles Times", "More Great WIRED Stories", "You Might Also Like").
# "Read this next", "What to read next", "Top stories", "Editor's picks", "Similar posts", "Other articles you
# may find interesting", "Don't miss" too (both sets' inscriptis dumps: wcxb-dev 0.92651 -> 0.92664, halves
# 0.93360 / 0.91940 -> 0.93371 / 0.91956, 4 pages up, none down; aeb-dev 0.93787 -> 0.93824, 624fcd90 +0.04)
RELATED_HEADER_MAX_WORDS = 8
_RELATED_HEADER_RE = re.compile(
    r"^(?:related|recommended|recent|latest|popular|trending|read next|up next|"
    r"most (?:read|popular|viewed|shared|recent)|you (?:may|might) (?:also )?(?:like|enjoy|be interested)|"
    r"read this next|what to read next|top stories|editor.?s.? picks|similar (?:posts|articles|stories)|"
    r"other (?:posts|articles|stories)|don.t miss\b|"
    r"more (?:from|great|top|stories|articles|news|posts|in|on|like this|to read|for you))\b",
    re.IGNORECASE,
)


# a list of other posts inside the story's best run: a related header ("Latest News", "Read This Next",
# "Related Insights", "More Articles") with a teaser's mark (a date line, or a "Read more" link on its own
# line) within POSTS_MARK_REACH lines after it and POSTS_MIN_MARKS such marks in the rest of the run (each
# teaser a headline, a date, an excerpt: the excerpts are prose, so the run went on through them). The run
# ends at its last prose line before the header. Both sets' inscriptis dumps (wcxb-dev 0.92973, halves
# 0.93503 / 0.92442, aeb-dev 0.93937 before), with date lines as the only mark: 2 marks, reach 4 -> wcxb-dev
# 0.93109 (odd half 0.92714, even unchanged; 0296 0.55 -> 1.00, 0331 0.59 -> 0.98, 4151 0.89 -> 1.00, 0300 and
# 4667 +0.01; no page down), aeb-dev unchanged. Grid: reach 2 -> 0.93053 (0331 and 4667 unchanged), reach 3 /
# 6 / 8 -> 0.93109; 1 / 3 marks at reach 4 -> 0.93111 / 0.93107; 1 mark at reach 12 -> aeb-dev 0.93439
# (921019755f 0.99 -> 0.51: "More from UK" over headlines, then embedded tweets' dates further down its
# story). Without the near mark (any 2 dates in the rest of the run): wcxb-dev 0.93083 but 4667 0.98 -> 0.81 (a
# "Latest Industry Trends ..." section heading) and aeb-dev 921019755f down. "Read more" lines as marks too:
# wcxb-dev 0.93115 (odd half 0.92725; 0091 0.96 -> 1.00, no other page changed at reach 3 / 4 / 6 / 8). The
# related header inside the run without the marks (tried in the fourth round, and again: a header of up to
# 3 / 5 words over 2-3 lines that are not prose) cut the story's own related boxes and sections: wcxb-dev
# 0.92806 / 0.92603, aeb-dev 0.91681 / 0.89610
POSTS_MIN_MARKS = 2
POSTS_MARK_REACH = 4
_READ_MORE_RE = re.compile(r"^(?:read more|continue reading)\W*$", re.IGNORECASE)


def _text_posts_cut(units: list[Unit], reasons: list[str | None], start: int, end: int) -> int:
    """The end of the story's best run [start, end]: before a related header over a list of dated posts."""
    last_prose = -1
    for i in range(max(start, 0), end + 1):
        if reasons[i] is None and _text_is_good(units[i]):
            last_prose = i
        elif last_prose >= 0 and _text_is_related_header(units[i].text):
            marks = [
                j for j in range(i + 1, end + 1) if reasons[j] == "date-header" or _READ_MORE_RE.match(units[j].text)
            ]
            if len(marks) >= POSTS_MIN_MARKS and marks[0] <= i + POSTS_MARK_REACH:
                return last_prose
    return end


def _text_story_bounds(units: list[Unit], start: int, end: int) -> tuple[int, int]:
    """How far the story around its best span [start, end] may reach: not past a comment-section header
    ("Show Comments"), thread or not, nor past the header of a block of other stories ("More From the Los
    Angeles Times", "Related Articles") on either side."""
    def stop(i: int) -> bool:
        return text_is_comments_start(units[i].text) or _text_is_related_header(units[i].text)

    hi = next((i for i in range(end + 1, len(units)) if stop(i)), len(units))
    lo = next((i + 1 for i in range(start - 1, -1, -1) if _text_is_related_header(units[i].text)), 0)
    return lo, hi


# a bare label over a list of links ("More:", "Related", "See also:", "Read more:")
_MORE_LABEL_RE = re.compile(r"^(?:more|related|see also|read (?:more|also|next)|also read)\s*:?$", re.IGNORECASE)
# a block of other stories inside or after the story: a related header or a bare label, then at least this many
# headline lines in a row (lines of 4+ words that are not prose and do not end in ":"), up to the next paragraph.
# Calibrated on both sets' inscriptis dumps ("More from UK" then six headlines in the middle of aeb-dev
# 921019755f's story, "More:" then three in 7916ecca): at least 2 / 3 lines -> wcxb-dev word F1 0.9215 ->
# 0.9217 / 0.9215, aeb-dev 0.9247 -> 0.9260 / 0.9256. A header of 2+ words is title case (half its long
# words capitalised at least): "Popular interactive concepts include:" opens a list of the story's (wcxb-dev
# 0058); with it, 2 lines: wcxb-dev 0.9217 (halves 0.9280 / 0.9150 -> 0.9284 / 0.9151), aeb-dev 0.9259
# (0.8980 / 0.9519 -> 0.8987 / 0.9536)
RELATED_BLOCK_MIN_LINES = 2
RELATED_HEADLINE_MIN_WORDS = 4
RELATED_HEADER_MIN_TITLECASE = 0.5


# a link to another story on its own line, after a label and a colon or dash ("Related: Students aren't
# benefiting much from tutoring", "See also: Film vs Digital Cameras", "Read more: ..."), up to this many words.
# "Also read:" and "More:" are left out: wcxb-dev truths keep some ("Also Read: What Is App Testing?", a
# review's "More: Warbonnet Blackbird Full Review" under each pick). Both sets' inscriptis dumps, kept lines
# of this shape: wcxb-dev 25, none in the truth, aeb-dev 1
INLINE_RELATED_MAX_WORDS = 25
_INLINE_RELATED_RE = re.compile(
    r"^(?:related(?: (?:article|story|post|reading|content|link))?s?|read (?:more|also|next|this)|see also|"
    r"recommended(?: reading)?|suggested(?: reading)?|(?:you )?may also like|further reading|must read)"
    r"\s*[:：|—–-]\s*\S",
    re.IGNORECASE,
)


def _text_mark_related_blocks(units: list[Unit], reasons: list[str | None]) -> None:
    """A related header or a bare "More:" label followed by a run of headlines: the header and the headlines
    are chrome ("related"), wherever they are (inline link boxes split a story's paragraphs)."""
    for i, u in enumerate(units):
        if reasons[i] is None and u.words <= INLINE_RELATED_MAX_WORDS and _INLINE_RELATED_RE.match(u.text):
            reasons[i] = "related"  # "Related: <headline>", one link on its own line
            continue
        if not (_text_is_related_header(u.text) or _MORE_LABEL_RE.match(u.text.strip())):
            continue
        if u.words > 1 and u.titlecase < RELATED_HEADER_MIN_TITLECASE:
            continue
        run = []
        j = i + 1
        while j < len(units) and reasons[j] in (None, "repeat") and not _text_is_good(units[j]) \
                and units[j].words >= RELATED_HEADLINE_MIN_WORDS and not units[j].text.rstrip().endswith(":"):
            run.append(j)
            j += 1
        if len(run) >= RELATED_BLOCK_MIN_LINES:
            for k in [i, *run]:
                reasons[k] = reasons[k] if k == i and reasons[k] is not None else "related"


def _text_is_related_header(text: str) -> bool:
    """The header of a block of other stories ("Related Articles", "More From The Times", "Most Read")."""
    return len(text_words(text)) <= RELATED_HEADER_MAX_WORDS and bool(_RELATED_HEADER_RE.match(text))


def _text_span_score(scores: list[float], lo: int, hi: int) -> tuple[tuple[int, int], float]:
    """The best span of units[lo:hi] (absolute indices, by their scores) and its score."""
    best, best_span = 0.0, (lo, lo - 1)
    cur, cur_start = 0.0, lo
    for i in range(lo, hi):
        sc = scores[i]
        if cur <= 0:
            cur, cur_start = sc, i
        else:
            cur += sc
        if cur > best:
            best, best_span = cur, (cur_start, i)
    return best_span, best


# a line of 3-15 words inside the story's spans is kept (list items, table rows, facts: "Years in business:
# 37"): on wcxb-dev dumps 0.67 of the words of such lines were article text, on aeb-dev 0.52; word F1
# wcxb-dev +0.0075, aeb-dev shingle F1 +0.0008 (grid 3/5: 3 best on both)
INSIDE_SHORT_MIN = 3
# a line of 2 words inside the story is kept too, wherever it stands ("Key takeaways", "Hybrid cloud", "Use
# cases": a guide's headings and list items; before, only a subhead over a paragraph, between two
# paragraphs or in a list introduced by ":"): both sets' inscriptis dumps, word F1 wcxb-dev 0.92271 ->
# 0.92311 (even / odd 0.92914 / 0.91627 -> 0.92953 / 0.91667), aeb-dev 0.93113 -> 0.93116; one-word lines too:
# wcxb-dev 0.92337, aeb-dev 0.93108 (not kept)
# a line of 3+ words inside the story with fewer letters (short or long) is kept when letters are at least
# this share of its characters and it holds no date: a guide's price and spec lines ("Minor remodels:
# $15,000 – $50,000", "$1,599.00 from Lowe's"), which the story's runs now hold whole (`_text_join_spans`);
# "Published 10:02 AM EST Nov 19, 2019" is a date line. Both sets' inscriptis dumps (wcxb-dev 0.9217, aeb-dev
# 0.9259 before): 0.5 / 0.4 / 0.3 / 0.1 -> wcxb-dev 0.9224 / 0.9226 / 0.9227 / 0.9228, aeb-dev 0.9259 each
# (without the date test, 0.4: aeb-dev 0.9256)
INSIDE_MIN_ALPHA = 0.3
# lines of 16+ words inside the story that are not prose by shape: on wcxb-dev dumps 0.87 of the truth
# words lost inside spans were in such lines (table rows, long list items); letters at least this share
# of the characters (0.6 as for short lines; number tables stay out)
LONG_INSIDE_MIN_ALPHA = 0.6


def _text_keep_short(units: list[Unit], reasons: list[str | None], i: int) -> bool:
    """Keep a short unit inside the story: a short sentence, a list item, a fact or a subhead."""
    u = units[i]
    if u.sentence and u.words >= 2 and (u.stop is None or u.stop > 0 or u.words <= 4):
        return True
    if u.words >= INSIDE_SHORT_MIN and INSIDE_MIN_ALPHA <= u.alpha < 0.6 and not text_date(u.text):
        return True  # a price or spec line, a table row with figures (INSIDE_MIN_ALPHA)
    if u.words >= 2 and u.alpha < 0.6 and any(_text_table_row_pair(u, units, reasons, j) for j in (i - 1, i + 1)):
        return True  # a row of a table of figures or dates, next to another (TABLE_ROW_MAX_WORD_DIFF)
    if u.words > 15:
        # a long line that is not prose by shape (a list item or table row without a full stop, a
        # paragraph light on function words) inside the story is the story's (LONG_INSIDE_MIN_ALPHA)
        return u.alpha >= LONG_INSIDE_MIN_ALPHA
    # 2+ words with letters: a list item, a fact, a subhead (see INSIDE_SHORT_MIN)
    return u.words >= 2 and u.alpha >= 0.6


# a line of 2+ words under 0.6 letters inside the story next to another such line, within this many words
# of it, is a row of a table of figures ("1/1/2013 +13.1%", "🇬🇧 Eng 1.15 10.93 11.9×"); alone, such lines
# with a date stay out (INSIDE_MIN_ALPHA). Both sets' inscriptis dumps: wcxb-dev 0.92461 -> 0.92521 (halves
# 0.93011 / 0.91909 -> 0.93101 / 0.91940; 13 pages up: 0243 0.62 -> 0.93, 0415 and 0061 +0.05; 6 down, the
# most 4835 -0.01), aeb-dev 0.93132 unchanged; (min words, word difference) 3/1 -> 0.92522, 2/0 -> 0.92520,
# any difference -> 0.92522
TABLE_ROW_MAX_WORD_DIFF = 2


def _text_table_row_pair(u: Unit, units: list[Unit], reasons: list[str | None], j: int) -> bool:
    """Unit j is a free line of the same table-row shape as u."""
    return (
        0 <= j < len(units) and reasons[j] is None and units[j].words >= 2 and units[j].alpha < 0.6
        and abs(units[j].words - u.words) <= TABLE_ROW_MAX_WORD_DIFF
    )


def _text_header_meta(
    units: list[Unit], reasons: list[str | None], meta: dict[str, str | None], body_start: int
) -> None:
    """Read title, byline and date from the header zone (units before the story)."""
    for i in range(len(units)):
        u = units[i]
        header = i < body_start
        m = BYLINE_RE.search(u.text)
        if m and (header or reasons[i] is not None) and not meta["byline"] and u.words <= 60:
            name = _BYLINE_STOP.sub("", m[1]).strip(" ,.")
            if len(text_words(name)) >= 2:
                meta["byline"] = name
                if reasons[i] in (None, "navigation", "short-fragment") and header:
                    reasons[i] = "byline"
        if header and not meta["published"] and u.words <= 40:
            found = text_date(u.text)
            if found:
                meta["published"] = found[0]
    if meta["title"] is None:
        cands = [
            i for i in range(min(body_start, len(units)))
            if reasons[i] in ("navigation", "short-fragment", "repeat", None)
            and 3 <= units[i].words <= 30 and units[i].alpha >= 0.6
            and not units[i].text.endswith(".") and not BYLINE_RE.match(units[i].text)
            and not _text_is_nav_line(units[i].text)
        ]
        if cands:
            best = _text_pick_title(units, cands, body_start)
            meta["title"] = units[best].text
            reasons[best] = "title"
    # a body unit that is just the byline name is chrome
    if meta["byline"]:
        for i in range(len(units)):
            if reasons[i] is None and _fold(units[i].text) == _fold(meta["byline"]):
                reasons[i] = "byline"


# the headline names the story's subject: of the header lines, the one sharing the most content words with
# the story's first words is the headline, not a menu, button or label line ("Book a demo", "Table of
# Contents"). 300 words: the lede and a paragraph or two; 2 shared words at least (wcxb-dev dumps)
TITLE_TOPIC_WORDS = 300
TITLE_MIN_SHARED = 2


# lines no headline is: an address (e-mail, URL), a reading time, a clipboard button, hashtags
_UTILITY_LINE_RE = re.compile(
    r"[\w.+-]+@[\w-]+\.\w|https?://|\bwww\.|\b\d+\s*(?:min(?:ute)?s?|hours?)(?:\s+read)?\s*$|"
    r"^\W*\d+\s*min(?:ute)?s?\b|\bcopied\b|\bcopy (?:link|url)\b|#\w+#",
    re.IGNORECASE,
)


def _text_is_nav_line(text: str) -> bool:
    """A menu ("News | Sports | Opinion"), button, share or promo line, an address, a reading time or a
    date, or one that starts with a symbol."""
    return (
        text.count("|") >= 2 or text_is_share(text) or text_is_promo(text) or text_is_ui(text)
        or not text[:1].isalnum() and text[:1] not in "\"“‘'(¿¡"
        or bool(_UTILITY_LINE_RE.search(text)) or _text_date_only(text)
    )


def _text_pick_title(units: list[Unit], cands: list[int], body_start: int) -> int:
    """The header line that shares most content words with the story's start (ties: the later line); the
    last title-case line when none shares enough."""
    body = [w.lower() for u in units[body_start:] for w in text_words(u.text)][:TITLE_TOPIC_WORDS]
    topic = {w for w in body if len(w) > 3}

    def shared(i: int) -> float:
        words = {w.lower() for w in text_words(units[i].text) if len(w) > 3}
        hits = len(words & topic)
        return hits / len(words) ** 0.5 if hits >= TITLE_MIN_SHARED else 0.0

    best = max(cands, key=lambda i: (shared(i), i))
    if shared(best) > 0:
        return best
    return max(cands, key=lambda i: (units[i].titlecase >= 0.5, i))


# an author box at the story's end: an "About <Name>" header within this many paragraphs of the end, and the
# bio after it (aeb-dev 23aaecd1 and 3252222e: "Sobre Carlos Nadalim" and an 85-word bio; wcxb-dev 4659: "About
# Melissa Norris" and three paragraphs). An organisation's "About" paragraph is a press release's own (wcxb-dev
# 4557: "About Georgetown University Medical Center", which the truth keeps). Both sets' inscriptis dumps:
# wcxb-dev word F1 0.9227 unchanged (even / odd 0.9292 / 0.9162; 4659 +0.02), aeb-dev 0.9263 -> 0.9284 (0.8994
# / 0.9537 -> 0.9011 / 0.9563); without the organisation test wcxb-dev 0.9226 (odd half 0.9160)
AUTHOR_BOX_MAX_TAIL = 4
_ORGANISATION_RE = re.compile(
    r"\b(?:University|College|School|Center|Centre|Media|Inc|Corp|Corporation|Company|Group|Foundation|"
    r"Institute|Association|Society|Agency|Network|Labs?|LLC|Ltd|Press|News)\b"
)


def _text_sweep_footer(paragraphs: list[str], meta: dict[str, str | None]) -> list[Chrome]:
    """Remove trailing bios, reporter credit lines, bylines, copyright and a glued site tagline."""
    box = _text_sweep_author_box(paragraphs)
    out: list[Chrome] = []
    while paragraphs:
        last = paragraphs[-1]
        words = text_words(last)
        name = _fold(meta["byline"] or "")
        bio = _BIO_START_RE.match(last)
        if bio and (_ROLE_RE.search(last) or (name and name in _fold(last))):
            out.append(Chrome(last, "bio"))
            subject = _BIO_NAME_RE.match(last)
            if subject and not meta["byline"]:
                meta["byline"] = subject[1]
        elif len(words) <= 40 and _CREDIT_LINE_RE.search(last):
            out.append(Chrome(last, "credit-line"))
        elif (name and _fold(last) == name) or (
            2 <= len(words) <= 4 and all(w[0].isupper() for w in words) and not text_ends_sentence(last)
            and out and out[-1].reason == "bio" and _fold(last) in _fold(out[-1].text)
        ):
            out.append(Chrome(last, "byline"))
        elif text_is_copyright(last):
            out.append(Chrome(last, "copyright"))
        elif _ABOUT_AUTHOR_RE.match(last):
            out.append(Chrome(last, "bio"))  # the author box's header at the story's end
        else:
            break
        paragraphs.pop()
    if paragraphs:
        sentences = _SENT_SPLIT_RE.split(paragraphs[-1])
        tail = sentences[-1]
        if len(sentences) > 1 and _text_is_tagline(tail):
            out.append(Chrome(tail, "tagline"))
            paragraphs[-1] = paragraphs[-1][: len(paragraphs[-1]) - len(tail)].rstrip()
            site = re.search(r"\bfrom\s+((?:[A-Z][\w'’.-]*\s*){1,4})", tail)
            if site and not meta["site_name"]:
                meta["site_name"] = site[1].strip(" .")
    out.reverse()
    return out + box


def _text_sweep_author_box(paragraphs: list[str]) -> list[Chrome]:
    """Remove an author box at the story's end: an "About <Name>" header near the end and all after it."""
    for k in range(max(0, len(paragraphs) - AUTHOR_BOX_MAX_TAIL), len(paragraphs)):
        if _ABOUT_AUTHOR_RE.match(paragraphs[k]) and not _ORGANISATION_RE.search(paragraphs[k]):
            box = [Chrome(p, "bio") for p in paragraphs[k:]]
            del paragraphs[k:]
            return box
    return []


def _text_is_tagline(sentence: str) -> bool:
    """A short verbless title-case sentence (all lowercase words are function words)."""
    words = text_words(sentence)
    if not 3 <= len(words) <= 8:
        return False
    lower = [w for w in words if not w[0].isupper()]
    return all(w in _TAGLINE_FUNC for w in lower) and len(lower) < len(words) / 2


def _fold(s: str) -> str:
    """Case- and whitespace-folded text for comparisons."""
    return " ".join(s.lower().split())
