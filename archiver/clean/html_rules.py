"""Line rules that move page chrome out of an extracted HTML body into `Chrome` entries, verbatim.

Each rule looks at one block (paragraph, heading, list item ...) with its kind, position and link ratio and
names why it is chrome. Thresholds were tuned on aeb-dev (97 pages of the ScrapingHub benchmark) with
general rules only; `benchmarks/clean_html_aeb.py` measures them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archiver.clean.text import text_second_copies
from archiver.types import Chrome


@dataclass
class Block:
    """One unit of extracted body text: its text, trafilatura element kind and share of linked characters."""

    text: str
    kind: str  # "p", "head", "item", "quote", "row", ...
    link_ratio: float = 0.0


def html_fold(text: str) -> str:
    """Collapse runs of whitespace (incl. NBSP) to one space and strip.

    str.split() splits at exactly the characters regex \\s matches (both are str.isspace), 4x faster.
    """
    return " ".join(text.split())


def html_host(url: str | None, default: str | None = None) -> str | None:
    """The host of a URL without "www."; `default` for a relative link."""
    if not url:
        return None
    m = re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//([^/?#:]+)", url.strip(), re.I)
    if not m:
        return default if not re.match(r"^[a-z][a-z0-9+.-]*:", url.strip(), re.I) else None
    return m[1].lower().removeprefix("www.")


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


# a topic word has four letters or more: with "for", "up", "on" counted, a title holding "for" kept every
# "Sign up for ..." prompt (wcxb-dev: `without` 0.0294 -> 0.0287, word F1 and aeb-dev unchanged)
MIN_STEM = 4


def _stems(text: str) -> set[str]:
    """The text's words of four letters or more without a plural "s" ("subscriptions" and "subscription" are
    one topic; "for", "up", "on" of "Sign up for" are no topic: a title with "for" kept every "Sign up for")."""
    return {w.removesuffix("s") for w in _norm(text).split() if len(w) >= MIN_STEM}


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


# Photo credits: an agency or "Photo:" label inside a short paragraph.
_CAPTION = re.compile(
    r"\((?:AP|AFP|Reuters|EPA|Getty|PA|Xinhua|UPI)\s*(?:Photo|Images|/)[^)]{0,80}\)"
    r"|\b(?:AP|AFP|Reuters|EPA|PA|Getty)\s+(?:Photo|Images)\b"
    r"|/\s*(?:AFP|AP|Reuters|EPA|Getty Images|Shutterstock|Alamy|Bloomberg|PA Images|iStock)\b"
    r"|\bGetty Images\b|\bShutterstock\b|\biStock(?:photo)?\b"
    r"|^(?:photo|image|picture|photograph|credit|foto|bild)s?\s*(?:credit)?\s*(?::|by\b|courtesy\b)"
    r"|\b(?:photo|image|picture)s?\s+(?:credit|courtesy|by)\s*:?"
    r"|\bphotos?\s*©|©\s*\w[^.]{0,60}$",
    re.I,
)
# Share / follow / newsletter / donate / subscribe / comment prompts.
_SOCIAL = re.compile(
    r"^(?:share|tweet|email|print|pin|whatsapp|facebook|twitter|linkedin|reddit)"
    r"(?:\s+(?:this|on|via|article|story)\b.*)?$"
    r"|\bshare (?:it|this)(?: story| article)? with\b|^share (?:this|on)\b|\bshare on (?:facebook|twitter)\b"
    r"|^follow (?:us|me|him|her|them|@)|\bfollow (?:us|him|her|me|them) on\b|\bon (?:twitter|facebook|instagram) @\w"
    r"|\bsign up (?:for|to)\b|\bsubscribe\b|\bsubscriptions?\b|\bnewsletters?\b|\bdonate\b"
    r"|\bsupport (?:our|independent) journalism\b"
    r"|\bget the latest\b.*\binbox\b|^click here to (?:subscribe|sign up|register)\b"
    r"|\blike this (?:story|article)\b|\btell us what you think\b"
    r"|^\d*\s*comments?$|^(?:leave|post|add) a (?:comment|reply)\b|^advertisement$|^(?:skip|close) ad\b"
    r"|\bhave a (?:news )?tip\b|\bdownload (?:our|the) app\b|^related(?: articles?| stories| content)?:?$"
    r"|^(?:see|read|watch) (?:more|also)\b|^don'?t miss\b|^(?:more|read) (?:on|from) this\b|^also on\b"
    r"|^more from\b|^recommended\b|^trending\b|^most (?:read|popular)\b|^(?:you may|you might) also like\b"
    r"|\b\d+ issues for\b|\bdelivered (?:to|through) your (?:door|letterbox|inbox)\b"
    r"|^(?:leia|veja) (?:tamb[ée]m|mais)\b|^lesen sie auch\b|^leggi anche\b|^\[button\b",
    re.I,
)
# words of the share rule that a story sentence also uses ("an annual subscription", "donate unwanted
# items", "read more about"): in a sentence of this many words they are the story's (wcxb-dev: 183 of 306
# share removals were article text, mostly such sentences; aeb-dev prompts are shorter or start so)
_LOOSE_SOCIAL = re.compile(r"subscriptions?|subscribe|newsletters?|donate|(?:see|read|watch) (?:more|also)", re.I)
LOOSE_SOCIAL_MAX_WORDS = 12
_COPYRIGHT = re.compile(
    r"^(?:copyright|©|\(c\))\s*(?:\d{4}|\w)|\bcopyright\s+(?:©\s*)?\d{4}\b|\ball rights reserved\b"
    r"|\bto see more,? visit\b",
    re.I,
)
_CREDIT_LINE = re.compile(
    r"^(?:[A-Z][\w.'’-]+\s+){1,3}(?:and\s+(?:[A-Z][\w.'’-]+\s+){1,3})?reported from\s+[A-Z]"
    r"|^(?:additional )?reporting by\b|\bcontributed (?:to )?(?:this|reporting)\b",
    re.I,
)
_BIO = re.compile(
    r"\b(?:is|was) an? (?:[\w-]+ ){0,4}(?:reporter|writer|correspondent|editor|journalist|columnist|contributor)\b"
    r"|\b(?:may|can) be reached at\b|\bfollow (?:him|her|them) on\b|@\w+ on twitter\b|\breach (?:him|her) at\b",
    re.I,
)
# Post metadata lines and tag lists: "Tags", "Posted by X - Category: Y", "Publicado por: ...".
_META_LINE = re.compile(
    r"^(?:tags?|etiquetas|schlagw[öo]rter|categor(?:y|ies|ia|ias))\s*:?$|^tags?\s*:"
    r"|\b(?:posted|published|publicado|publicada) (?:by|por)\s*:|\b(?:category|categoria|filed under)\s*:",
    re.I,
)
# Affiliate and editorial disclosures, reading times, pagination and "By ..." lines left in the body
_DISCLOSURE = re.compile(
    r"\b(?:earn|receive|get)s? (?:a )?(?:small )?(?:commissions?|from qualifying purchases)\b|\baffiliate links?\b"
    r"|\bqualifying purchases\b|\bchosen independently by our editors\b|\bsupported by commissions\b"
    r"|^advertisement\b.{0,40}$",
    re.I,
)
_POST_LINE = re.compile(
    r"^\d+\s*(?:min(?:ute)?s?\.?)\s*(?:read(?:ing)?)?(?:\s*time)?$|^page \d+ of \d+$"
    r"|^(?:written|posted|published|reviewed|fact[- ]checked) by\b|^by\s+(?-i:[A-Z][\w.'’-]+\s+[A-Z])",
    re.I,
)
_SENTENCE_END = re.compile(r"[.!?…:;\"”’)]$")


def html_apply_rules(
    blocks: list[Block], title: str | None, byline: str | None, boxed: dict[int, str] | None = None
) -> tuple[list[str], list[Chrome]]:
    """Split blocks into body paragraphs and chrome; chrome keeps the text verbatim with its rule. `boxed`: the
    blocks found in a box beside the story (an author bio, a footer: `html.html_boxed`), by index, with its kind."""
    reasons: list[str | None] = [None] * len(blocks)
    title_norm = _norm(title or "")
    n = len(blocks)
    for i, b in enumerate(blocks):
        reasons[i] = _rule(b, i, n, title_norm) or (boxed or {}).get(i)
    _keep_inner_links(blocks, reasons)
    _mark_tag_lists(blocks, reasons)
    _mark_repeats(blocks, reasons)
    _mark_copies(blocks, reasons)
    _mark_tail_bios(blocks, reasons, byline)
    _mark_orphan_heads(blocks, reasons)
    paragraphs = [b.text for b, r in zip(blocks, reasons, strict=True) if r is None]
    chrome = [Chrome(b.text, r) for b, r in zip(blocks, reasons, strict=True) if r is not None]
    return paragraphs, chrome


def _rule(b: Block, i: int, n: int, title_norm: str) -> str | None:
    """The chrome rule one block falls under, or None for body text."""
    text, words = b.text, _words(b.text)
    norm = _norm(text)
    if i < 3 and title_norm and norm and (norm == title_norm or (len(norm) > 20 and title_norm.startswith(norm))):
        return "title-repeat"
    # 60 words: aeb-dev captions are <= 45 words; longer paragraphs naming Getty/AFP are story text
    if words <= 60 and _CAPTION.search(text) and b.kind != "quote":
        return "caption"
    # 30 words: share/newsletter prompts on aeb-dev are <= 25 words; body sentences can say "subscribe"
    social = _SOCIAL.search(text) if words <= 30 else None
    # the page's topic is not chrome: on wcxb-dev a third of the "share" hits were a guide's own subject
    # ("subscription", "newsletter", "donate" in its title)
    if social and not _stems(social[0]) & _stems(title_norm) and not (
        _LOOSE_SOCIAL.fullmatch(social[0]) and words >= LOOSE_SOCIAL_MAX_WORDS and _SENTENCE_END.search(text)
    ):
        return "share"
    if words <= 25 and _META_LINE.search(text):
        return "post-meta"
    # 60 words: wcxb-dev disclosures are 1-2 sentences; 15: a byline with date and reading time
    if words <= 60 and _DISCLOSURE.search(text):
        return "disclosure"
    if words <= 15 and _POST_LINE.search(text):
        return "post-meta"
    if words <= 40 and _COPYRIGHT.search(text):
        return "copyright"
    if words <= 40 and _CREDIT_LINE.search(text):
        return "credit-line"
    # link lists: 0.7 of the characters inside links and no sentence end; aeb-dev body lines stay below 0.5
    if b.kind != "quote" and b.link_ratio >= 0.7 and words <= 25 and not _SENTENCE_END.search(text):
        return "related-links"
    return None


# a paragraph of this many words ending like a sentence is story prose (wcxb-dev, aeb-dev)
PROSE_MIN_WORDS = 15


def _keep_inner_links(blocks: list[Block], reasons: list[str | None]) -> None:
    """Linked headings, items and rows between story paragraphs are the story's own lists (a table of
    contents, the ranked items of a guide, its sources): only those before the first or after the last
    prose paragraph are navigation. On wcxb-dev 1,337 of 1,589 linked lines the line rule removed were article text; on
    aeb-dev 14 of 28."""
    prose = [i for i, b in enumerate(blocks) if reasons[i] is None and _is_prose(b)]
    if not prose:
        return
    for i in range(prose[0] + 1, prose[-1]):
        # headings, list items and table rows: the article's structure; a linked paragraph between story
        # paragraphs is a promo ("SEE MORE: ...", aeb-dev)
        if reasons[i] == "related-links" and blocks[i].kind in ("head", "item", "row"):
            reasons[i] = None


def _is_prose(b: Block) -> bool:
    return b.kind in ("p", "quote", "item") and _words(b.text) >= PROSE_MIN_WORDS and bool(_SENTENCE_END.search(b.text))


def _mark_tag_lists(blocks: list[Block], reasons: list[str | None]) -> None:
    """The comma-separated keyword list under a "Tags" label."""
    for i in range(1, len(blocks)):
        text = blocks[i].text
        if (
            reasons[i] is None
            and reasons[i - 1] == "post-meta"
            and text.count(",") >= 2
            and not _SENTENCE_END.search(text)
            and max(_words(part) for part in text.split(",")) <= 6  # tags are short phrases
        ):
            reasons[i] = "post-meta"


def _mark_repeats(blocks: list[Block], reasons: list[str | None]) -> None:
    """The story printed twice or thrice by the page template: later copies of its paragraphs are chrome.

    Only when the repeated paragraphs are a large share of the body: recipes, schedules and Q&A pages repeat
    single lines legitimately.
    """
    seen: set[str] = set()
    repeated: list[int] = []
    for i, b in enumerate(blocks):
        # 120 characters: shorter lines ("Advertisement", a subhead, "Meal 1") repeat legitimately
        if reasons[i] is None and len(b.text) >= 120:
            key = _norm(b.text)
            if key in seen:
                repeated.append(i)
            seen.add(key)
    body_chars = sum(len(b.text) for b, r in zip(blocks, reasons, strict=True) if r is None)
    # 0.35: legitimate repeats on aeb-dev are <= 22% of a body; a story printed twice repeats 50%
    if body_chars and sum(len(blocks[i].text) for i in repeated) >= 0.35 * body_chars:
        for i in repeated:
            reasons[i] = "repeat"


# a run repeated at once is a rendering copy when it holds this many words: on wcxb-dev 6 pages gain (word F1
# +0.002 to +0.066) and none loses at 8; at 3, 3 pages lose (short labels repeated on purpose); aeb-dev unchanged
COPY_MIN_WORDS = 8


def _mark_copies(blocks: list[Block], reasons: list[str | None]) -> None:
    """The second copy of a run of body blocks repeated straight after itself (a block rendered twice: a mobile
    and a desktop copy, a carousel's clone), as `clean.text` marks a dump's lines."""
    body = [i for i, r in enumerate(reasons) if r is None]
    for j in text_second_copies([_norm(blocks[i].text) for i in body], COPY_MIN_WORDS):
        reasons[body[j]] = "duplicate"  # the first copy stays


def _mark_tail_bios(blocks: list[Block], reasons: list[str | None], byline: str | None) -> None:
    """Author bios and contact lines in the last three body blocks."""
    body = [i for i, r in enumerate(reasons) if r is None]
    names = [w for w in re.findall(r"\w+", (byline or "").lower()) if len(w) > 2]
    for i in body[-3:]:
        text = blocks[i].text
        # 80 words: bios on aeb-dev are 1-3 sentences; a closing story paragraph is rarely that short *and* matches
        if _words(text) > 80 or not _BIO.search(text):
            continue
        starts_with_name = bool(names) and _norm(text).split(" ")[0] in names
        if starts_with_name or re.search(
            r"\b(?:may|can) be reached at\b|@\w+ on twitter|\bfollow (?:him|her) on\b", text, re.I
        ):
            reasons[i] = "bio"


def _mark_orphan_heads(blocks: list[Block], reasons: list[str | None]) -> None:
    """A heading whose following blocks were all removed (e.g. "Related" over a link list) is chrome too."""
    for i in range(len(blocks) - 1, -1, -1):
        if reasons[i] is not None or blocks[i].kind != "head":
            continue
        nxt = next((j for j in range(i + 1, len(blocks)) if blocks[j].kind == "head" or reasons[j] is None), None)
        if nxt is None or blocks[nxt].kind == "head":
            following = reasons[i + 1 : nxt] if nxt is not None else reasons[i + 1 :]
            if following and all(r is not None for r in following):
                reasons[i] = following[0] or "related-links"
            elif nxt is None:
                reasons[i] = "trailing-heading"
