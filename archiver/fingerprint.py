"""Text -> fingerprints: exact hash, word-shingle MinHash, spin-robust skeleton MinHash; LSH band keys.

Pure functions, no I/O. Every `Fingerprint` carries its algorithm, version and parameters so an old
archive is never silently compared with numbers made by different code (CONVENTIONS 7).

Byte layouts (all explicit, independent of platform and process):
- "exact":    sha256 of `normalise(text)` encoded UTF-8; 32 bytes.
- "minhash":  NUM_PERM unsigned 32-bit minima, big-endian (`>u4`), permutation order; 4 * NUM_PERM bytes.
- "skeleton": the same layout over n-grams of the ordered skeleton (function words, numbers, names).
A text with no shingles has every minimum at 0xFFFFFFFF and gets no band keys.

MinHash here is hand-written in numpy rather than datasketch's `MinHash` so that the numbers depend only on
this file: shingles are hashed with blake2b (first 4 bytes, big-endian), permuted by
h_i(x) = ((a_i * x + b_i) mod (2**61 - 1)) & 0xFFFFFFFF, with a_i < 2**31 and b_i < 2**32 derived from
blake2b("archive-minhash/<seed>/<i>") -- so a_i * x + b_i < 2**63 never overflows uint64 (datasketch lets
it wrap), and nothing depends on numpy's random streams or Python's salted `hash()`.

Candidate search (LSH) -- the S-curve derivation
------------------------------------------------
Two texts whose shingle sets have Jaccard s share at least one of b bands of r rows with probability
P(s) = 1 - (1 - s**r)**b. An excerpt that is a fraction f of its source has containment 1 but Jaccard only
~f, and a spun rewrite with per-word substitution rate q keeps a word-n-gram with probability (1-q)**n,
so the thresholds we must reach are low Jaccards; r = 1 is the only row count that keeps them with a
budget of <= 64 keys per kind.

"minhash" (word 5-grams, 64 perms, b=64, r=1; S-curve midpoint (1/b)**(1/r) ~ 0.016):
    copy (s ~ 1)                                   P = 1.0
    excerpt of 10% of its source (s ~ 0.10)        P = 0.9988;  5% (s ~ 0.05): P = 0.963
    spin at 30% substitution: a 5-gram survives with 0.7**5 = 0.17, s ~ 0.09       P = 0.998
    Clough light revisions: 5-gram s 0.03-0.89     P(0.03) = 0.86    (measured: 10/10 light share a key)
    independent, same topic: Clough "non" vs source 5-gram s median 0, max 0.004 -> P <= 0.23
    (measured 0/25); unrelated news (aeb-dev bodies, 4,560 pairs): mean s 5e-5 -> 6 pairs share a key.
  5-grams rather than 3-grams: at r=1 the false-positive rate is ~ b*s, and 3-grams are shared far more
  by unrelated texts (aeb-dev: 100 of 4,560 pairs collide at 3-grams, 18 at 4-grams, 6 at 5-grams) while
  Clough light recall is 10/10 at 3, 4 and 5. r=2 (3-grams, b=32) drops light recall to 8/10.
"skeleton" (skeleton 5-grams, 64 perms, b=64, r=1; same S-curve):
    the ordered skeleton is untouched by synonym swaps of content words, so a spun text keeps most of
    it: seeds 000 vs 001 skeleton 5-gram s = 0.18 -> P = 1.0; a spin that only swaps content words keeps
    s ~ 1. Measured: Clough light 9/10 share a key, heavy 6/12, non 1/25; aeb-dev unrelated 13/4,560.
    4-grams would collide on function-word runs ("of the in the"): aeb-dev 84/4,560 pairs; 6-grams lose
    Clough light recall (7/10); r=2 at 4-grams (b=32) finds 6/10 light.
  This kind is the backstop for heavy spins that break most 5-grams; the minhash kind already finds
  copies, excerpts and light rewrites.
Cost: 128 band keys per text (64 per kind), 8 bytes each. At r=1 the expected number of texts sharing one
key with a new text is about N * b * (mean background s) ~ N * 0.2% on unrelated news (aeb-dev); the rule
of `archiver.lineage.candidates` keeps candidates and reads per add from growing with N.
Which texts sharing keys are verified, and how many, is policy: `archiver.lineage.candidates`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np

from archiver.types import Fingerprint

# -- normalisation ---------------------------------------------------------------------------------

_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
        "\u0060": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
        "\u2212": "-", "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
    }
)  # fmt: skip
# the same mapping without deletions, so offsets into the translated text are offsets into the original
_QUOTES_SAME_LEN = {k: v for k, v in _QUOTES.items() if v is not None}
# after a word, a sentence ends if the next non-space character is . ! ? : or a line break comes first
_BOUNDARY = re.compile(r"[^\S\n]*(?:[.!?:]|\n)")
# A word: letters/digits, with inner apostrophes, dots or commas kept ("taliban's", "u.s", "375,000", "2.5").
_WORD = re.compile(r"\w+(?:['.,]\w+)*")


def normalise(text: str) -> str:
    """NFKC, casefold, one kind of quote and dash, no invisible characters, whitespace folded to one space."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return " ".join(text.split())  # str.split() splits at exactly what \s matches (str.isspace)


