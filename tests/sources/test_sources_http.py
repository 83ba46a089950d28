"""Fetching: redirects, robots.txt, retries with backoff, size cap, address and scheme rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from newsloom.errors import FetchError
from newsloom.sources import FetchOptions, HttpxTransport, MockTransport, Response, RobotsCache, fetch
from newsloom.sources.http import check_url

Options = Callable[..., FetchOptions]
HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGE = b"<html><body><p>Story</p></body></html>"


def ok(url: str, body: bytes = PAGE, headers: dict[str, str] | None = None) -> Response:
    return Response(url, 200, headers if headers is not None else HTML, body)


def reason_of(url: str, options: FetchOptions, transport: MockTransport) -> str:
    with pytest.raises(FetchError) as caught:
        fetch(url, options, transport)
    assert caught.value.origin == url
    return caught.value.reason


def test_plain_fetch_sends_the_user_agent(offline_options: Options) -> None:
    transport = MockTransport({"https://news.example/a": ok("https://news.example/a")})
    response = fetch("https://news.example/a", offline_options(), transport)
    assert (response.status, response.body) == (200, PAGE)
    assert transport.calls == ["https://news.example/robots.txt", "https://news.example/a"]
    user_agent = transport.sent_headers[-1]["User-Agent"]
    assert user_agent.startswith("newsloom/") and "+https://github.com/newsloom/newsloom" in user_agent


def test_default_options() -> None:
    options = FetchOptions()
    assert (options.timeout, options.retries, options.backoff) == (15.0, 3, 0.5)
    assert (options.max_bytes, options.max_file_bytes) == (10_000_000, 50_000_000)
    assert options.respect_robots and not options.allow_private
    assert options.user_agent == "newsloom/0.1.0 (+https://github.com/newsloom/newsloom)"


def test_redirect_final_url_is_kept(offline_options: Options) -> None:
    final = "https://www.news.example/2024/story"
    transport = MockTransport({"http://news.example/story": ok(final)})
    assert fetch("http://news.example/story", offline_options(), transport).url == final


def test_robots_txt_disallow(offline_options: Options) -> None:
    robots = Response("https://news.example/robots.txt", 200, {}, b"User-agent: *\nDisallow: /private/\n")
    transport = MockTransport({"https://news.example/robots.txt": robots})
    options = offline_options()
    assert reason_of("https://news.example/private/x", options, transport) == "disallowed by robots.txt"
    assert "https://news.example/private/x" not in transport.calls  # never requested


def test_robots_txt_rules_for_our_agent(offline_options: Options) -> None:
    robots = b"User-agent: newsloom\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    transport = MockTransport(
        {"https://news.example/robots.txt": Response("https://news.example/robots.txt", 200, {}, robots)}
    )
    assert reason_of("https://news.example/a", offline_options(), transport) == "disallowed by robots.txt"


def test_robots_txt_404_means_allowed(offline_options: Options) -> None:
    transport = MockTransport(
        {
            "https://news.example/robots.txt": Response("https://news.example/robots.txt", 404),
            "https://news.example/a": ok("https://news.example/a"),
        }
    )
    assert fetch("https://news.example/a", offline_options(), transport).status == 200


def test_robots_txt_5xx_means_disallowed(offline_options: Options) -> None:
    transport = MockTransport({"https://news.example/robots.txt": Response("https://news.example/robots.txt", 503)})
    reason = reason_of("https://news.example/a", offline_options(retries=1), transport)
    assert reason == "robots.txt unreachable: HTTP 503"


def test_robots_txt_is_read_once_per_host(offline_options: Options) -> None:
    transport = MockTransport(
        {
            "https://news.example/a": ok("https://news.example/a"),
            "https://news.example/b": ok("https://news.example/b"),
            "https://other.example/c": ok("https://other.example/c"),
        }
    )
    cache, options = RobotsCache(), offline_options()
    for url in ("https://news.example/a", "https://news.example/b", "https://other.example/c"):
        fetch(url, options, transport, robots=cache)
    assert transport.calls.count("https://news.example/robots.txt") == 1
    assert transport.calls.count("https://other.example/robots.txt") == 1


def test_robots_can_be_ignored(offline_options: Options) -> None:
    robots = Response("https://news.example/robots.txt", 200, {}, b"User-agent: *\nDisallow: /\n")
    transport = MockTransport(
        {"https://news.example/robots.txt": robots, "https://news.example/a": ok("https://news.example/a")}
    )
    assert fetch("https://news.example/a", offline_options(respect_robots=False), transport).status == 200
    assert transport.calls == ["https://news.example/a"]


def test_retries_with_exponential_backoff_then_success(offline_options: Options, sleeps: list[float]) -> None:
    url = "https://news.example/a"
    transport = MockTransport({url: [TimeoutError("timed out"), ConnectionError("reset"), Response(url, 503), ok(url)]})
    response = fetch(url, offline_options(respect_robots=False), transport)
    assert response.status == 200
    assert transport.calls == [url] * 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_server_error_forever_fails_after_all_attempts(offline_options: Options, sleeps: list[float]) -> None:
    url = "https://news.example/a"
    transport = MockTransport({url: Response(url, 500)})
    reason = reason_of(url, offline_options(respect_robots=False, retries=2), transport)
    assert reason == "HTTP 500 Internal Server Error (gave up after 3 attempts)"
    assert transport.calls == [url] * 3
    assert sleeps == [0.5, 1.0]


def test_timeouts_forever_fail_after_all_attempts(offline_options: Options) -> None:
    url = "https://news.example/a"
    transport = MockTransport({url: TimeoutError("timed out after 15 s")})
    reason = reason_of(url, offline_options(respect_robots=False), transport)
    assert reason == "timed out after 15 s (gave up after 4 attempts)"


def test_retry_after_is_honoured_and_capped(offline_options: Options, sleeps: list[float]) -> None:
    url = "https://news.example/a"
    transport = MockTransport(
        {url: [Response(url, 429, {"Retry-After": "7"}), Response(url, 503, {"Retry-After": "3600"}), ok(url)]}
    )
    fetch(url, offline_options(respect_robots=False), transport)
    assert sleeps == [7.0, 30.0]


@pytest.mark.parametrize(
    ("status", "reason"), [(404, "HTTP 404 Not Found"), (403, "HTTP 403 Forbidden"), (410, "HTTP 410 Gone")]
)
def test_client_errors_fail_at_once(offline_options: Options, sleeps: list[float], status: int, reason: str) -> None:
    url = "https://news.example/a"
    transport = MockTransport({url: Response(url, status)})
    assert reason_of(url, offline_options(respect_robots=False), transport) == reason
    assert transport.calls == [url]
    assert sleeps == []


def test_size_cap(offline_options: Options) -> None:
    url = "https://news.example/huge"
    transport = MockTransport({url: ok(url, b"x" * 2000)})
    reason = reason_of(url, offline_options(respect_robots=False, max_bytes=1000), transport)
    assert reason == "response larger than 1000 bytes"
    assert transport.calls == [url]  # not retried


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "192.168.1.10",
        "172.16.3.4",
        "127.0.0.1",
        "169.254.169.254",
        "224.0.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "100.64.0.1",
        "240.0.0.1",
    ],
)
def test_private_addresses_are_refused(offline_options: Options, address: str) -> None:
    transport = MockTransport({})
    options = offline_options(resolve=lambda host: [address])
    reason = reason_of("https://intranet.example/admin", options, transport)
    assert reason == f"refusing private address {address} of intranet.example (allow_private is off)"
    assert transport.calls == []


def test_any_private_address_among_several_is_refused(offline_options: Options) -> None:
    options = offline_options(resolve=lambda host: ["93.184.216.34", "10.1.2.3"])
    assert "10.1.2.3" in reason_of("https://mixed.example/", options, MockTransport({}))


def test_ip_literals_are_checked_without_resolving(offline_options: Options) -> None:
    def no_dns(host: str) -> list[str]:
        raise AssertionError("must not resolve an IP literal")

    options = offline_options(resolve=no_dns)
    assert reason_of("http://127.0.0.1:8080/", options, MockTransport({})).startswith("refusing private address")
    assert reason_of("http://[::1]/", options, MockTransport({})).startswith("refusing private address ::1")


def test_private_allowed_with_allow_private(offline_options: Options) -> None:
    url = "http://localhost:8080/page"
    transport = MockTransport({url: ok(url)})
    options = offline_options(allow_private=True, resolve=lambda host: ["127.0.0.1"])
    assert fetch(url, options, transport).status == 200


def test_unresolvable_host(offline_options: Options) -> None:
    def fail(host: str) -> list[str]:
        raise OSError(-2, "Name or service not known")

    reason = reason_of("https://nowhere.invalid/", offline_options(resolve=fail), MockTransport({}))
    assert reason == "cannot resolve host nowhere.invalid: Name or service not known"


def test_redirect_to_a_private_address_is_refused(offline_options: Options) -> None:
    url = "https://public.example/go"
    transport = MockTransport({url: ok("http://internal.example/secret")})
    options = offline_options(resolve=lambda host: ["10.0.0.9"] if host == "internal.example" else ["93.184.216.34"])
    with pytest.raises(FetchError) as caught:
        fetch(url, options, transport)
    assert caught.value.origin == "http://internal.example/secret"
    assert caught.value.reason.startswith("refusing private address 10.0.0.9")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://files.example/a.txt", "unsupported URL scheme 'ftp' (only http and https)"),
        ("file:///etc/passwd", "unsupported URL scheme 'file' (only http and https)"),
        ("javascript:alert(1)", "unsupported URL scheme 'javascript' (only http and https)"),
        ("news.example/no-scheme", "unsupported URL scheme none (only http and https)"),
        ("https:///no-host", "URL has no host"),
    ],
)
def test_non_http_urls_are_refused(offline_options: Options, url: str, reason: str) -> None:
    transport = MockTransport({})
    assert reason_of(url, offline_options(), transport) == reason
    assert transport.calls == []


def test_check_url_alone(offline_options: Options) -> None:
    check_url("https://news.example/a", offline_options())  # public: no error
    with pytest.raises(FetchError):
        check_url("https://news.example/a", offline_options(resolve=lambda host: ["127.0.0.1"]))


# --- the real transport, over httpx's own mock transport (no network) ---------------------------


def httpx_transport(handler: Callable[[httpx.Request], httpx.Response], **kwargs: object) -> HttpxTransport:
    return HttpxTransport(httpx.Client(transport=httpx.MockTransport(handler)), **kwargs)  # type: ignore[arg-type]


def get(transport: HttpxTransport, url: str, max_bytes: int = 10_000) -> Response:
    return transport.get(url, headers={"User-Agent": "t"}, timeout=1.0, max_bytes=max_bytes)


def test_httpx_transport_follows_redirects_and_reports_the_final_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "https://new.example/new"})
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=PAGE)

    response = get(httpx_transport(handler), "https://old.example/old")
    assert (response.url, response.status, response.body) == ("https://new.example/new", 200, PAGE)
    assert response.header("content-type") == "text/html"


def test_httpx_transport_size_cap_by_content_length_and_by_stream() -> None:
    def declared(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * 5000)

    def streamed(request: httpx.Request) -> httpx.Response:
        def chunks() -> Iterator[bytes]:
            yield from [b"y" * 1000] * 10

        return httpx.Response(200, content=chunks())

    for handler in (declared, streamed):
        with pytest.raises(FetchError) as caught:
            get(httpx_transport(handler), "https://x.example/", max_bytes=3000)
        assert caught.value.reason == "response larger than 3000 bytes"


def test_httpx_transport_maps_timeouts_and_connection_errors_to_retryable_errors() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(TimeoutError):
        get(httpx_transport(timeout), "https://x.example/")
    with pytest.raises(ConnectionError, match="connection refused"):
        get(httpx_transport(refused), "https://x.example/")


def test_httpx_transport_check_url_stops_a_redirect(offline_options: Options) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://127.0.0.1/admin"})

    options = offline_options()
    transport = httpx_transport(handler, check_url=lambda u: check_url(u, options))
    with pytest.raises(FetchError) as caught:
        get(transport, "https://public.example/")
    assert caught.value.reason.startswith("refusing private address 127.0.0.1")
    assert seen == ["https://public.example/"]  # the private address was never requested


def test_fetch_retries_through_the_httpx_transport(offline_options: Options, sleeps: list[float]) -> None:
    attempts: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) < 3:
            raise httpx.ConnectError("connection reset", request=request)
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=PAGE)

    response = fetch("https://x.example/", offline_options(respect_robots=False), httpx_transport(handler))
    assert response.body == PAGE
    assert sleeps == [0.5, 1.0]


def test_the_default_resolver_sees_that_localhost_is_loopback() -> None:
    # localhost resolves from /etc/hosts: no DNS query leaves the machine
    with pytest.raises(FetchError) as caught:
        check_url("http://localhost:9/", FetchOptions())
    assert caught.value.reason.startswith("refusing private address ")
    assert "of localhost" in caught.value.reason
