"""Fetching one URL safely: HTTP(S) only, public addresses only, every redirect hop checked, size capped.

An archive fed a list of URLs must not become a way into an internal network: the host of the URL and of
every redirect target is resolved and *every* resolved address must be public (not private, loopback,
link-local, multicast, reserved or unspecified) unless `allow_private`. The connection is then made to an
address that was checked, so a DNS answer that changes between the check and the connect (rebinding)
cannot slip through. Proxies from the environment are not used: a proxy would hide where we connect.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import threading
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from archiver import __version__
from archiver.errors import InputError
from archiver.types import Capture

FETCH_TIMEOUT_S = 30.0  # seconds for a whole URL (a deadline); a slow news site answers well within this
FETCH_MAX_BYTES = 50 * 1024 * 1024  # same cap as a file input (aeb-dev pages are <= 1.5 MB); caps memory
FETCH_MAX_REDIRECTS = 10  # browsers allow ~20; news sites use 1-3 (http->https, www, trailing slash)
USER_AGENT = f"archive-news/{__version__} (provenance archiver; +https://pypi.org/project/archive-news/)"
SCHEMES = ("http", "https")


class RefusedURL(InputError):
    """A URL (or a redirect target) that fetching refuses: a non-HTTP scheme or a non-public address."""

    hint = "Private, loopback and link-local addresses are refused; pass --allow-private to fetch them."


@dataclass(frozen=True)
class FetchPolicy:
    """What fetching may do: reach non-public addresses, how long to wait, how much to read."""

    allow_private: bool = False
    timeout: float = FETCH_TIMEOUT_S
    max_bytes: int = FETCH_MAX_BYTES
    max_redirects: int = FETCH_MAX_REDIRECTS


def fetch_address_refusal(address: str) -> str | None:
    """Why an IP address is not public ("loopback", "private" ...), or None when it is."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for name in ("loopback", "link_local", "multicast", "unspecified", "reserved", "site_local", "private"):
        if getattr(ip, f"is_{name}", False):
            return name.replace("_", "-")
    if not ip.is_global:  # shared address space (100.64/10), benchmarking nets, documentation ranges ...
        return "non-public"
    return None


def fetch_resolve(host: str, port: int, policy: FetchPolicy) -> list[tuple[Any, ...]]:
    """Resolve a host; raise RefusedURL unless every address is allowed by the policy."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise InputError(f"cannot resolve host {host}: {e.strerror}") from e
    if not policy.allow_private:
        for info in infos:
            address = str(info[4][0])
            reason = fetch_address_refusal(address)
            if reason:
                raise RefusedURL(f"refused: {host} resolves to {reason} address {address}")
    return infos


def fetch_check_url(url: str, policy: FetchPolicy) -> None:
    """Raise RefusedURL for a non-HTTP(S) URL or one whose host resolves to a refused address."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES:
        raise RefusedURL(f"refused: only http and https URLs are fetched, not {parts.scheme or 'no scheme'}:")
    if not parts.hostname:
        raise InputError(f"not a URL with a host: {url}")
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as e:
        raise InputError(f"bad port in {url}") from e
    fetch_resolve(parts.hostname, port, policy)