def _norm_token(tok: str) -> str:
    if tok.isascii():
        return tok.lower()  # casefold == lower and NFKC is the identity on ASCII
    return unicodedata.normalize("NFKC", tok.translate(_QUOTES_SAME_LEN)).casefold()


def _scan(text: str) -> list[tuple[str, int, int, bool, bool]]:
    """(normalised word, start, end, starts with a capital, follows a sentence boundary) for each word."""
    src = text.translate(_QUOTES_SAME_LEN)
    out: list[tuple[str, int, int, bool, bool]] = []
    boundary = True
    for m in _WORD.finditer(src):
        raw = m.group()
        out.append((_norm_token(raw), m.start(), m.end(), raw[0].isupper(), boundary))
        boundary = _BOUNDARY.match(src, m.end()) is not None
    return out


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Normalised words of `text` with their (start, end) character offsets into the original string."""
    return [(w, s, e) for w, s, e, _, _ in _scan(text)]


def words(text: str) -> list[str]:
    """Normalised word tokens of `text`, in order."""
    return [t[0] for t in _scan(text)]


# -- skeleton --------------------------------------------------------------------------------------

# English function words: the "immutables" a synonym spinner leaves alone (DSpin keeps function words,
# names and numbers). Hand-made closed-class list: articles, pronouns, prepositions, conjunctions,
# auxiliaries, common quantifiers and adverbs of degree/negation.
FUNCTION_WORDS: frozenset[str] = frozenset(
    """a an the this that these those some any each every no none all both either neither other another such
    what which who whom whose whatever whichever whoever
    i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his himself she
    her hers herself it its itself they them their theirs themselves one
    of in on at by for with without from to into onto upon over under above below between among through
    during before after since until till about against across along around behind beyond near off out up
    down via per within toward towards despite except like unlike than as
    and or but nor so yet if then because while whereas although though unless whether when where why how
    once also not never only just very too even still again ever already
    be am is are was were been being have has had having do does did doing will would shall should can
    could may might must
    there here now more most less least much many few several own same
    's n't""".split()  # noqa: SIM905 - a word list reads best as text
)

_NUMBER = re.compile(r"\d")


def skeleton(text: str) -> list[str]:
    """The ordered skeleton of `text`: function words, numbers and capitalised names, normalised.

    A capitalised word counts as a name only when it does not start a sentence (a spinner may swap a
    sentence-initial content word, and its capital follows it). Everything else is dropped, not replaced,
    so a one-word -> two-word synonym swap does not shift the skeleton.
    """
    return _skeleton_of(_scan(text))


def skeleton_and_spans(text: str) -> tuple[list[str], list[tuple[str, int, int]]]:
    """`skeleton(text)` and `word_spans(text)` from one pass over the text."""
    scan = _scan(text)
    return _skeleton_of(scan), [(w, s, e) for w, s, e, _, _ in scan]


def _skeleton_of(scan: Sequence[tuple[str, int, int, bool, bool]]) -> list[str]:
    return [
        w
        for w, _, _, cap, initial in scan
        if w in FUNCTION_WORDS or (cap and not initial) or _NUMBER.search(w) is not None
    ]


# -- MinHash ---------------------------------------------------------------------------------------

_MERSENNE = np.uint64((1 << 61) - 1)
_MASK32 = np.uint64(0xFFFFFFFF)
_EMPTY = 0xFFFFFFFF

MINHASH_VERSION = 1
# word 5-grams: spin at 30% keeps 17% of them; independent same-topic texts share ~0 (Clough non, seeds 003/004)
MINHASH_SHINGLE = 5
MINHASH_NUM_PERM = 64  # = b*r with b=64, r=1 (see module docstring); 256 bytes per text
MINHASH_BANDS, MINHASH_ROWS = 64, 1
MINHASH_SEED = 1

SKELETON_VERSION = 1
# skeleton 5-grams: seeds 000 vs 001 Jaccard 0.18, Clough non max 0.014, aeb-dev collisions 13/4,560 (docstring)
SKELETON_SHINGLE = 5
SKELETON_NUM_PERM = 64  # = b*r with b=64, r=1
SKELETON_BANDS, SKELETON_ROWS = 64, 1
SKELETON_SEED = 2


def _perm_params(seed: int, num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    a = np.empty(num_perm, dtype=np.uint64)
    b = np.empty(num_perm, dtype=np.uint64)
    for i in range(num_perm):
        d = hashlib.blake2b(f"archive-minhash/{seed}/{i}".encode(), digest_size=8).digest()
        a[i] = (int.from_bytes(d[:4], "big") & 0x7FFFFFFF) | 1
        b[i] = int.from_bytes(d[4:], "big")
    return a, b


_PERMS: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


def _perms(seed: int, num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    key = (seed, num_perm)
    if key not in _PERMS:
        _PERMS[key] = _perm_params(seed, num_perm)
    return _PERMS[key]


def shingles(tokens: Sequence[str], n: int) -> set[str]:
    """Distinct word n-grams of `tokens` joined by a space; a text shorter than n is one shingle."""
    if not tokens:
        return set()
    if len(tokens) < n:
        return {" ".join(tokens)}
    return {" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def _hash32(items: Iterable[str]) -> np.ndarray:
    """Each item's blake2b, first 4 bytes big-endian, as uint64 (one buffer: 0.35 vs 0.51 ms a text)."""
    digest = hashlib.blake2b
    joined = b"".join([digest(s.encode("utf-8"), digest_size=4).digest() for s in items])
    return np.frombuffer(joined, dtype=">u4").astype(np.uint64)


