"""Features of plain-text units (lines / paragraphs) used by the text cleaner.

Pure functions: stopword density, sentence shape, title case, and the generic chrome vocabularies
(share buttons, player/UI words, copyright, photo credits, dates) seen across news sites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archiver.clean.language import language_of

_DATA = Path(__file__).resolve().parent.parent / "data"

WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# sentence-final: . ! ? … optionally followed by closing quotes/brackets; also CJK stops
_FINAL_RE = re.compile(r"[.!?…。！？]['\"”’»)\]]*$|[\"”»]$")
# abbreviations that end a line without ending a sentence (wrapped "Sept." / "Gen.")
_ABBREV_RE = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|Mr|Mrs|Ms|Dr|Gen|Gov|Sen|Rep|Lt|Col|Sgt|Capt|"
    r"Prof|St|Mt|No|vs|etc|approx|Inc|Corp|Co|Jr|Sr)\.$"
)


@lru_cache(maxsize=None)
def text_stopwords(lang: str) -> frozenset[str]:
    """The stopword list of one language (archiver/data/stopwords_<lang>.txt)."""
    path = _DATA / f"stopwords_{lang}.txt"
    if not path.exists():
        return frozenset()
    words = path.read_text(encoding="utf-8").split()
    return frozenset(w.lower() for w in words)


# ISO 639-1 code (the detector's) -> jusText's stoplist of that language (100 lists built from Wikipedia, the
# same the jusText paper classifies paragraphs with). Chinese, Japanese and Korean have none that fits
# word tokens: their units are measured by characters.
_STOPLIST_NAMES = {
    "af": "Afrikaans", "an": "Aragonese", "ar": "Arabic", "az": "Azerbaijani", "be": "Belarusian",
    "bg": "Bulgarian", "bn": "Bengali", "br": "Breton", "bs": "Bosnian", "ca": "Catalan", "cs": "Czech",
    "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek", "en": "English", "eo": "Esperanto",
    "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "ga": "Irish", "gl": "Galician", "gu": "Gujarati", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "ht": "Haitian", "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian", "is": "Icelandic",
    "it": "Italian", "jv": "Javanese", "ka": "Georgian", "kk": "Kazakh", "kn": "Kannada", "ku": "Kurdish",
    "ky": "Kyrgyz", "la": "Latin", "lb": "Luxembourgish", "lt": "Lithuanian", "lv": "Latvian",
    "mk": "Macedonian", "ml": "Malayalam", "mr": "Marathi", "ms": "Malay", "mt": "Maltese",
    "nb": "Norwegian_Bokmal", "ne": "Nepali", "nl": "Dutch", "nn": "Norwegian_Nynorsk",
    "no": "Norwegian_Bokmal", "oc": "Occitan", "pa": "Western_Panjabi", "pl": "Polish", "pt": "Portuguese",
    "qu": "Quechua", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian",
    "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "tl": "Tagalog",
    "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "vo": "Volapuk", "wa": "Walloon",
}
# the detector reads prose-like lines (this many characters or more: menus and buttons are English on
# many non-English sites) of the dump, up to this many characters in all
_DETECT_MIN_CHARS = 60
_DETECT_MAX_CHARS = 2000


@lru_cache(maxsize=None)
def text_stoplist(lang: str | None) -> frozenset[str]:
    """The stoplist of a language (ISO 639-1 code) for stopword density; empty when there is none.

    English: our own list of function words, on which the cleaner's thresholds were calibrated (jusText's
    English list, drawn from word frequencies, holds month names and "may": a month archive menu scored
    0.44, as dense as prose). Every other language: jusText's list (our own 45-word Indonesian list put
    0.64 of aeb-dev's Indonesian story paragraphs under GOOD_MIN_STOP, jusText's 0.09).
    """
    if lang == "en":
        return text_stopwords("en")
    name = _STOPLIST_NAMES.get(lang or "")
    if not name:
        return frozenset()
    import justext

    return frozenset(w.lower() for w in justext.get_stoplist(name))


def text_detect_language(text: str) -> str | None:
    """The language of a text dump (ISO 639-1), from its prose-like lines, by the one detector the cleaners
    share (`archiver.clean.language`, CLD2); None without letters or where the text cannot tell."""
    lines = [ln for ln in text.splitlines() if len(ln.strip()) >= _DETECT_MIN_CHARS]
    sample = "\n".join(lines)[:_DETECT_MAX_CHARS] or text[:_DETECT_MAX_CHARS]
    if not any(c.isalpha() for c in sample):
        return None
    return language_of(sample)


def text_stop_share(text: str, lang: str | None) -> float:
    """Share of the text's words in the language's stoplist (0 without a stoplist)."""
    stop = text_stoplist(lang)
    words = text_words(text)
    return sum(w.lower() in stop for w in words) / len(words) if stop and words else 0.0


def text_words(text: str) -> list[str]:
    """Word tokens (letters/digits, inner apostrophes kept)."""
    return WORD_RE.findall(text)


def text_ends_sentence(text: str) -> bool:
    """True when the text ends like a sentence (terminal punctuation, not an abbreviation)."""
    t = text.rstrip()
    return bool(_FINAL_RE.search(t)) and not _ABBREV_RE.search(t)


def text_ends_abbrev(text: str) -> bool:
    """True when the text ends with an abbreviation like 'Sept.'."""
    return bool(_ABBREV_RE.search(text.rstrip()))


@dataclass(frozen=True)
class Unit:
    """One line or paragraph of a text dump, with its features."""

    text: str
    words: int  # word tokens; CJK text counts 1 word per 2 characters
    stop: float | None  # stopword density, None when the language is unknown
    sentence: bool  # ends like a sentence
    titlecase: float  # share of capitalised words among words of 4+ letters
    alpha: float  # share of letters among non-space characters


def text_unit(text: str, lang: str | None) -> Unit:
    """Compute the features of one unit."""
    words = text_words(text)
    n = len(words)
    cjk = len(_CJK_RE.findall(text))
    if cjk:
        n = max(n, cjk // 2)
    stop = None
    sw = text_stoplist(lang)
    if sw and words:
        stop = sum(w.lower() in sw for w in words) / len(words)
    long_words = [w for w in words if len(w) >= 4 and w[0].isalpha()]
    titlecase = sum(w[0].isupper() for w in long_words) / len(long_words) if long_words else 0.0
    chars = [c for c in text if not c.isspace()]
    alpha = sum(c.isalpha() for c in chars) / len(chars) if chars else 0.0
    return Unit(text, n, stop, text_ends_sentence(text), titlecase, alpha)


# ---- generic chrome vocabularies -------------------------------------------------------------

_SHARE_WORDS = {
    "facebook", "twitter", "linkedin", "email", "e", "mail", "print", "share", "whatsapp",
    "pinterest", "reddit", "tumblr", "messenger", "telegram", "copy", "link", "sms", "flipboard",
    "pocket", "x", "instagram", "youtube", "tiktok", "google", "comments", "comment", "tweet",
    "this", "article", "story", "on", "via", "the", "shares", "save", "gift", "vk", "ok", "line",
    "click", "to", "opens", "in", "new", "window", "a", "friend", "send", "follow", "us", "rss",
    "feed", "embed", "more", "options", "share this", "url", "sharing", "social", "networks",
}
_UI_RE = re.compile(
    r"^(?:play(?: all)?(?: audios?| video| live radio)?|listen(?: live| now| to this (?:article|story))?|"
    r"pause|loading|next up|up next|live radio|live|watch(?: live| now)?|subscribe(?: now)?|"
    r"sign (?:up|in)|log ?in|log ?out|register|newsletters?|donate(?: now)?|advertisement|"
    r"advertising|sponsored(?: content)?|skip to (?:main )?content|skip to site index|menu|search|"
    r"close|open|home|sections?|more|read more|see more|show more|load more|continue reading"
    r"(?: the main story)?|related(?: articles| stories| posts| content| coverage)?|"
    r"most (?:read|popular|viewed)|trending(?: now)?|you may also like|recommended(?: for you)?|"
    r"tags?|topics?|back to top|top|previous|next|all rights reserved|accept(?: cookies)?|"
    r"cookies?|privacy policy|terms of (?:use|service)|contact us|about us|"
    r"available on air stations|an? \w+ member station|all stations|audio|video|photos?|"
    r"view (?:gallery|comments|all)|image|enlarge this image|toggle caption|hide caption|"
    r"play video|watch video|this is a carousel.*|scroll to continue.*|today'?s paper|"
    r"(?:image|photo|picture|slide|foto|imagen|bild)\s+\d+\s+(?:of|/|de|di|von|sur)\s+\d+)$",
    re.IGNORECASE,
)
_PLAYER_RE = re.compile(r"^(?:\d{1,2}:\d{2}(?::\d{2})?\s*(?:/\s*)?)+$")
_COPYRIGHT_RE = re.compile(
    r"(?:^|\s)(?:copyright\s*(?:©|\(c\))?\s*\d{4}|©|\(c\)\s*\d{4})|all rights reserved|"
    r"to see more,? visit|this (?:material|article) may not be (?:published|reproduced)",
    re.IGNORECASE,
)
_AGENCIES = (
    r"(?:AP|AFP|Reuters|Getty(?: Images)?|EPA(?:-EFE)?|Bloomberg|Xinhua|Shutterstock|Alamy|"
    r"Sipa(?: USA)?|Pool|ANP|dpa|NurPhoto|Anadolu(?: Agency)?|SOPA Images|LightRocket|iStock(?:photo)?|"
    r"Corbis|ZUMA(?: Press| Wire)?|TNS|Bloomberg via Getty Images|The Washington Post|"
    r"The New York Times|PA(?: Wire| Images)?|Rex|AAP|Kyodo|Yonhap|UPI|EFE)"
)
_CAPTION_RE = re.compile(
    r"\((?:[^()]{0,40}\b(?:photo|foto|image|picture|file)s?\b[^()]{0,60})\)|"
    rf"(?:[/|–—]|\s-)\s*{_AGENCIES}(?![a-z])|"
    rf"\b{_AGENCIES}\s*/\s*[A-Z]|"
    r"\b(?:photo(?:graph)?s?|image|picture|credit|foto|source|illustration)\s*(?::|\.\.\.|by\b)|"
    r"\b(?:photo|image) courtesy\b|\bcredit\.\.\.|"
    rf"^(?:(?:photo|foto|image|credit)s?:?\s*)?{_AGENCIES}(?:\s*(?:/|via)\s*{_AGENCIES})?\s*$",
    re.IGNORECASE,
)
_DATE_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ]
    )
    for m in names
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE_ISO_RE = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")
_DATE_MDY_RE = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b", re.I)
_DATE_DMY_RE = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s+({_MONTH})\s+((?:19|20)\d\d)\b", re.I)
DATE_LEAD_RE = re.compile(
    r"^\s*(?:date|published|updated|posted|last updated|first published|publié|veröffentlicht)"
    r"(?:\s+on)?\s*:?\s*",
    re.IGNORECASE,
)
_TIME_RE = re.compile(r"\b\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4}\b)?", re.IGNORECASE)


def text_date(text: str) -> tuple[str, int, int] | None:
    """The first date in the text as (ISO date, start, end), or None."""
    found: list[tuple[int, int, str]] = []
    for m in _DATE_ISO_RE.finditer(text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        if 1 <= mo <= 12 and 1 <= d <= 31:
            found.append((m.start(), m.end(), f"{y:04d}-{mo:02d}-{d:02d}"))
    for m in _DATE_MDY_RE.finditer(text):
        mo, d, y = _DATE_MONTHS[m[1].lower().rstrip(".")], int(m[2]), int(m[3])
        if 1 <= d <= 31:
            found.append((m.start(), m.end(), f"{y:04d}-{mo:02d}-{d:02d}"))
    for m in _DATE_DMY_RE.finditer(text):
        d, mo, y = int(m[1]), _DATE_MONTHS[m[2].lower().rstrip(".")], int(m[3])
        if 1 <= d <= 31:
            found.append((m.start(), m.end(), f"{y:04d}-{mo:02d}-{d:02d}"))
    if not found:
        return None
    start, end, iso = min(found)
    return iso, start, end


def text_strip_time(text: str) -> str:
    """Remove clock times ("12:55 PM EDT") and 'at' joiners from a date line's remainder."""
    return re.sub(r"^\s*(?:at\s+)?", "", _TIME_RE.sub("", text, count=1)).strip(" ,|·-–—")