def _guarded_connect(policy: FetchPolicy, opened: list[socket.socket] | None = None):  # type: ignore[no-untyped-def]
    """socket.create_connection that connects only to addresses the policy allows.

    `opened` collects a duplicate of each connected socket, so the fetch's deadline can shut the connection
    down from another thread (a duplicate, because TLS takes the original socket over).
    """

    def connect(address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> socket.socket:
        host, port = address
        last: OSError | None = None
        for family, kind, proto, _name, sockaddr in fetch_resolve(host, port, policy):
            sock = socket.socket(family, kind, proto)
            try:
                if timeout is not None and timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                if opened is not None:
                    opened.append(sock.dup())
                return sock
            except OSError as e:
                sock.close()
                last = e
        raise last or OSError(f"cannot connect to {host}")

    return connect


def _handlers(policy: FetchPolicy, redirects: list[str], opened: list[socket.socket]) -> list[Any]:
    """urllib handlers: guarded HTTP and HTTPS connections, a redirect handler checking each hop."""

    class GuardedHTTPConnection(http.client.HTTPConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = _guarded_connect(policy, opened)

    class GuardedHTTPSConnection(http.client.HTTPSConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = _guarded_connect(policy, opened)

    class GuardedHTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(GuardedHTTPConnection, req)

    class GuardedHTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(GuardedHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]

    class CheckedRedirectHandler(urllib.request.HTTPRedirectHandler):
        max_redirections = policy.max_redirects

        def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
            try:
                fetch_check_url(newurl, policy)
            except RefusedURL as e:
                raise RefusedURL(f"redirect from {req.full_url} to {newurl} {e}") from None
            redirects.append(newurl)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return [
        urllib.request.ProxyHandler({}),
        GuardedHTTPHandler(),
        GuardedHTTPSHandler(),
        CheckedRedirectHandler(),
    ]


class _Deadline:
    """The whole fetch of one URL (connects, redirects, headers, body) within `seconds`: when they pass, every
    connection the fetch opened is shut down, so a server sending a byte a second cannot hold it longer."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.opened: list[socket.socket] = []
        self.expired = threading.Event()
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def _expire(self) -> None:
        self.expired.set()
        for sock in list(self.opened):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Deadline:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        for sock in self.opened:
            sock.close()

    def check(self) -> None:
        """Raise the timeout when the deadline passed (whatever error the shut-down connection gave)."""
        if self.expired.is_set():
            raise InputError(f"timed out after {self.seconds:g} s")


def fetch_url(url: str, policy: FetchPolicy | None = None) -> Capture:
    """Fetch one page: the response body is the raw capture, with its headers, final URL and redirects.

    `policy.timeout` is a deadline for the whole URL, not for each read. A body shorter than its
    Content-Length fails as incomplete; a gzip or deflate body (sent despite `Accept-Encoding: identity`)
    is decoded, within the same size limit.
    """
    policy = policy or FetchPolicy()
    fetch_check_url(url, policy)
    redirects: list[str] = []
    with _Deadline(policy.timeout) as deadline:
        opener = urllib.request.build_opener(*_handlers(policy, redirects, deadline.opened))
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
        try:
            raw, headers, final_url = _fetch_response(opener, request, policy)
        except InputError:
            deadline.check()
            raise
        except urllib.error.HTTPError as e:
            e.close()
            raise InputError(f"HTTP {e.code} {e.reason}") from e
        except urllib.error.URLError as e:
            deadline.check()
            if isinstance(e.reason, InputError):
                raise e.reason from e
            if isinstance(e.reason, TimeoutError | socket.timeout):
                raise InputError(f"timed out after {policy.timeout:g} s") from e
            raise InputError(f"cannot fetch: {e.reason}") from e
        except (TimeoutError, socket.timeout) as e:
            raise InputError(f"timed out after {policy.timeout:g} s") from e
        except http.client.HTTPException as e:
            deadline.check()
            if isinstance(e, http.client.IncompleteRead):
                raise InputError(f"incomplete response: {_incomplete(e)}") from e
            raise InputError(f"bad HTTP response: {type(e).__name__}") from e
        except OSError as e:
            deadline.check()
            raise InputError(f"cannot fetch: {e.strerror or e}") from e
        deadline.check()
    return Capture(
        raw=raw,
        path=None,
        url=final_url,
        captured_at=datetime.now(UTC),
        content_type=headers.get("content-type"),
        headers=headers,
        requested_url=url,
        redirects=tuple(redirects),
    )


def _fetch_response(
    opener: urllib.request.OpenerDirector, request: urllib.request.Request, policy: FetchPolicy
) -> tuple[bytes, dict[str, str], str]:
    """The body (decoded when the server compressed it), lower-case headers and final URL of one request."""
    with opener.open(request, timeout=policy.timeout) as response:
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > policy.max_bytes:
            raise InputError(f"response larger than {_mb(policy.max_bytes)} (Content-Length {length})")
        raw = response.read(policy.max_bytes + 1)
        if len(raw) > policy.max_bytes:
            raise InputError(f"response larger than {_mb(policy.max_bytes)}")
        headers = {k.lower(): v for k, v in response.headers.items()}
        final_url = response.geturl()
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    if length and length.isdigit() and not chunked and len(raw) < int(length):
        raise InputError(f"incomplete response: {len(raw)} of {length} bytes (Content-Length)")
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        raw = _decode_body(raw, encoding, policy.max_bytes)
        headers.pop("content-encoding")
    return raw, headers, final_url


def _decode_body(raw: bytes, encoding: str, max_bytes: int) -> bytes:
    """A gzip or deflate body decoded, refused past `max_bytes` (a gzip bomb stops there)."""
    # gzip: a gzip header (wbits 16+); deflate: zlib-wrapped as the RFC says, raw deflate as some servers send
    tries = [zlib.MAX_WBITS | 16] if encoding != "deflate" else [zlib.MAX_WBITS, -zlib.MAX_WBITS]
    for k, wbits in enumerate(tries):
        decoder = zlib.decompressobj(wbits)
        try:
            body = decoder.decompress(raw, max_bytes + 1)
        except zlib.error as e:
            if k + 1 < len(tries):
                continue
            raise InputError(f"damaged {encoding} response: {e}") from e
        if len(body) > max_bytes:
            raise InputError(f"response larger than {_mb(max_bytes)} ({encoding}-decoded)")
        if not decoder.eof:
            raise InputError(f"incomplete response: the {encoding} stream ends early")
        return body
    raise AssertionError("unreachable")  # pragma: no cover


def _incomplete(e: http.client.IncompleteRead) -> str:
    got = len(e.partial)
    return f"{got} of {got + e.expected} bytes" if e.expected is not None else f"{got} bytes, then the end"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"