def minhash_values(shingle_set: Iterable[str], num_perm: int, seed: int) -> np.ndarray:
    """MinHash minima (uint32) of a set of strings under `num_perm` seeded universal hash permutations."""
    hv = _hash32(shingle_set)
    if hv.size == 0:
        return np.full(num_perm, _EMPTY, dtype=np.uint32)
    a, b = _perms(seed, num_perm)
    ph = ((np.outer(hv, a) + b) % _MERSENNE) & _MASK32
    return ph.min(axis=0).astype(np.uint32)


def minhash_argmin(shingle_set: Iterable[str], num_perm: int, seed: int) -> np.ndarray:
    """For each permutation, the 32-bit hash of the shingle holding the minimum (0xFFFFFFFF: no shingles).

    Two texts with the same minimum under a permutation share this shingle (up to a 32-bit collision).
    """
    hv = _hash32(sorted(shingle_set))
    if hv.size == 0:
        return np.full(num_perm, _EMPTY, dtype=np.uint64)
    a, b = _perms(seed, num_perm)
    ph = ((np.outer(hv, a) + b) % _MERSENNE) & _MASK32
    return hv[ph.argmin(axis=0)]


def _pack(values: np.ndarray) -> bytes:
    return values.astype(">u4").tobytes()


def unpack_values(fp: Fingerprint) -> np.ndarray:
    """The MinHash minima stored in a "minhash"/"skeleton" fingerprint, as uint32."""
    return np.frombuffer(fp.value, dtype=">u4").astype(np.uint32)


def fingerprint_exact(text: str) -> Fingerprint:
    """sha256 of the normalised text."""
    return Fingerprint(
        kind="exact",
        algorithm="sha256-nfkc-casefold",
        version=1,
        params={"normalise": "nfkc,casefold,quotes,dashes,ws"},
        value=hashlib.sha256(normalise(text).encode("utf-8")).digest(),
    )


def _minhash_fingerprint(
    kind: str, algorithm: str, version: int, tokens: Sequence[str], shingle: int, num_perm: int, seed: int,
    bands: int, rows: int,
) -> Fingerprint:
    """A MinHash fingerprint of the token n-grams, with every parameter stored beside the value."""
    vals = minhash_values(shingles(tokens, shingle), num_perm, seed)
    return Fingerprint(
        kind=kind,
        algorithm=algorithm,
        version=version,
        params={"num_perm": num_perm, "shingle": shingle, "seed": seed, "bands": bands, "rows": rows, "dtype": ">u4"},
        value=_pack(vals),
    )


def fingerprint_minhash(
    text: str, _scan_result: list[tuple[str, int, int, bool, bool]] | None = None
) -> Fingerprint:
    """MinHash of the word 5-gram shingles."""
    toks = [t[0] for t in (_scan_result if _scan_result is not None else _scan(text))]
    return _minhash_fingerprint(
        "minhash", f"minhash-word{MINHASH_SHINGLE}-blake2b32", MINHASH_VERSION, toks,
        MINHASH_SHINGLE, MINHASH_NUM_PERM, MINHASH_SEED, MINHASH_BANDS, MINHASH_ROWS,
    )