def text_is_share(text: str) -> bool:
    """A run of social/share button labels ("Facebook Twitter LinkedIn Email")."""
    words = [w.lower() for w in text_words(text)]
    return bool(words) and len(words) <= 16 and all(w in _SHARE_WORDS for w in words) and any(
        w in {"facebook", "twitter", "linkedin", "email", "print", "share", "whatsapp", "pinterest", "reddit"}
        for w in words
    )


def text_is_ui(text: str) -> bool:
    """A player/navigation/UI label ("Play all audios:", "Loading...", "0:00 0:00", "Next Up:")."""
    t = text.strip().strip(":.…·|•*>»«-–— ").strip()
    return bool(_UI_RE.match(t) or _PLAYER_RE.match(t) or (t and not any(c.isalnum() for c in t)))


def text_is_copyright(text: str) -> bool:
    """A copyright / syndication footer ("Copyright 2021 NPR. To see more, visit ...")."""
    return bool(_COPYRIGHT_RE.search(text)) and len(text_words(text)) <= 40


_AGENCY_RE = re.compile(rf"(?<!\w){_AGENCIES}(?!\w)")


def text_is_agency_credit(text: str) -> bool:
    """Names a photo agency or wire ("Hau Dinh, AP", "Bloomberg | Getty Images")."""
    return bool(_AGENCY_RE.search(text))


