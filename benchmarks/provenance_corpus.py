"""A generated news corpus with known originals, for measuring provenance (origin, direction, families).

Originals are real article bodies (aeb-dev ground truth) published as HTML on a known publisher's own
site with a date. Around each: syndicated copies on other sites (with a copyright or "originally
appeared" credit, or with no credit and a later date), excerpts, synonym-spun rewrites, plain-text
dumps, and revisions. Every capture knows the original it derives from, so a run can score origin
accuracy, and add orders can be shuffled.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AEB = ROOT.parent / "shared" / "data" / "aeb-dev" / "ground-truth.json"

# Publishers with a known own domain (archiver/data/publishers.json), so "on the publisher's own site"
# is decidable, as it is for real wire and network stories.
PUBLISHERS = [
    ("The Associated Press", "apnews.com"),
    ("Reuters", "www.reuters.com"),
    ("NPR", "www.npr.org"),
    ("NBC News", "www.nbcnews.com"),
    ("The Guardian", "www.theguardian.com"),
    ("BBC News", "www.bbc.com"),
]
REPUBLISHERS = ["Valley Gazette", "Lakeside Herald", "Metro Daily Post", "River City Times", "The Morning Ledger"]

# Synonym swaps of the kind article spinners use (DSpin-style dictionaries); content words only.
SYNONYMS = {
    "said": "stated", "says": "states", "large": "big", "big": "large", "major": "significant",
    "people": "individuals", "help": "assist", "show": "demonstrate", "shows": "demonstrates",
    "new": "fresh", "important": "crucial", "country": "nation", "government": "administration",
    "president": "leader", "city": "town", "began": "started", "start": "begin", "started": "began",
    "told": "informed", "reported": "noted", "about": "roughly", "many": "numerous", "make": "create",
    "made": "created", "several": "a number of", "quickly": "rapidly", "however": "nevertheless",
    "also": "additionally", "because": "since", "before": "prior to", "after": "following",
    "company": "firm", "year": "twelvemonth", "week": "seven days", "officials": "authorities",
    "need": "require", "use": "utilize", "used": "utilized", "get": "obtain", "buy": "purchase",
    "work": "labor", "find": "discover", "found": "discovered", "think": "believe", "small": "little",
    "first": "initial", "last": "final", "often": "frequently", "really": "truly", "very": "extremely",
}


@dataclass(frozen=True)
class Doc:
    """One generated capture and the truth about it."""

    name: str
    raw: bytes
    content_type: str
    url: str | None
    kind: str  # original | copy-credited | copy-uncredited | excerpt | spun | plaintext
    origin: str  # name of the original document it derives from (itself for an original)


def load_bodies(min_words: int = 150, source: Path = AEB) -> list[str]:
    """Real article bodies (ground-truth.json of the aeb benchmark format), long enough to syndicate."""
    data = json.loads(source.read_text())
    bodies = [v["articleBody"] for _, v in sorted(data.items())]
    return [b for b in bodies if len(b.split()) >= min_words]


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in body.split("\n") if p.strip()]


def spin(text: str, rate: float, rnd: random.Random) -> str:
    """Swap `rate` of the swappable words for synonyms, keeping case and punctuation."""
    out = []
    for word in text.split(" "):
        core = word.strip(".,;:!?\"'()").lower()
        if core in SYNONYMS and rnd.random() < rate * 3:  # ~1 in 3 words is in the dictionary
            repl = SYNONYMS[core]
            if word[:1].isupper():
                repl = repl[:1].upper() + repl[1:]
            word = word.replace(word.strip(".,;:!?\"'()"), repl, 1)
        out.append(word)
    return " ".join(out)


def html_page(title: str, paras: list[str], site: str, url: str, published: str, byline: str,
              extra_end: list[str] | None = None) -> bytes:
    """A news page as a CMS renders it: navigation, headline, byline, body, footer chrome."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras + (extra_end or []))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | {html.escape(site)}</title>
