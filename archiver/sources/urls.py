"""Page identity: the normalised URL that names one page across its captures. Pure, no I/O.

Two captures are of the same page when their page URLs are equal: the canonical URL the page
declares (else the URL it was captured from), normalised so that the scheme, host case, a
"www." prefix, default ports, tracking parameters, parameter order, a trailing slash and the
fragment do not split one page in two.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that only track where a reader came from; never part of a page's identity.
# Collected from the campaign/click ids of Google, Meta, Microsoft, Mailchimp, Adobe and the
# share links of NYT/WaPo/Guardian/CNN pages (query strings seen in the aeb-dev page URLs).
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
        "_ga", "_gl", "ocid", "cmpid", "cmp", "smid", "smtyp", "sr_share", "ncid", "s_cid",
        "ito", "wt.mc_id", "wt_mc_id", "ref_src", "ref_url", "taid", "guccounter",
    }
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_", "__hs")  # families: utm_source, at_medium, pk_campaign ...
DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _normalise_escapes(part: str, safe: str) -> str:
    """Decode escapes of characters that need none, re-encode the rest upper-case (RFC 3986 6.2.2)."""
    return quote(unquote(part), safe=safe)


def normalise_url(url: str | None) -> str | None:
    """The page-identity form of an http(s) URL, or None when it is not one.

    >>> normalise_url("HTTP://WWW.Example.com:80/a/b/?utm_source=x&id=3#top")
    'https://example.com/a/b?id=3'
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    host = host.removeprefix("www.")
    if ":" in host:  # an IPv6 address keeps its brackets (RFC 3986 3.2.2), or its port could not be told apart
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _normalise_escapes(parts.path, safe="/:@!$&'()*+,;=-._~") or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    )
    # http and https name the same page: sites moved to https without changing their pages.
    return urlunsplit(("https", netloc, path, urlencode(query), ""))


def page_url(canonical: str | None, captured_from: str | None) -> str | None:
    """The URL that names a capture's page: its declared canonical URL, else the URL it came from.

    A canonical URL is not trusted when it names a site's front page (some sites declare it on every
    article) or another site than the one the page was captured from (a syndicated copy pointing at
    the original: that is lineage, not the same page).
    """
    given = normalise_url(captured_from)
    if canonical:
        declared = normalise_url(urljoin(captured_from or "", canonical.strip()))
        front_page = declared is None or urlsplit(declared).path in ("", "/")
        if not front_page and (given is None or urlsplit(given).netloc == urlsplit(str(declared)).netloc):
            return declared
    return given