def text_has_photo_credit(text: str) -> bool:
    """Contains a photo credit ("(AP Photo/...)", "/ AFP", "– Getty Images", "Photo: ...")."""
    return bool(_CAPTION_RE.search(text))


BYLINE_RE = re.compile(
    r"(?:(?:^|(?<=\s))(?:By|BY|Von|Por|Par|Oleh|Автор:?)|^(?:by|von|por|par|di|oleh))\s+"
    r"((?:[A-Z][\w'’.-]*\.?\s+){0,3}[A-Z][\w'’-]+(?:\s+(?:and|&|und|e|y|et)\s+(?:[A-Z][\w'’.-]*\s+){0,2}[A-Z][\w'’-]+)?)",
)

_COMMENTS_RE = re.compile(
    r"^\d+\s+(?:comments?|responses?|replies|reactions?)\b(?:\s+(?:to|on)\b.*)?$|"
    r"^(?:comments?|responses?|replies|reactions?|discussion)\s+(?:to|on)\b.*$|"
    r"\b\d+\s+(?:comments|responses|replies)\b|^\d+ thoughts? on\b|"
    r"^(?:leave|post|add|write|submit|show|view|load|read) (?:a |your |all |the )?(?:\d+ )?"
    r"(?:reply|comments?|responses?)\b|"
    r"^(?:join|start) the (?:discussion|conversation)\b|^comments are closed\b|"
    r"^(?:[\w.@-]+\s+){1,5}(?:on .{6,40} )?(?:says|said|wrote|commented)\s*:$",
    re.IGNORECASE,
)
_LEGAL_RE = re.compile(
    r"\bregistered trademarks?\b|\btrademarks? of\b|\bterms (?:of|and) (?:use|service|conditions)\b|"
    r"\bprivacy (?:policy|notice|statement)\b|\b(?:uses?|use of) cookies\b|\bcookie policy\b|"
    r"\b(?:this|our) (?:web ?site|site)\b.{0,60}\b(?:intended|information|content|use)\b|"
    r"\bnot intended to (?:diagnose|treat|replace)\b|\baffiliate (?:links?|commission)\b|"
    r"\b(?:may|might) earn (?:a )?(?:small )?commission\b",
    re.IGNORECASE,
)


