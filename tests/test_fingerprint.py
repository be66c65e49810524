"""Fingerprints: normalisation, byte layout (golden values), determinism, LSH band keys."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from archiver.fingerprint import (
    band_keys,
    estimate_jaccard,
    fingerprint_text,
    minhash_values,
    normalise,
    shingles,
    skeleton,
    unpack_values,
    word_spans,
    words,
)
from archiver.types import Fingerprint

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "examples" / "seeds"
LEDE = (
    "The Taliban seized two provincial capitals in Afghanistan on Sunday, according to Afghan officials, "
    "the latest to be overtaken by the insurgents since the start of a sweeping military offensive in May."
)


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def _by_kind(text: str) -> dict[str, Fingerprint]:
    return {fp.kind: fp for fp in fingerprint_text(text)}


# -- normalisation ---------------------------------------------------------------------------------


def test_normalise_folds_case_quotes_dashes_width_and_space() -> None:
    assert normalise("  The \u201cTaliban\u201d\u2019s\u00a0gains \u2014 ＫＵＮＤＵＺ\n\n\tfalls ") == (
        "the \"taliban\"'s gains - kunduz falls"
    )
    assert normalise("Stra\u00dfe") == normalise("STRASSE")  # casefold, not lower
    assert normalise("soft\u00adhyphen zero\u200bwidth") == "softhyphen zerowidth"


def test_words_keep_inner_apostrophes_and_numbers() -> None:
    assert words("Afghanistan\u2019s 375,000 people (U.S. exit) \u2014 2.5%") == [
        "afghanistan's", "375,000", "people", "u.s", "exit", "2.5",
    ]  # fmt: skip


def test_word_spans_point_into_the_original_text() -> None:
    text = "Kunduz\u2019s \u201cgovernor\u201d said\u00a0NO."
    for w, s, e in word_spans(text):
        assert normalise(text[s:e]) == w


# -- skeleton --------------------------------------------------------------------------------------


def test_skeleton_keeps_function_words_numbers_names() -> None:
    sk = skeleton("The insurgents took 81 districts from Ghani on Sunday, officials told The Associated Press.")
    assert sk == ["the", "81", "from", "ghani", "on", "sunday", "the", "associated", "press"]


def test_skeleton_survives_synonym_swaps() -> None:
    spun = LEDE.replace("seized", "captured").replace("sweeping", "large").replace("officials", "authorities")
    spun = spun.replace("latest", "newest").replace("military offensive", "armed assault")
    assert skeleton(spun) == skeleton(LEDE)
    assert words(spun) != words(LEDE)


# -- byte layout -----------------------------------------------------------------------------------


def test_golden_values() -> None:
    """Changing any of these means bumping the fingerprint's version: old archives hold the old numbers."""
    fps = _by_kind(LEDE)
    assert [fp.kind for fp in fingerprint_text(LEDE)] == ["exact", "minhash", "skeleton"]
    assert fps["exact"].value.hex() == "398e27929f64406d46001982a9af3fc9a07fb7d7f3b56d583cc09ba3a9109fa0"
    assert fps["exact"].value == hashlib.sha256(normalise(LEDE).encode()).digest()
    assert fps["minhash"].value[:16].hex() == "003eb59c02fbc51f09f9751400abc02b"
    assert hashlib.sha256(fps["minhash"].value).hexdigest() == (
        "b12b5a09523524ae71b28b39158710dc011010b253e42974c0d2cceeea1fab43"
    )
    assert hashlib.sha256(fps["skeleton"].value).hexdigest() == (
        "4d7f88472b80cd722c53d6170783dad38816ae9bf59237f1b79f0b265a4cdbe3"
    )
    assert band_keys(fps["minhash"])[0].hex() == "b1872448e8171bf4"
    assert band_keys(fps["skeleton"])[0].hex() == "2db7989502b9f9d1"


def test_parameters_and_layout_are_stored() -> None:
    fps = _by_kind(LEDE)
    assert fps["exact"].algorithm == "sha256-nfkc-casefold" and len(fps["exact"].value) == 32
    for kind, shingle in (("minhash", 5), ("skeleton", 5)):
        fp = fps[kind]
        assert fp.version == 1
        assert fp.params["shingle"] == shingle and fp.params["dtype"] == ">u4"
        assert fp.params["bands"] * fp.params["rows"] == fp.params["num_perm"]
        assert len(fp.value) == 4 * fp.params["num_perm"]
    # big-endian uint32 minima, in permutation order
    mh = fps["minhash"]
    expect = minhash_values(shingles(words(LEDE), 5), mh.params["num_perm"], mh.params["seed"])
    assert fps["minhash"].value == expect.astype(">u4").tobytes()
    assert np.array_equal(unpack_values(mh), expect)
    assert int.from_bytes(mh.value[:4], "big") == int(expect[0])


def test_deterministic_across_processes() -> None:
    code = (
        "import sys, hashlib; from archiver.fingerprint import fingerprint_text, band_keys;"
        "t = sys.stdin.read(); fps = fingerprint_text(t);"
        "print(hashlib.sha256(b''.join(f.value + b''.join(band_keys(f)) for f in fps)).hexdigest())"
    )
    text = _seed("001")
    digests = set()
    for seed in ("0", "1", "12345"):
        out = subprocess.run(
            [sys.executable, "-c", code], input=text, capture_output=True, text=True, check=True, cwd=ROOT,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1
    here = hashlib.sha256(b"".join(f.value + b"".join(band_keys(f)) for f in fingerprint_text(text))).hexdigest()
    assert digests == {here}


# -- band keys -------------------------------------------------------------------------------------


def test_band_keys_shape() -> None:
    fps = _by_kind(_seed("001"))
    assert band_keys(fps["exact"]) == []
    for kind in ("minhash", "skeleton"):
        keys = band_keys(fps[kind])
        assert len(keys) == fps[kind].params["bands"] <= 64
        assert all(len(k) == 8 for k in keys)
    # keys of different kinds never collide, even for equal values
    assert not set(band_keys(fps["minhash"])) & set(band_keys(fps["skeleton"]))


def test_empty_text_has_no_band_keys() -> None:
    for fp in fingerprint_text("  \n "):
        assert band_keys(fp) == []


def _share(a: str, b: str, kind: str) -> bool:
    return bool(set(band_keys(_by_kind(a)[kind])) & set(band_keys(_by_kind(b)[kind])))


def test_seed_pairs_are_candidates_and_unrelated_ones_are_not() -> None:
    s000, s001, s002, s004 = _seed("000"), _seed("001"), _seed("002"), _seed("004")
    assert _share(s001, s002, "minhash") and _share(s001, s002, "skeleton")
    assert _share(s000, s001, "minhash") and _share(s000, s001, "skeleton")  # the spun rewrite
    assert not _share(s001, s004, "minhash") and not _share(s001, s004, "skeleton")
    assert estimate_jaccard(_by_kind(s001)["minhash"], _by_kind(s002)["minhash"]) > 0.5
    assert estimate_jaccard(_by_kind(s001)["minhash"], _by_kind(s004)["minhash"]) < 0.05


def test_short_excerpt_is_a_candidate() -> None:
    text = _seed("001")
    paras = [p for p in re.split(r"\n\s*\n", text) if len(p.split()) > 12]
    excerpt = " ".join(paras[5:8])
    assert _share(excerpt, text, "minhash")


def test_incomparable_fingerprints_refuse_estimate() -> None:
    a = _by_kind(LEDE)
    with pytest.raises(ValueError):
        estimate_jaccard(a["minhash"], a["skeleton"])