<meta property="og:site_name" content="{html.escape(site)}">
<meta property="og:title" content="{html.escape(title)}">
<link rel="canonical" href="{url}">
<meta property="article:published_time" content="{published}T09:00:00Z">
<meta name="author" content="{html.escape(byline)}">
</head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sports">Sports</a> <a href="/opinion">Opinion</a></nav></header>
<main><article>
<h1>{html.escape(title)}</h1>
<div class="byline">By {html.escape(byline)} | {published}</div>
{body}
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Ten things to know today</a></li><li><a href="/b">Weather this weekend</a></li></ul></aside>
<footer><p>Subscribe to our newsletter</p><p>&copy; {published[:4]} {html.escape(site)}. All rights reserved.</p></footer>
</body></html>"""  # noqa: E501  (one line per part of the page, as sites write it)
    return page.encode("utf-8")


def text_dump(title: str, paras: list[str], site: str, published: str) -> bytes:
    """A plain-text page dump: chrome lines, headline, date, hard-wrapped-free body, footer."""
    lines = [f"{title} | {site}", "", "Menu", "Search", "", title, "", f"Published {published}", ""]
    lines += [p + "\n" for p in paras]
    lines += ["Share this article", "Facebook Twitter Email", "", f"© {published[:4]} {site}"]
    return "\n".join(lines).encode("utf-8")


def build(n_originals: int = 40, seed: int = 1, bodies: list[str] | None = None) -> list[Doc]:
    """Originals and their derived captures; deterministic for a seed."""
    rnd = random.Random(seed)
    bodies = list(bodies) if bodies is not None else load_bodies()
    rnd.shuffle(bodies)
    docs: list[Doc] = []
    start = date(2020, 3, 2)
    for i, body in enumerate(bodies[:n_originals]):
        paras = paragraphs(body)
        title = " ".join(paras[0].split()[:9]).rstrip(".,;:") + f" ({i})"
        publisher, domain = PUBLISHERS[i % len(PUBLISHERS)]
        day = start + timedelta(days=3 * i)
        pub = day.isoformat()
        name = f"o{i:03d}"
        url = f"https://{domain}/{pub.replace('-', '/')}/story-{i}"
        docs.append(Doc(name, html_page(title, paras, publisher, url, pub, f"Reporter {i}"), "text/html", url,
                        "original", name))
        variants = rnd.sample(["copy-credited", "copy-uncredited", "excerpt", "spun", "plaintext", "same-day-credited"],
                              k=4)
        for j, kind in enumerate(variants):
            site = REPUBLISHERS[(i + j) % len(REPUBLISHERS)]
            host = site.lower().replace(" ", "") + ".example"
            curl = f"https://{host}/news/{i}-{j}"
            later = (day + timedelta(days=1)).isoformat()
            cname = f"o{i:03d}-{kind}"
            if kind == "copy-credited":
                raw = html_page(title, paras, site, curl, later, f"Reporter {i}",
                                [f"This story originally appeared in {publisher}."])
            elif kind == "same-day-credited":
                raw = html_page(title, paras, site, curl, pub, f"Reporter {i}",
                                [f"Copyright {pub[:4]} {publisher}. To see more, visit https://{domain}."])
            elif kind == "copy-uncredited":
                raw = html_page(title, paras, site, curl, later, "Staff")
            elif kind == "excerpt":
                keep = max(2, len(paras) * 2 // 5)
                raw = html_page(title, paras[:keep], site, curl, later, "Staff")
            elif kind == "spun":
                raw = html_page(spin(title, 0.3, rnd), [spin(p, 0.25, rnd) for p in paras], site, curl, later, "Staff")
            else:
                raw = text_dump(title, paras, site, later)
                curl = None  # a dump saved from a browser, URL unknown
            docs.append(Doc(cname, raw, "text/plain" if kind == "plaintext" else "text/html", curl, kind, name))
    return docs