# what only a comment thread or its form holds: a commenter line, a reply button, a comment's timestamp,
# the form's notices
_COMMENT_MARK_RE = re.compile(
    r"^(?:[\w.@()-]+\s+){1,5}(?:on .{6,40} )?(?:says|said|wrote|commented)\s*:?$|"
    r"^(?:reply|log in to reply|cancel reply|report|flag|like)$|^reply\b(?:\W+\w+){0,4}\W*$|"
    r"^(?:flag|report) (?:as inappropriate|(?:this )?comment)|"
    r"\byour email address will not be published\b|\brequired fields are marked\b|"
    r"^(?:name|email|website|comment)\s*\*?$|"
    r"^(?:\w+\s+){0,6}\w+\s+(?:at|@)\s+\d{1,2}:\d\d\s*(?:[ap]\.?m\.?)?$|"
    r"^(?:\d+|an?)\s+(?:minutes?|hours?|days?|weeks?|months?|years?)\s+ago$",
    re.IGNORECASE,
)


def text_is_comment_mark(text: str) -> bool:
    """A line only a comment thread holds ("joe says:", "Reply", "March 3, 2020 at 4:15 pm", the form's
    "Your email address will not be published")."""
    if len(text_words(text)) > 14:
        return False
    if _COMMENT_MARK_RE.search(text.strip()):
        return True
    found = text_date(text)  # a comment's timestamp: a date and a clock time, nothing else
    return found is not None and found[1] <= 2 and bool(_TIME_RE.search(text)) and len(text_words(text)) <= 9


