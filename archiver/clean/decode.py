"""Raw capture bytes -> (text, kind): pick the character encoding, refuse non-pages, sniff HTML vs text.

Encoding order: byte-order mark, then the declared charset (HTTP header / content_type, then
<meta charset> or <meta http-equiv> or <?xml encoding?> near the start), then strict UTF-8, then
charset-normalizer, then cp1252 (the WHATWG default for unlabelled western pages) with replacement.
"""

from __future__ import annotations

import codecs
import re

from archiver.errors import InputError
from archiver.types import Capture

# A news article page, even with inline scripts and styles, is well under 5 MB; 50 MB leaves 10x headroom
# for pathological-but-real pages while refusing disk images, videos and logs before any parsing is tried.
MAX_BYTES = 50 * 1024 * 1024

# How far into the document a <meta charset> / xml declaration is looked for. HTML5 says 1024 bytes, but
# saved pages often carry long comments or inline scripts before it; 8 KB still keeps the scan cheap.
META_SCAN_BYTES = 8192

# How far into the text HTML tags are looked for when no content type is declared.
SNIFF_CHARS = 4096

_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"PK\x03\x04", "ZIP"),
    (b"PK\x05\x06", "ZIP"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh91AY&SY", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x7fELF", "ELF executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "MS Office"),
    (b"OggS", "Ogg"),
    (b"fLaC", "FLAC"),
    (b"ID3\x03", "MP3"),
    (b"ID3\x04", "MP3"),
    (b"SQLite format 3\x00", "SQLite"),
    (b"WARC/", "WARC"),  # a WARC must go through the WARC source, not be cleaned as one page
]

_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

_CHARSET_PARAM = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""", re.I)
_HTML_SNIFF = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|p|div|article|section|br|table|script|style)\b",
    re.I,
)

# WHATWG Encoding Standard: browsers read these labels as windows-1252, and so do we.
_WHATWG_ALIASES = {
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1252": "cp1252",
    "x-user-defined": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "utf8": "utf-8",
    "unicode": "utf-16-le",
    "utf-16": "utf-16-le",
}


def decode_capture(capture: Capture) -> tuple[str, str]:
    """Decode a capture's bytes and say whether they are "html" or "text"; raises InputError."""
    raw = capture.raw
    if len(raw) > MAX_BYTES:
        raise InputError(
            f"file too large ({len(raw) / 1e6:.0f} MB, limit {MAX_BYTES // (1024 * 1024)} MB), not a web page"
        )
    if not raw.strip():
        raise InputError("empty file")
    content_type = _declared_content_type(capture)
    text = decode_bytes(raw, content_type)
    text = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    if not text.strip():
        raise InputError("empty file")
    kind = sniff_kind(text, content_type)
    if kind == "html":
        text = _XML_INVALID.sub(_xml_invalid_replacement, text)
    return text, kind


# Characters libxml2 refuses (C0 controls but tab, newline, form feed and carriage return; U+FFFE, U+FFFF):
# one of them anywhere made lxml stop parsing there, and the page was refused as "no article text found".
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_invalid_replacement(match: re.Match[str]) -> str:
    """A form feed separates like a space; the others are dropped (they render as nothing)."""
    return " " if match.group() == "\x0c" else ""


def decode_bytes(raw: bytes, content_type: str | None = None) -> str:
    """Bytes -> str by BOM, declared charset, UTF-8, charset-normalizer, cp1252; refuses binary input."""
    text = _decode_unicode_marked(raw)
    if text is not None:
        return text
    _check_not_binary(raw)

    codecs_declared = _declared_codecs(raw, content_type)
    utf8: str | None
    try:
        utf8 = raw.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None

    text = _decode_declared(raw, codecs_declared, utf8)
    if text is not None:
        return text
    if utf8 is not None:
        return utf8
    guessed = _guess_encoding(raw)
    if guessed:
        return raw.decode(guessed, errors="replace")
    fallback = codecs_declared[0] if codecs_declared else "cp1252"
    return raw.decode(fallback, errors="replace")


