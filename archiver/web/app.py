"""`archive serve`: the archive's pages on the read/ functions, each page also as the CLI's `--json` document.

A page is JSON when asked with `Accept: application/json` or with `.json` after its path; the document is
the one the CLI prints with `--json` for the same reference (a list of them where the CLI prints several
lines: search, `lineage --all`). Read-only: no route writes. Starlette + Jinja2; templates and the style
sheet ship in the package (no CDN: it works offline).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from archiver.errors import ArchiveError, NotFoundError, UsageError
from archiver.read import compare as compare_read
from archiver.read import history as history_read
from archiver.read import lineage as lineage_read
from archiver.read import search as search_read
from archiver.read import show as show_read
from archiver.read.corrections import corrections_list
from archiver.render import correction_line, diff_segments
from archiver.store.engine import Archive
from archiver.web.graph import family_graph

STATIC = Path(__file__).parent / "static"
FAMILIES_SHOWN = 100  # families listed on the front page, largest first: a screenful or two
SEARCH_STORIES = 50  # texts searched for the stories shown (several texts of one story make one row)

Handler = Callable[[Request, Archive], tuple[str, Any, dict[str, Any]]]


def wants_json(request: Request) -> bool:
    """JSON when the path ends in .json or the client asks for it first."""
    if request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return accept.split(",")[0].strip().startswith("application/json")


def _ref(value: str) -> str:
    return value[: -len(".json")] if value.endswith(".json") else value


def _spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[bool, str]]:
    """The text cut into (highlighted?, piece) at the given [start, end) spans."""
    out: list[tuple[bool, str]] = []
    pos = 0
    for start, end in sorted(spans):
        start = max(start, pos)
        if end <= start:
            continue
        if start > pos:
            out.append((False, text[pos:start]))
        out.append((True, text[start:end]))
        pos = end
    if pos < len(text):
        out.append((False, text[pos:]))
    return out


def _filtered(results: list[dict[str, Any]], site: str, since: str, until: str) -> list[dict[str, Any]]:
    """Search results whose first capture is on a site containing `site`, published between the dates."""
    out = []
    for r in results:
        day = (r.get("published") or "")[:10]
        if site and site.lower() not in (r.get("site_name") or "").lower() and site.lower() not in (r.get("url") or ""):
            continue
        if (since and (not day or day < since)) or (until and (not day or day > until)):
            continue
        out.append(r)
    return out


def _stories(archive: Archive, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Search results grouped by story (lineage family): one row each, its copies counted."""
    stories: dict[int, dict[str, Any]] = {}
    for r in results:
        family = lineage_read.lineage(archive, str(r["id"]))
        origin = family["origin"]["id"]
        story = stories.get(origin)
        if story is None:
            whole = lineage_read.lineage(archive, str(origin)) if origin != r["id"] else family
            members = [whole["origin"], *whole["descendants"]]
            story = stories[origin] = {
                "origin": whole["origin"],
                "best": r,
                "texts": [],
                "copies": len(members),
                "sites": sorted({m["site_name"] for m in members if m.get("site_name")}),
            }
        story["texts"].append(r)
    return list(stories.values())


def page_search(request: Request, archive: Archive) -> tuple[str, Any, dict[str, Any]]:
    q = request.query_params.get("q", "").strip()
    site = request.query_params.get("site", "").strip()
    since = request.query_params.get("from", "").strip()
    until = request.query_params.get("to", "").strip()
    if not q:
        families = lineage_read.families(archive)
        return "families.html", families, {"families": families[:FAMILIES_SHOWN], "total": len(families)}
    results = _filtered(search_read.search(archive, q, limit=SEARCH_STORIES), site, since, until)
    stories = _stories(archive, results)
    for story in stories:  # the snippets cut at the matches, beside the results (the JSON is the CLI's)
        story["shown"] = [(r, _spans(r["snippet"], [(s, e) for s, e in r["matches"]])) for r in story["texts"]]
    return "search.html", results, {"q": q, "site": site, "since": since, "until": until, "stories": stories}