def text_is_comments_start(text: str) -> bool:
    """A comment-section header or a commenter line ("34 Comments", "Leave a Reply", "joe says:")."""
    return len(text_words(text)) <= 14 and bool(_COMMENTS_RE.search(text.strip()))


def text_is_legal(text: str) -> bool:
    """Site legal / disclosure boilerplate (trademarks, terms, privacy, cookies, affiliate links)."""
    return bool(_LEGAL_RE.search(text))

# "unsubscribe", "no spam": a newsletter form's notice (aeb-dev c50845a7: "No spam, we promise. You can
# unsubscribe at any time..." kept at the story's end; dumps word F1 aeb-dev +0.0004, wcxb-dev +0.00002)
_PROMO_RE = re.compile(
    r"\bclick here\b|\bsubscribe\b|\bsign(?:ing)? up\b|\bnewsletters?\b|\bto your inbox\b|"
    r"\bfollow us\b|\bdownload (?:the|our) app\b|\bsupport (?:our|independent) journalism\b|"
    r"\bbecome a (?:member|subscriber|patron)\b|\bdonat(?:e|ion)\b|\bunlimited access\b|"
    r"\bfree trial\b|\balready a subscriber\b|\bwe'd like to hear\b|"
    r"\bfollow [\w ]{1,30} on (?:twitter|facebook|instagram)\b|"
    r"\bread (?:more|next|also)\s*:|\b(?:recommended|related|more) (?:stories|articles|reading)\b|"
    r"\bsponsored\b|\badvertisement\b|\bunsubscribe\b|\bno spam\b",
    re.IGNORECASE,
)
# a title-case headline glued to its teaser text ("...SteakhouseA party of six...", "...Strike PossibleThe
# United Auto Workers..."): headline words may end in "?" or ";" ("Say Cheese? Detroit's Top 3 Cheese
# ShopsWondering"), and the summary may open with "A" or "I" (aeb-dev c467d507: 6 such cards before the
# story, kept as its prose; no other inscriptis line of either set matches the wider form)
_TEASER_RE = re.compile(
    r"^(?:[A-Z0-9‘'“\"$][\w'’:;,&$.%?!-]*\s+"
    r"(?:(?:a|an|the|of|in|on|at|to|for|and|or|with|by|is|are|as|from|up|vs\.?)\s+)?){3,}"
    r"\S*(?:[a-z0-9’'”?!)][A-Z][a-z]|[a-z][AI]\s)"
)


def text_is_promo(text: str) -> bool:
    """Subscription / newsletter / donation / related-content promo wording."""
    return bool(_PROMO_RE.search(text))


def text_is_teaser(text: str) -> bool:
    """A related-story card: title-case headline glued to its summary."""
    return bool(_TEASER_RE.match(text))
