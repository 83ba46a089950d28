"""Fetching URLs politely and safely, behind a small transport interface.

As in httpx, the network sits behind a ``Transport`` with a single ``get``: the real one
(:class:`HttpxTransport`) streams through httpx and stops at a size cap, the test one
(:class:`MockTransport`) answers from a table. :func:`fetch` adds the policy on top: only
http(s), no private addresses, robots.txt, retries with exponential backoff. Every failure
is a :class:`~newsloom.errors.FetchError` naming the URL and the reason.

Transports follow redirects and report the final URL. They raise ``FetchError`` for what
retrying cannot fix (a response over the size cap, a malformed URL) and the built-in
``TimeoutError`` / ``ConnectionError`` for what it might.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
import urllib.robotparser
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx

from newsloom import __version__
from newsloom.errors import FetchError
from newsloom.sources.decode import charset_param

logger = logging.getLogger(__name__)

MB = 1_000_000


def resolve_host(host: str) -> list[str]:
    """The IP addresses ``host`` resolves to (``socket.getaddrinfo``)."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]).split("%")[0] for info in infos})


@dataclass
class FetchOptions:
    """How to fetch: time limits, retries, size caps, and the safety rules.

    ``retries`` counts the tries after the first, so a URL is tried ``retries + 1`` times;
    the n-th retry waits ``backoff * 2 ** (n - 1)`` seconds, or what a ``Retry-After``
    header asks for, capped at ``max_retry_after``. ``sleep`` and ``resolve`` are there so
    tests can run without waiting or touching DNS.
    """

    timeout: float = 15.0
    retries: int = 3
    backoff: float = 0.5
    user_agent: str = field(default_factory=lambda: f"newsloom/{__version__} (+https://github.com/newsloom/newsloom)")
    max_bytes: int = 10 * MB
    max_file_bytes: int = 50 * MB
    respect_robots: bool = True
    allow_private: bool = False
    max_retry_after: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)
    resolve: Callable[[str], Sequence[str]] = field(default=resolve_host, repr=False, compare=False)


@dataclass(frozen=True)
class Response:
    """What a transport got back: the final URL (after redirects), status, headers, body."""

    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The value of header ``name``, looked up case-insensitively."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None

    @property
    def media_type(self) -> str:
        """The ``Content-Type`` without parameters, lower-cased (``""`` when absent)."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of the ``Content-Type``, if any."""
        return charset_param(self.header("content-type"))


class Transport(Protocol):
    """Something that can GET a URL; see the module docstring for the error contract."""

    def get(self, url: str, *, headers: Mapping[str, str], timeout: float, max_bytes: int) -> Response:
        """GET ``url`` following redirects; raise ``FetchError`` past ``max_bytes``."""
        ...


def _too_large(url: str, max_bytes: int) -> FetchError:
    return FetchError(url, f"response larger than {max_bytes} bytes")


class HttpxTransport:
    """The real transport: httpx, streaming, following up to ``max_redirects`` redirects.

    ``check_url`` is called with every URL requested, redirects included, and may raise
    ``FetchError`` to stop one (this is how redirects to private addresses are refused).
    """

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        check_url: Callable[[str], None] | None = None,
        max_redirects: int = 5,
    ) -> None:
        self._client = client or httpx.Client(max_redirects=max_redirects)
        self._owns_client = client is None
        if check_url is not None:

            def hook(request: httpx.Request) -> None:
                check_url(str(request.url))

            hooks = self._client.event_hooks
            self._client.event_hooks = {
                "request": [*hooks.get("request", []), hook],
                "response": list(hooks.get("response", [])),
            }

    def get(self, url: str, *, headers: Mapping[str, str], timeout: float, max_bytes: int) -> Response:
        """GET ``url``, reading at most ``max_bytes`` of (decompressed) body."""
        try:
            with self._client.stream(
                "GET", url, headers=dict(headers), timeout=timeout, follow_redirects=True
            ) as response:
                length = response.headers.get("content-length", "")
                if length.isdigit() and int(length) > max_bytes:
                    raise _too_large(url, max_bytes)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise _too_large(url, max_bytes)
                headers_out = {k.lower(): v for k, v in response.headers.items()}
                return Response(str(response.url), response.status_code, headers_out, bytes(body))
        except httpx.TimeoutException as exc:
            raise TimeoutError(f"timed out after {timeout:g} s") from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError(url, "too many redirects") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise ConnectionError(str(exc) or type(exc).__name__) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise FetchError(url, str(exc) or type(exc).__name__) from exc

    def close(self) -> None:
        """Close the underlying client if this transport created it."""
        if self._owns_client:
            self._client.close()


Route = Response | BaseException | Sequence[Response | BaseException]


class MockTransport:
    """A transport for tests that answers from ``routes`` and never touches the network.

    A route is a ``Response``, an exception to raise, or a sequence of those served one per
    call (the last one repeats). Unrouted URLs answer 404. Bodies over ``max_bytes`` raise
    ``FetchError`` as the real transport does. ``calls`` lists the URLs requested, in order,
    and ``sent_headers`` the headers sent with each.
    """

    def __init__(self, routes: Mapping[str, Route]) -> None:
        self._routes: dict[str, list[Response | BaseException]] = {}
        for url, route in routes.items():
            self._routes[url] = list(route) if isinstance(route, (list, tuple)) else [route]  # type: ignore[list-item]
        self.calls: list[str] = []
        self.sent_headers: list[dict[str, str]] = []

    def get(self, url: str, *, headers: Mapping[str, str], timeout: float, max_bytes: int) -> Response:
        """Serve the next outcome routed for ``url``."""
        self.calls.append(url)
        self.sent_headers.append(dict(headers))
        queue = self._routes.get(url)
        if not queue:
            return Response(url, 404)
        outcome = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(outcome, BaseException):
            raise outcome
        if len(outcome.body) > max_bytes:
            raise _too_large(url, max_bytes)
        return outcome


