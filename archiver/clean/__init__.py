"""Cleaning: a capture's raw bytes -> an Article (body paragraphs, metadata, removed chrome).

`decode` turns bytes into text and says whether it is HTML or plain text; `html` and `text`
are the two cleaners. Credits are read afterwards by `archiver.credits`.
"""

from __future__ import annotations

from archiver.clean.decode import decode_capture
from archiver.clean.html import clean_html
from archiver.clean.text import clean_text
from archiver.types import Article, Capture

# Bump when a change to the cleaners changes what they output; `archive reprocess` re-cleans
# captures whose stored cleaner_version is older.
CLEANER_VERSION = 3  # 2: glued-block splitting in the plain-text cleaner; learned site chrome
# 3: two trafilatura runs reconciled per page; headline from <h1>; bylines cut to names


def clean(capture: Capture) -> Article:
    """Clean one capture; raises InputError when it holds no readable article."""
    text, kind = decode_capture(capture)
    if kind == "html":
        return clean_html(text, url=capture.url)
    return clean_text(text)