def fingerprint_skeleton(
    text: str, _scan_result: list[tuple[str, int, int, bool, bool]] | None = None
) -> Fingerprint:
    """MinHash of n-grams of the ordered skeleton (function words, numbers, names)."""
    skel = _skeleton_of(_scan_result if _scan_result is not None else _scan(text))
    return _minhash_fingerprint(
        "skeleton", f"minhash-skeleton{SKELETON_SHINGLE}-blake2b32", SKELETON_VERSION, skel,
        SKELETON_SHINGLE, SKELETON_NUM_PERM, SKELETON_SEED, SKELETON_BANDS, SKELETON_ROWS,
    )


def fingerprint_text(text: str) -> list[Fingerprint]:
    """All fingerprints of a body text: exact, minhash, skeleton (in that order)."""
    scan = _scan(text)
    return [fingerprint_exact(text), fingerprint_minhash(text, scan), fingerprint_skeleton(text, scan)]


def band_keys(fp: Fingerprint) -> list[bytes]:
    """LSH band keys (8 bytes each) of a "minhash" or "skeleton" fingerprint; [] for other kinds or empty text.

    A key hashes the algorithm, version, band index and the band's rows, so keys of different kinds or
    versions never collide.
    """
    if fp.kind not in ("minhash", "skeleton"):
        return []
    b, r = int(fp.params["bands"]), int(fp.params["rows"])
    width = 4 * r
    if len(fp.value) < b * width:
        raise ValueError(f"{fp.kind} value has {len(fp.value)} bytes, need {b * width}")
    if fp.value == b"\xff" * len(fp.value):
        return []
    head = f"{fp.algorithm}/v{fp.version}/".encode()
    return [
        hashlib.blake2b(head + i.to_bytes(2, "big") + fp.value[i * width : (i + 1) * width], digest_size=8).digest()
        for i in range(b)
    ]


def band_shingles(text: str) -> dict[str, list[tuple[int, ...]]]:
    """For each LSH band of the "minhash" and "skeleton" signatures of `text`, the shingles that set it.

    Band i of a kind is set by the shingle (32-bit hash, `minhash_argmin`) holding each of its rows' minima.
    A text that shares a band key shares those shingles, so two shared keys set by the same shingle (one
    shingle can be the minimum under several permutations) are one piece of evidence, not two.
    """
    scan = _scan(text)
    return band_shingles_of([t[0] for t in scan], _skeleton_of(scan))


def band_shingles_of(
    word_tokens: Sequence[str], skeleton_tokens: Sequence[str], kinds: Iterable[str] = ("minhash", "skeleton")
) -> dict[str, list[tuple[int, ...]]]:
    """`band_shingles` (of these kinds only) of a text already tokenised: its `words` and its `skeleton`."""
    out: dict[str, list[tuple[int, ...]]] = {}
    wanted = set(kinds)
    for kind, tokens, n, num_perm, seed, rows in (
        ("minhash", word_tokens, MINHASH_SHINGLE, MINHASH_NUM_PERM, MINHASH_SEED, MINHASH_ROWS),
        ("skeleton", skeleton_tokens, SKELETON_SHINGLE, SKELETON_NUM_PERM, SKELETON_SEED, SKELETON_ROWS),
    ):
        if kind not in wanted:
            continue
        held = [int(h) for h in minhash_argmin(shingles(tokens, n), num_perm, seed)]
        out[kind] = [tuple(held[i : i + rows]) for i in range(0, num_perm, rows)]
    return out


def shared_evidence(
    bands_a: dict[str, list[bytes]],
    shingles_a: dict[str, list[tuple[int, ...]]],
    keys_b: Iterable[tuple[str, bytes]],
) -> int:
    """How many distinct shingle sets set the band keys text A shares with `keys_b` ((kind, key) pairs).

    The count candidate search compares with `CANDIDATE_MIN_EVIDENCE` (archiver.lineage.candidates): shared band keys,
    each shingle counted once however many permutations it holds the minimum of. Only the kinds in
    `shingles_a` are counted.
    """
    held = {
        (kind, key): (kind, shingles_a[kind][i])
        for kind, keys in bands_a.items()
        if kind in shingles_a
        for i, key in enumerate(keys)
    }
    return len({held[k] for k in keys_b if k in held})


def estimate_jaccard(a: Fingerprint, b: Fingerprint) -> float:
    """Fraction of equal minima of two signatures of the same algorithm, version and parameters."""
    if (a.kind, a.algorithm, a.version, a.params) != (b.kind, b.algorithm, b.version, b.params):
        raise ValueError("fingerprints made with different algorithms or parameters are not comparable")
    return float(np.mean(unpack_values(a) == unpack_values(b)))
