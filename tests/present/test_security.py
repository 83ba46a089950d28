"""Hostile content, headers, tokens, cross-site writes, body limits and paths."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fixture_store import XSS

pytest.importorskip("fastapi", reason="the web app needs fastapi")

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PAGES_WITH_XSS = [
    "/", "/storylines/s-danube", "/events", "/events/ev-xss", "/articles", "/articles/xss-1",
    "/search?q=hostile", "/entities/e-galati", "/events?sort=oldest",
]


@pytest.mark.parametrize("url", PAGES_WITH_XSS)
def test_hostile_title_is_text_on_every_page(client: Any, url: str) -> None:
    html = client.get(url).text
    assert ESCAPED in html, url
    assert XSS not in html
    assert "<script" not in html.replace('<script src="/static/app.js" defer></script>', "")
    assert "<img src=x" not in html and "<b>Outlet</b>" not in html
    assert not re.search(r'href="\s*javascript:', html, re.I)


def test_hostile_text_in_the_article_body_and_url(client: Any) -> None:
    html = client.get("/articles/xss-1").text
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "original ↗" not in html  # a javascript: URL is not linked at all
    assert "Evil &lt;b&gt;Outlet&lt;/b&gt;" in html


def test_hostile_title_in_the_report(fixture_store: Any, tmp_path: Any) -> None:
    from newsloom.present.report import write_report

    html = write_report(fixture_store, tmp_path / "r.html").read_text(encoding="utf-8")
    assert ESCAPED in html and XSS not in html and "<script" not in html.lower()
    assert 'href="javascript' not in html


def test_security_headers_everywhere(client: Any) -> None:
    for url in ("/", "/api/events", "/static/app.js", "/api/nope", "/nope", "/api/docs"):
        headers = client.get(url).headers
        csp = headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"


def test_pages_have_no_inline_script_or_style(client: Any) -> None:
    for url in ("/", "/events/ev-gas", "/articles/uk-gas-1", "/entities/e-ukraine", "/search?q=gas", "/ingest"):
        html = client.get(url).text
        assert " style=" not in html and "<style" not in html, url
        assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/app.js" defer>'], url
        assert " onclick=" not in html and " onload=" not in html


def test_dns_rebinding_host_is_refused(client: Any) -> None:
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200
    assert client.get("/", headers={"host": "[::1]:8000"}).status_code == 200


def test_static_names_never_reach_the_file_system(client: Any) -> None:
    for url in ("/static/../app.py", "/static/%2e%2e%2fapp.py", "/static/..%2F..%2Fetc%2Fpasswd",
                "/static/templates", "/static/app.js%00.css"):
        assert client.get(url).status_code == 404, url


def _upload(client: Any, headers: dict[str, str] | None = None) -> Any:
    files = [("files", ("a.jsonl", b'{"id": "t1", "title": "T", "text": "Hello there, world."}\n', "text/plain"))]
    return client.post("/api/ingest", files=files, headers=headers or {})


def _recording_runner(calls: list[list[str]]) -> Callable[..., dict[str, Any]]:
    def run(inputs: list[str], db: str, progress: Any) -> dict[str, Any]:
        calls.append(list(inputs))
        return {"stored": 1, "updated": 0, "unchanged": 0, "failed": 0, "failures": []}

    return run


@pytest.mark.parametrize(
    ("host", "token", "header", "status"),
    [
        ("127.0.0.1", None, None, 202),  # loopback, no token: open
        ("127.0.0.1", "s3cret", None, 202),  # loopback, token optional
        ("127.0.0.1", "s3cret", "Bearer s3cret", 202),
        ("127.0.0.1", "s3cret", "Bearer wrong", 403),
        ("::1", None, None, 202),
        ("0.0.0.0", "s3cret", None, 401),  # reachable from elsewhere: token required
        ("0.0.0.0", "s3cret", "Bearer wrong", 403),
        ("0.0.0.0", "s3cret", "Basic czNjcmV0", 401),
        ("0.0.0.0", "s3cret", "Bearer s3cret", 202),
        ("0.0.0.0", None, None, 403),  # no token configured: ingest disabled
        ("192.168.1.20", None, "Bearer anything", 403),
    ],
)
def test_token_rules(make_client: Callable[..., Any], host: str, token: str | None, header: str | None,
                     status: int) -> None:
    calls: list[list[str]] = []
    base = "http://[::1]" if host == "::1" else "http://127.0.0.1" if host.startswith("127.") else "http://testserver"
    client = make_client(base_url=base, host=host, token=token, runner=_recording_runner(calls))
    response = _upload(client, {"authorization": header} if header else None)
    assert response.status_code == status, response.text
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    if status >= 400:
        assert response.json()["status"] == status


def test_cross_site_writes_are_refused(client: Any) -> None:
    assert _upload(client, {"origin": "https://evil.example"}).status_code == 403
    assert _upload(client, {"origin": "null"}).status_code == 403
    assert _upload(client, {"sec-fetch-site": "cross-site"}).status_code == 403
    assert _upload(client, {"origin": "http://127.0.0.1"}).status_code == 202
    form = client.post("/ingest", data={"urls": "https://example.org/a"}, headers={"origin": "https://evil.example"})
    assert form.status_code == 403


def test_upload_size_limit(make_client: Callable[..., Any]) -> None:
    calls: list[list[str]] = []
    client = make_client(max_upload_bytes=2000, runner=_recording_runner(calls))
    big = [("files", ("big.txt", b"x" * 5000, "text/plain"))]
    response = client.post("/api/ingest", files=big)
    assert response.status_code == 413 and response.json()["status"] == 413

    def chunks() -> Any:  # no Content-Length: counted while streaming
        yield b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"x.txt\"\r\n\r\n"
        for _ in range(10):
            yield b"y" * 500
        yield b"\r\n--b--\r\n"

    streamed = client.post("/api/ingest", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"})
    assert streamed.status_code == 413
    assert calls == []
    small = [("files", ("ok.txt", b"small text file", "text/plain"))]
    assert client.post("/api/ingest", files=small).status_code == 202
