"""A self-contained corpus for concurrency tests and the writers benchmark: many distinct stories, each
with its syndicated copies, excerpts, spun rewrites and text dumps (provenance_corpus.build).

The bodies are synthetic prose (English function words around made-up content words), so any number
of unrelated stories can be made without data files, and two stories never share a passage: each
family stays its own, as real unrelated stories do.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from provenance_corpus import SYNONYMS, Doc, build

ROOT = Path(__file__).resolve().parent.parent
STOPWORDS = (ROOT / "archiver" / "data" / "stopwords_en.txt").read_text().split()
SYLLABLES = ["ka", "lo", "mer", "tin", "sa", "ver", "do", "ran", "pel", "qui", "zo", "bre", "nat", "gul",
             "fen", "ost", "ria", "mun", "ced", "lar", "vo", "hes", "tam", "bri"]
FIXED_MTIME = 1_628_400_000  # 2021-08-08: every file the same capture time, so runs are comparable


def _content_words(rnd: random.Random, n: int) -> list[str]:
    words = {"".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))) for _ in range(n)}
    return sorted(words) + sorted(SYNONYMS)  # the spinner needs its dictionary words in the text


def synthetic_bodies(n: int, seed: int = 1, paragraphs: tuple[int, int] = (5, 8)) -> list[str]:
    """`n` distinct article bodies of ~200-400 words, paragraphs separated by newlines."""
    rnd = random.Random(seed)
    vocab = _content_words(rnd, 4000)
    bodies = []
    for _ in range(n):
        paras = []
        for _ in range(rnd.randint(*paragraphs)):
            sentences = []
            for _ in range(rnd.randint(2, 4)):
                words = [rnd.choice(STOPWORDS) if rnd.random() < 0.4 else rnd.choice(vocab)
                         for _ in range(rnd.randint(9, 20))]
                sentences.append(" ".join(words).capitalize() + ".")
            paras.append(" ".join(sentences))
        bodies.append("\n".join(paras))
    return bodies


def corpus(n_originals: int, seed: int = 1) -> list[Doc]:
    """`n_originals` stories, each with four derived captures: 5 * n_originals documents."""
    return build(n_originals=n_originals, seed=seed, bodies=synthetic_bodies(n_originals, seed))


def write_corpus(docs: list[Doc], folder: Path) -> dict[str, Path]:
    """Each document as a file (name.html or name.txt) with a fixed mtime; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for d in docs:
        path = folder / (d.name + (".txt" if d.content_type == "text/plain" else ".html"))
        path.write_bytes(d.raw)
        os.utime(path, (FIXED_MTIME, FIXED_MTIME))
        paths[d.name] = path
    return paths
