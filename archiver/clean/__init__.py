"""Cleaning: a capture's raw bytes -> an Article (body paragraphs, metadata, removed chrome).

`decode` turns bytes into text and says whether it is HTML or plain text; `html` and `text`
are the two cleaners. Credits are read afterwards by `archiver.clean.credits`.
"""

from __future__ import annotations

from archiver.types import Article, Capture

# Bump when a change to the cleaners changes what they output; `archive reprocess` re-cleans
# captures whose stored cleaner_version is older.
CLEANER_VERSION = 7  # 2: glued-block splitting in the plain-text cleaner; site templates
# 3: two trafilatura runs reconciled per page; headline from <h1>; bylines cut to names
# 4: plain-text dumps: comment threads by evidence, duplicate blocks, jusText stoplists, recurring names unsplit
#    HTML metadata reconciled (JSON-LD, head tags, shown date, site name never a URL); language by CLD2
#    React's streamed segments placed and shown; trafilatura's fallback and the second opinion only in doubt
# 5: plain-text dumps: span chosen again with the story's topic, related-block headers end it, a
#    legal-sounding paragraph inside the story is kept, labels it repeats kept;
#    HTML: dropped subheads and list items between the story's paragraphs put back; "Sign up for" prompts
#    no longer kept for sharing "for" with the title; published date: the header's shown date before the
#    JSON-LD's; bylines: the header's "By" line over an uploader's account, co-authors kept, organisations
#    whole; titles encoded twice read back
# 6: HTML: markup after a stray </html> kept, lists opening the story put back, a card rendered twice kept
#    once, CMS embed blocks with prose kept, a rejected <h1> stays in the body; titles: sentence and
#    all-caps <h1>s passed over; dates: <time pubdate>, re-publications, data dates; bylines: site credits
#    whole, author element re-read, bios; plain-text dumps: sentence-case list items, glued story cards,
#    further runs of prose from 80 words, runs joined, related boxes, captions, author boxes, a story
#    rendered twice, bylines and table rows inside the story
# 7: HTML: lines of small author-bio, footer, newsletter and promo boxes are chrome; a pop-up holding the
#    <h1> is not hidden; titles: the head's title stated twice and printed by a heading over a differing
#    <h1>; plain-text dumps: catalogue records before and after the story, related headers and "Related:"
#    lines, cards of other posts with cut excerpts, a related header over dated posts ends the story,
#    cookie-consent panels


def clean(capture: Capture) -> Article:
    """Clean one capture; raises InputError when it holds no readable article.

    The cleaners are imported here, not with the package: the read commands use its small modules
    (`site_template`) and must not pay for trafilatura's import (~0.13 s). `pipeline.prepare` imports them
    before workers fork.
    """
    from archiver.clean.decode import decode_capture

    text, kind = decode_capture(capture)
    if kind == "html":
        from archiver.clean.html import clean_html

        return clean_html(text, url=capture.url)
    from archiver.clean.text import clean_text

    return clean_text(text)