def _decode_unicode_marked(raw: bytes) -> str | None:
    """The text of a page with a BOM or recognisable BOM-less UTF-16 (checked not binary), else None."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            text = raw[len(bom) :].decode(encoding, errors="replace")
            _check_text_not_binary(text)
            return text
    utf16 = _utf16_without_bom(raw)
    if utf16:
        text = raw.decode(utf16, errors="replace")
        _check_text_not_binary(text)
        return text
    return None


def _declared_codecs(raw: bytes, content_type: str | None) -> list[str]:
    """Python codec names of the charsets declared by Content-Type, XML declaration and <meta>, in that order."""
    declared = []
    if content_type:
        declared += _charset_labels(_CHARSET_PARAM, content_type.encode("latin-1", "replace"))
    head = raw[:META_SCAN_BYTES]
    declared += _charset_labels(_XML_ENCODING, head) + _charset_labels(_META_CHARSET, head)
    return [c for c in (_codec_name(label) for label in declared) if c]


def _decode_declared(raw: bytes, codecs_declared: list[str], utf8: str | None) -> str | None:
    """The text by the first declared codec that decodes it (UTF-8 over a stale single-byte label), else None."""
    for encoding in codecs_declared:
        if encoding == "utf-8":
            if utf8 is not None:
                return utf8
            continue
        # Pages saved to disk are often re-encoded as UTF-8 but keep their old <meta charset>: bytes that
        # decode as UTF-8 *with* multi-byte sequences are practically never real single-byte text.
        if utf8 is not None and not raw.isascii() and _is_single_byte(encoding):
            return utf8
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def sniff_kind(text: str, content_type: str | None = None) -> str:
    """"html" or "text": a declared text/html or text/plain wins, else look for HTML tags near the start."""
    if content_type:
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime in ("text/html", "application/xhtml+xml"):
            return "html"
        if mime == "text/plain":
            return "text"
    head = text[:SNIFF_CHARS]
    return "html" if _HTML_SNIFF.search(head) else "text"


def _declared_content_type(capture: Capture) -> str | None:
    """The declared Content-Type: the capture's own field first, the HTTP header for what it lacks."""
    header = next(
        (v for k, v in (capture.headers or {}).items() if k.lower() == "content-type" and v), None
    )
    own = capture.content_type
    if not own or not header or "charset" in own.lower():
        return own or header
    match = _CHARSET_PARAM.search(header.encode("latin-1", "replace"))
    return f"{own}; charset={match.group(1).decode('ascii')}" if match else own


def _check_not_binary(raw: bytes) -> None:
    """Raise InputError for known binary formats and for NUL bytes (UTF-16 without BOM is let through)."""
    for magic, name in _MAGIC:
        if raw.startswith(magic):
            if name == "WARC":
                raise InputError("WARC archive, not a single web page (add it as a WARC)")
            raise InputError(f"binary file ({name}), not a web page")
    if raw.lstrip().startswith(b"%PDF-"):
        raise InputError("binary file (PDF), not a web page")
    if raw[:4] == b"RIFF" and raw[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        raise InputError(f"binary file ({raw[8:12].decode().strip()}), not a web page")
    if b"\x00" in raw:
        raise InputError("binary file (contains NUL bytes), not a web page")


def _utf16_without_bom(raw: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when every other byte of the start is NUL (ASCII markup in UTF-16)."""
    sample = raw[:4096]
    if len(sample) < 8 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    # 95%: markup and Latin text in UTF-16 are nearly all ASCII, so one half of the bytes is NUL
    if odd.count(0) >= 0.95 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.95 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _check_text_not_binary(text: str) -> None:
    """After a BOM decode: NUL characters still mean binary content."""
    if "\x00" in text:
        raise InputError("binary file (contains NUL bytes), not a web page")


def _charset_labels(pattern: re.Pattern[bytes], data: bytes) -> list[str]:
    """Every charset label the pattern finds in the data, lower-cased."""
    return [m.group(1).decode("ascii", "replace").lower() for m in pattern.finditer(data)]


def _codec_name(label: str) -> str | None:
    """A charset label -> a Python codec name, with WHATWG aliases; None for an unknown label."""
    label = label.strip().lower()
    label = _WHATWG_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith("utf-16") or name.startswith("utf-32"):
        return None  # a UTF-16 label on bytes without a BOM that passed the NUL check is a lie
    return name


def _is_single_byte(encoding: str) -> bool:
    """True for 8-bit codecs where every byte is one character (latin-1, cp125x, koi8, iso-8859-x ...)."""
    try:
        return len(bytes(range(256)).decode(encoding, errors="replace")) == 256
    except LookupError:
        return False


def _guess_encoding(raw: bytes) -> str | None:
    """charset-normalizer's guess, preferring cp1252 when it fits as well (short latin texts tie)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with the package
        return None
    matches = from_bytes(raw)
    best = matches.best()
    if best is None:
        return None
    # On short Latin texts charset-normalizer ranks DOS/Baltic code pages (cp775, cp1257) over cp1252 by a
    # chaos margin of ~0.05; a Polish/Czech/Cyrillic/Greek text never lists cp1252 at all. So cp1252, the
    # unlabelled-page default of browsers, wins whenever it is listed within 0.1 chaos of the best.
    for match in matches:
        if (
            "cp1252" in match.could_be_from_charset or match.encoding == "cp1252"
        ) and match.chaos <= best.chaos + 0.1:
            return "cp1252"
    return best.encoding