def page_capture(request: Request, archive: Archive) -> tuple[str, Any, dict[str, Any]]:
    ref = _ref(request.path_params["ref"])
    record = show_read.show(archive, ref)
    family = lineage_read.lineage(archive, str(record["id"]))
    whole = lineage_read.lineage(archive, str(family["origin"]["id"]))
    versions = history_read.history(archive, str(record["id"])) if record.get("page") else None
    corrections = [c for c in corrections_list(archive) if record["id"] in (c["capture_id"], c["parent_id"])]
    return "capture.html", record, {
        "c": record, "family": family, "graph": family_graph(whole, focus=record["id"]), "versions": versions,
        "corrections": corrections,
    }


def page_family(request: Request, archive: Archive) -> tuple[str, Any, dict[str, Any]]:
    ref = _ref(request.path_params["ref"])
    data = lineage_read.lineage(archive, ref)
    whole = lineage_read.lineage(archive, str(data["origin"]["id"]))
    return "family.html", data, {"data": data, "whole": whole, "graph": family_graph(whole, focus=data["id"])}


def page_compare(request: Request, archive: Archive) -> tuple[str, Any, dict[str, Any]]:
    a, b = request.query_params.get("a"), request.query_params.get("b")
    if not a or not b:
        raise UsageError("compare needs two captures: ?a=ID&b=ID")
    data = compare_read.compare(archive, a, b)
    sides = {
        side: _spans(data[side]["text"], [(p[f"{side}_start"], p[f"{side}_end"]) for p in data["passages"]])
        for side in ("a", "b")
    }
    return "compare.html", data, {"d": data, "sides": sides}


def page_history(request: Request, archive: Archive) -> tuple[str, Any, dict[str, Any]]:
    ref = _ref(request.path_params["ref"])
    data = history_read.history(archive, ref)
    return "history.html", data, {"h": data}


def page_diff(request: Request, archive: Archive) -> tuple[str, Any, dict[str, Any]]:
    a, b = request.query_params.get("a"), request.query_params.get("b")
    if not a:
        raise UsageError("diff needs a capture: ?a=ID (against its previous version) or ?a=ID&b=ID")
    data = history_read.diff(archive, a, b or None)
    return "diff.html", data, {"d": data, "segments": diff_segments(data)}


def web_href(url: str | None) -> str | None:
    """A stored URL as a link target only when it is http(s): a page's canonical URL is the page's to choose, and a
    `javascript:` one must not become a link in the viewer."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _status(error: ArchiveError) -> int:
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, UsageError):
        return 400
    return 500


def create_app(archive: Archive) -> Starlette:
    """The web view of an open archive (the caller closes it)."""
    env = Environment(loader=PackageLoader("archiver.web", "templates"), autoescape=select_autoescape())
    env.filters["href"] = web_href
    env.filters["correction"] = correction_line
    templates = Jinja2Templates(env=env)

    def endpoint(handler: Handler) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:  # sync: Starlette runs it in its thread pool
            as_json = wants_json(request)
            try:
                template, document, context = handler(request, archive)
            except ArchiveError as e:
                status = _status(e)
                if as_json:
                    return JSONResponse({"error": str(e), "hint": e.hint}, status_code=status)
                return templates.TemplateResponse(
                    request, "error.html", {"error": str(e), "hint": e.hint}, status_code=status
                )
            if as_json:
                return JSONResponse(document)
            return templates.TemplateResponse(request, template, context)

        return run

    routes: list[BaseRoute] = []
    for path, handler in (
        ("/", page_search), ("/search", page_search), ("/compare", page_compare), ("/diff", page_diff),
    ):
        routes.append(Route(path, endpoint(handler)))
        if path != "/":
            routes.append(Route(path + ".json", endpoint(handler)))
    routes += [
        Route("/index.json", endpoint(page_search)),
        Route("/capture/{ref:path}", endpoint(page_capture)),
        Route("/family/{ref:path}", endpoint(page_family)),
        Route("/history/{ref:path}", endpoint(page_history)),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes)
