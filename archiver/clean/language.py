"""The language of a cleaned article, read from its own text; the page's declared language is only a hint.

Pages declare a language in `<html lang>` that is often the template's, not the story's (an English story on
a German edition's template says `de`). The detector is CLD2 (Chromium's compact language detector, through
`pycld2`): 80+ languages, no model to load (py3langid, also well kept, takes 1.5-2 s to load its model in
every process that cleans a page, which every `archive add` would pay), microseconds a page. The declared
language is passed to it as a hint and is the answer only where the text cannot tell (too short, or
mixed without a clear majority).
"""

from __future__ import annotations

import re

import pycld2

# a few paragraphs are enough for the detector and keep it at microseconds on long pages
LANGUAGE_SAMPLE_CHARS = 4000
# CLD2's own reliability flag plus this share of the text in the top language (wcxb-dev and aeb-dev bodies:
# single-language stories score 95-99; quotes and English terms on non-English pages stay under 30)
LANGUAGE_MIN_PERCENT = 60
# CLD2's old or regional codes -> the primary tags pages use
_CODES = {"iw": "he", "jw": "jv", "in": "id", "zh-Hant": "zh", "sr-ME": "sr", "xx-Qaai": "", "un": ""}
# code points CLD2 refuses (C0/C1 controls, surrogates, non-characters)
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def language_of(text: str, declared: str | None = None) -> str | None:
    """The text's language as a lower-case primary tag ("en", "de"), else the declared one (or None)."""
    sample = _REFUSED.sub(" ", text[:LANGUAGE_SAMPLE_CHARS])
    try:
        reliable, _, details = pycld2.detect(sample, hintLanguage=declared) if declared else pycld2.detect(sample)
    except pycld2.error:  # a hint CLD2 does not know ("und"), or text it refuses
        try:
            reliable, _, details = pycld2.detect(sample)
        except pycld2.error:
            return declared
    _, code, percent, _ = details[0]
    code = _CODES.get(code, code).split("-")[0].lower()
    if reliable and code and percent >= LANGUAGE_MIN_PERCENT:
        return code
    return declared