def check_url(url: str, options: FetchOptions) -> None:
    """Refuse ``url`` unless it is http(s) and (unless allowed) its host is public."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"'{scheme}'" if scheme else "none"
        raise FetchError(url, f"unsupported URL scheme {shown} (only http and https)")
    host = parts.hostname
    if not host:
        raise FetchError(url, "URL has no host")
    if options.allow_private:
        return
    try:
        addresses: Sequence[str] = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = options.resolve(host)
        except (OSError, UnicodeError) as exc:
            raise FetchError(url, f"cannot resolve host {host}: {_describe(exc)}") from exc
    for address in addresses:
        if not _is_public(address):
            raise FetchError(url, f"refusing private address {address} of {host} (allow_private is off)")


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


class RobotsCache:
    """robots.txt rules per scheme and host, fetched once each through the transport.

    As RFC 9309 says: a robots.txt that answers 4xx allows everything; one that cannot be
    fetched (5xx after retries, network failure) disallows everything.
    """

    def __init__(self) -> None:
        self._rules: dict[str, urllib.robotparser.RobotFileParser | str | None] = {}

    def check(self, url: str, options: FetchOptions, transport: Transport) -> None:
        """Raise ``FetchError`` if robots.txt of ``url``'s host forbids fetching it."""
        parts = urlsplit(url)
        if parts.path == "/robots.txt":
            return
        site = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        if site not in self._rules:
            self._rules[site] = self._load(site, options, transport)
        rules = self._rules[site]
        if isinstance(rules, str):
            raise FetchError(url, rules)
        if rules is not None and not rules.can_fetch(options.user_agent, url):
            raise FetchError(url, "disallowed by robots.txt")

    @staticmethod
    def _load(
        site: str, options: FetchOptions, transport: Transport
    ) -> urllib.robotparser.RobotFileParser | str | None:
        robots_url = urlunsplit((*urlsplit(site)[:2], "/robots.txt", "", ""))
        try:
            response = _get_with_retries(robots_url, options, transport)
        except FetchError as exc:
            return f"robots.txt unreachable: {exc.reason}"
        if 400 <= response.status < 500:
            logger.debug("%s answered %d: everything allowed", robots_url, response.status)
            return None
        if not 200 <= response.status < 300:
            return f"robots.txt unreachable: HTTP {response.status}"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        parser.parse(response.body.decode("utf-8", errors="replace").splitlines())
        return parser


def fetch(
    url: str,
    options: FetchOptions | None = None,
    transport: Transport | None = None,
    *,
    robots: RobotsCache | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """GET ``url`` under the rules of ``options``, or raise ``FetchError``.

    Pass one ``robots`` cache for a whole run so each host's robots.txt is read once.
    ``headers`` are sent besides ours; with conditional ones (``If-None-Match``,
    ``If-Modified-Since``) a 304 Not Modified is returned, not raised.
    """
    options = options or FetchOptions()
    owned = None
    if transport is None:
        owned = HttpxTransport(check_url=lambda u: check_url(u, options))
        transport = owned
    try:
        check_url(url, options)
        if options.respect_robots:
            (robots or RobotsCache()).check(url, options, transport)
        response = _get_with_retries(url, options, transport, headers)
    finally:
        if owned is not None:
            owned.close()
    if response.url != url and urlsplit(response.url).hostname != urlsplit(url).hostname:
        check_url(response.url, options)
    if 200 <= response.status < 300 or (response.status == 304 and headers):
        return response
    reason = f"HTTP {response.status}{_phrase(response.status)}"
    if _transient(response.status):
        reason += f" (gave up after {options.retries + 1} attempts)"
    raise FetchError(url, reason)


def _get_with_retries(
    url: str, options: FetchOptions, transport: Transport, extra: Mapping[str, str] | None = None
) -> Response:
    """GET with retries of timeouts, connection errors, 429 and 5xx; the last response."""
    headers = {
        "User-Agent": options.user_agent,
        "Accept": "text/html,application/xhtml+xml,application/rss+xml,"
        "application/atom+xml,application/xml;q=0.9,*/*;q=0.5",
        **(extra or {}),
    }
    attempts = options.retries + 1
    for attempt in range(1, attempts + 1):
        delay = options.backoff * 2 ** (attempt - 1)
        try:
            response = transport.get(url, headers=headers, timeout=options.timeout, max_bytes=options.max_bytes)
        except (TimeoutError, ConnectionError) as exc:
            if attempt == attempts:
                raise FetchError(url, f"{_describe(exc)} (gave up after {attempts} attempts)") from exc
            logger.info("%s: %s, retrying in %.1f s", url, _describe(exc), delay)
        else:
            if not _transient(response.status) or attempt == attempts:
                return response
            asked = _retry_after(response)
            if asked is not None:
                delay = min(asked, options.max_retry_after)
            logger.info("%s: HTTP %d, retrying in %.1f s", url, response.status, delay)
        options.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _transient(status: int) -> bool:
    return status == 429 or status >= 500


def _retry_after(response: Response) -> float | None:
    value = (response.header("retry-after") or "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(seconds, 0.0)


def _phrase(status: int) -> str:
    try:
        return f" {HTTPStatus(status).phrase}"
    except ValueError:
        return ""


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return str(exc) or "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
