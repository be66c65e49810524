"""A news page over time, written for the version tests: an original, a re-capture with only boring
changes, a correction, an update with a new headline, and another site's copy of the original."""

from __future__ import annotations

import os
from pathlib import Path

CANONICAL = "https://www.rivertontribune.com/news/2023/05/09/old-mill-bridge-closed/"
PAGE = "https://rivertontribune.com/news/2023/05/09/old-mill-bridge-closed"
T0 = 1683650000  # 2023-05-09 16:33:20 UTC: the first capture

ORIGINAL = [
    "RIVERTON, Ore. (AP) — The Old Mill Bridge over the Willow River was closed on Tuesday after inspectors "
    "found deep cracks in two of its steel supports, county officials said.",
    "The bridge, built in 1932, carries about 14,000 vehicles a day between Riverton and the farming towns to "
    "the north. Drivers were told to use the Highway 9 crossing, a detour of roughly eleven miles.",
    "“We are not going to take any chances with people’s lives,” said Maria Delgado, the county’s chief "
    "engineer, at a news conference beside the closed span. “The cracks are longer than anything we have seen "
    "on this structure.”",
    "Inspectors first noticed rust stains on the supports during a routine check in March. A closer look with "
    "ultrasound equipment last week showed the cracks had grown by several inches since then.",
    "Local business owners said the closure would hurt shops that depend on traffic from the north side of the "
    "river. Tom Becker, who runs a hardware store near the bridge, said he expected to lose a third of his "
    "customers.",
    "The state transportation department said it would send its own team of engineers on Thursday. Repairs "
    "could take months, and replacing the bridge entirely would cost at least $40 million, according to a 2019 "
    "estimate.",
    "School buses will be rerouted starting Wednesday, the Riverton school district said in a statement, and "
    "some morning routes will begin fifteen minutes earlier.",
]
CORRECTION = (
    "Correction: An earlier version of this story gave the wrong year for the bridge's construction. "
    "It was built in 1923, not 1932."
)
UPDATE = (
    "On Thursday afternoon, state engineers said the bridge could reopen to cars within two weeks if temporary "
    "steel braces hold, but trucks heavier than ten tons would stay banned until the supports are replaced."
)
TITLE = "Old Mill Bridge closed after cracks found"
NEW_TITLE = "Old Mill Bridge could reopen within weeks, engineers say"


def page_html(title: str, paragraphs: list[str], canonical: str | None, site: str = "Riverton Tribune",
              sidebar: str = "Most read: Fair opens Friday") -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title} | {site}</title>{link}
<meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="2023-05-09T10:00:00-07:00">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav><aside>{sidebar}</aside>
<article><h1>{title}</h1><p class="byline">By Jane Doe</p>{body}</article>
<footer>Copyright 2023 {site}</footer></body></html>"""


def versions() -> dict[str, tuple[str, int]]:
    """File name -> (HTML, capture time as a Unix timestamp)."""
    boring = [p.replace("“", '"').replace("”", '"').replace("’", "'") for p in ORIGINAL]
    boring[0] = boring[0].replace("RIVERTON, Ore. (AP) —", "RIVERTON, Oregon (AP) -")
    corrected = [ORIGINAL[0], ORIGINAL[1].replace("built in 1932", "built in 1923"), *ORIGINAL[2:], CORRECTION]
    updated = corrected[:6] + [UPDATE] + corrected[6:]
    return {
        "v1.html": (page_html(TITLE, ORIGINAL, CANONICAL + "?utm_source=rss&utm_medium=feed"), T0),
        "v1-again.html": (page_html(TITLE, boring, CANONICAL, sidebar="Most read: Storm warning"), T0 + 6 * 3600),
        "v2.html": (page_html(TITLE, corrected, CANONICAL), T0 + 12 * 3600),
        "v3.html": (page_html(NEW_TITLE, updated, CANONICAL), T0 + 18 * 3600),
        "copy.html": (
            page_html("Cracks close Old Mill Bridge", ORIGINAL, "https://valleynews.example/2023/05/09/bridge",
                      site="Valley News"),
            T0 + 3600,
        ),
    }


def write_pages(folder: Path, names: list[str] | None = None) -> dict[str, Path]:
    """Write the pages with their capture times as file modification times."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, (html, when) in versions().items():
        if names is None or name in names:
            path = folder / name
            path.write_text(html, encoding="utf-8")
            os.utime(path, (when, when))
            out[name] = path
    return out
