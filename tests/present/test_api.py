"""The JSON API over HTTP: every endpoint, errors, pagination and filters."""

from __future__ import annotations

from typing import Any

import pytest
from fixture_store import XSS

pytest.importorskip("fastapi", reason="the web app needs fastapi")


def test_storylines_list_and_pagination(client: Any) -> None:
    body = client.get("/api/storylines").json()
    assert body["total"] == 2 and body["limit"] == 20 and body["offset"] == 0
    assert [s["id"] for s in body["items"]] == ["s-gas", "s-danube"]  # most recent first
    gas = body["items"][0]
    assert gas["events"] == 2 and gas["articles"] == 7
    assert {lang["lang"] for lang in gas["languages"]} == {"el", "en", "pl", "ru", "uk"}
    assert all(lang["color"].startswith("#") for lang in gas["languages"])
    assert [e["name"] for e in gas["key_entities"]] == ["Ukraine", "Poland", "Naftogaz"]
    page = client.get("/api/storylines", params={"limit": 1, "offset": 1, "sort": "recent"}).json()
    assert page["total"] == 2 and [s["id"] for s in page["items"]] == ["s-danube"]
    assert client.get("/api/storylines", params={"sort": "largest"}).json()["items"][0]["id"] == "s-danube"
    assert client.get("/api/storylines", params={"offset": 5}).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"lang": "el"}, ["s-gas"]),
        ({"lang": "fr"}, ["s-danube"]),
        ({"outlet": "Donau Kurier"}, ["s-danube"]),
        ({"entity": "e-naftogaz"}, ["s-gas"]),
        ({"entity": "Galați"}, ["s-danube"]),  # a name is looked up
        ({"since": "2024-06-21"}, ["s-gas"]),
        ({"until": "2024-06-11"}, ["s-danube"]),
        ({"since": "2024-06-15", "until": "2024-06-16"}, []),
        ({"since": "", "lang": ""}, ["s-gas", "s-danube"]),  # empty form fields mean no filter
    ],
)
def test_storyline_filters(client: Any, params: dict[str, str], expected: list[str]) -> None:
    body = client.get("/api/storylines", params=params).json()
    assert [s["id"] for s in body["items"]] == expected
    assert body["total"] == len(expected)


def test_storyline_detail(client: Any) -> None:
    body = client.get("/api/storylines/s-danube").json()
    assert body["storyline"]["label"] == "Floods along the Danube"
    assert [e["id"] for e in body["events"]] == ["ev-flood", "ev-aid", "ev-xss"]
    assert body["events"][0]["first_date"] == "2024-06-10"
    filtered = client.get("/api/storylines/s-danube", params={"lang": "fr"}).json()
    assert filtered["storyline"]["matching_events"] == ["ev-aid"]


def test_events_list_filters_and_sorts(client: Any) -> None:
    body = client.get("/api/events").json()
    assert body["total"] == 6
    assert body["items"][0]["id"] == "ev-xss" or body["items"][0]["first_date"] >= body["items"][-1]["first_date"]
    largest = client.get("/api/events", params={"sort": "largest", "limit": 2}).json()
    assert [e["articles"] for e in largest["items"]] == [4, 4] and largest["total"] == 6
    oldest = client.get("/api/events", params={"sort": "oldest"}).json()
    assert oldest["items"][0]["id"] == "ev-flood"
    greek = client.get("/api/events", params={"lang": "el"}).json()
    assert {e["id"] for e in greek["items"]} == {"ev-prices", "ev-heat"}
    in_story = client.get("/api/events", params={"storyline": "s-gas"}).json()
    assert {e["id"] for e in in_story["items"]} == {"ev-gas", "ev-prices"}
    assert client.get("/api/events", params={"storyline": "nope"}).status_code == 404


def test_event_detail_has_the_digest(client: Any) -> None:
    body = client.get("/api/events/ev-aid").json()
    digest = body["digest"]
    assert digest["headline"]["text"] == "EU pledges €200 million in flood aid for Romania"
    assert {s["lang"] for s in digest["summary"]} >= {"en", "fr"}
    assert all(s["article_id"] in {"en-aid-1", "fr-aid-1", "ro-aid-tr"} for s in digest["summary"])
    assert [w["name"] for w in digest["who"]] == ["Ursula von der Leyen", "European Union"]
    assert digest["when"] == {"first": "2024-06-14", "last": "2024-06-14", "mentioned": ["2024-06-14"]}
    assert digest["coverage"]["translations"] == 1
    assert digest["quotes"][0]["speaker"] == "Ursula von der Leyen"
    assert {a["id"] for a in body["articles"]} == {"en-aid-1", "fr-aid-1", "ro-aid-tr"}
    assert body["storyline"]["id"] == "s-danube"
    assert body["event"]["headline"] == digest["headline"]["text"]


def test_merged_event_resolves(client: Any) -> None:
    body = client.get("/api/events/ev-gas-old").json()
    assert body["event"]["id"] == "ev-gas" and body["requested_id"] == "ev-gas-old"


def test_a_storyline_whose_events_went_to_another_resolves(client: Any) -> None:
    body = client.get("/api/storylines/s-gas-old").json()
    assert body["storyline"]["id"] == "s-gas" and body["requested_id"] == "s-gas-old"
    assert [e["id"] for e in body["events"]] == [e["id"] for e in client.get("/api/storylines/s-gas").json()["events"]]
    events = client.get("/api/events", params={"storyline": "s-gas-old"}).json()
    assert {e["id"] for e in events["items"]} == {"ev-gas", "ev-prices"}
    assert "s-gas-old" not in {s["id"] for s in client.get("/api/storylines").json()["items"]}


def test_articles_list_and_detail(client: Any) -> None:
    body = client.get("/api/articles", params={"limit": 5}).json()
    assert body["total"] == 19 and len(body["items"]) == 5 and body["items"][0]["id"] == "en-flood-1"
    second = client.get("/api/articles", params={"limit": 5, "offset": 5}).json()
    assert not {a["id"] for a in body["items"]} & {a["id"] for a in second["items"]}
    russian = client.get("/api/articles", params={"lang": "ru"}).json()
    assert russian["total"] == 2 and all(a["lang"] == "ru" for a in russian["items"])
    named = client.get("/api/articles", params={"entity": "e-kyiv", "lang": "uk"}).json()
    assert [a["id"] for a in named["items"]] == ["uk-gas-1"] and named["total"] == 1
    dated = client.get("/api/articles", params={"since": "2024-07-01"}).json()
    assert {a["id"] for a in dated["items"]} == {"de-loose-1", "en-loose-1"}

    detail = client.get("/api/articles/en-flood-1").json()
    assert detail["article"]["event_id"] == "ev-flood" and detail["article"]["storyline_id"] == "s-danube"
    assert detail["removed"][0] == {"line": "Read also: Ten tips for a rainy summer", "reason": "marker"}
    assert {e["entity_id"] for e in detail["entities"]} == {"e-danube", "e-galati", "e-popescu"}
    assert detail["quotes"][0]["speaker"] == "Ana Popescu"
    assert detail["event"]["id"] == "ev-flood" and detail["storyline"]["id"] == "s-danube"
    copy = client.get("/api/articles/ro-flood-copy").json()
    assert copy["duplicate_of"]["id"] == "ro-flood-1"
    translation = client.get("/api/articles/ro-aid-tr").json()
    assert translation["translation_of"]["id"] == "en-aid-1"
    loose = client.get("/api/articles/de-loose-1").json()
    assert loose["event"] is None and loose["storyline"] is None


def test_entities_list_and_detail(client: Any) -> None:
    body = client.get("/api/entities").json()
    assert body["total"] == 14 and body["items"][0]["article_count"] >= body["items"][-1]["article_count"]
    people = client.get("/api/entities", params={"type": "PER"}).json()
    assert people["total"] == 5 and all(e["type"] == "PER" for e in people["items"])
    cyrillic = client.get("/api/entities", params={"q": "Коваленко"}).json()
    assert [e["id"] for e in cyrillic["items"]] == ["e-kovalenko"]
    paged = client.get("/api/entities", params={"limit": 3, "offset": 3}).json()
    assert paged["total"] == 14 and len(paged["items"]) == 3

    ukraine = client.get("/api/entities/e-ukraine").json()
    aliases = {g["lang"]: g["forms"] for g in ukraine["aliases"]}
    assert aliases["uk"] == ["Україна"] and aliases["el"] == ["Ουκρανίας"]
    assert [e["event"]["id"] for e in ukraine["events"]] == ["ev-gas", "ev-prices"]
    assert [s["id"] for s in ukraine["storylines"]] == ["s-gas"]
    assert ukraine["first_date"] == "2024-06-12" and ukraine["last_date"] == "2024-06-21"


def test_search_is_accent_insensitive_with_marked_snippets(client: Any) -> None:
    body = client.get("/api/search", params={"q": "galati"}).json()
    assert body["total"] == 10 and not body["total_capped"]
    hit = body["items"][0]
    assert "<mark>" in hit["snippet_html"] and "\x02" not in hit["snippet"]
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end].lower() == "galați"
    cyr = client.get("/api/search", params={"q": "києві"}).json()  # Cyrillic, case-folded
    assert {h["article"]["id"] for h in cyr["items"]} == {"uk-gas-1"}
    ru = client.get("/api/search", params={"q": "газа", "lang": "ru"}).json()
    assert {h["article"]["id"] for h in ru["items"]} == {"ru-gas-1"}
    greek = client.get("/api/search", params={"q": "ΑΚΡΌΠΟΛΗ"}).json()  # Greek, case-folded
    assert {h["article"]["id"] for h in greek["items"]} == {"el-heat-1"}
    by_entity = client.get("/api/search", params={"q": "galati", "entity": "e-eu"}).json()
    assert {h["article"]["id"] for h in by_entity["items"]} == {"en-aid-1", "fr-aid-1", "ro-aid-tr"}
    assert by_entity["total"] == 3
    paged = client.get("/api/search", params={"q": "galati", "limit": 4, "offset": 8}).json()
    assert len(paged["items"]) == 2 and paged["total"] == 10


def test_search_ignores_greek_accents(client: Any) -> None:
    greek = client.get("/api/search", params={"q": "ακροπολη"}).json()
    assert {h["article"]["id"] for h in greek["items"]} == {"el-heat-1"}


def test_search_escapes_before_marking(client: Any) -> None:
    body = client.get("/api/search", params={"q": "hostile"}).json()
    html = body["items"][0]["snippet_html"]
    assert "<img" not in html and "&lt;img" in html and "<mark>hostile</mark>" in html.lower()


def test_facets(client: Any) -> None:
    body = client.get("/api/facets").json()
    assert (body["articles"], body["events"], body["storylines"]) == (19, 6, 2)
    assert body["languages"][0] == {"lang": "en", "count": 7, "color": "#4e79a7"}
    assert body["first_date"] == "2024-06-10" and body["last_date"] == "2024-07-02"
    assert body["entities"][0]["article_count"] >= body["entities"][-1]["article_count"]


@pytest.mark.parametrize(
    "url",
    ["/api/storylines/nope", "/api/events/nope", "/api/articles/nope", "/api/entities/nope", "/api/ingest/nope",
     "/api/nothing-here"],
)
def test_unknown_ids_are_404_json(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["status"] == 404 and response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/storylines", {"limit": 0}),
        ("/api/storylines", {"limit": 1000}),
        ("/api/events", {"limit": "ten"}),
        ("/api/events", {"offset": -1}),
        ("/api/events", {"sort": "random"}),
        ("/api/articles", {"since": "2024-13-01"}),
        ("/api/articles", {"until": "yesterday"}),
        ("/api/search", {}),
        ("/api/search", {"q": ""}),
        ("/api/entities", {"type": "ANIMAL"}),
        ("/api/storylines", {"entity": "no such entity anywhere"}),
    ],
)
def test_bad_parameters_are_422(client: Any, url: str, params: dict[str, Any]) -> None:
    response = client.get(url, params=params)
    assert response.status_code == 422, response.text
    assert response.json()["status"] == 422


def test_openapi_and_docs(client: Any) -> None:
    spec = client.get("/api/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/storylines", "/api/storylines/{storyline_id}", "/api/events", "/api/events/{event_id}",
            "/api/articles", "/api/articles/{article_id}", "/api/entities", "/api/entities/{entity_id}",
            "/api/search", "/api/facets", "/api/ingest", "/api/ingest/{job_id}"} <= paths
    assert "multipart/form-data" in spec["paths"]["/api/ingest"]["post"]["requestBody"]["content"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "GET /api/search" in docs.text and "cdn" not in docs.text.lower()


def test_json_carries_hostile_text_verbatim(client: Any) -> None:
    response = client.get("/api/articles/xss-1")
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["article"]["title"] == XSS and body["article"]["url"] == "javascript:alert(4)"
    assert response.headers["x-content-type-options"] == "nosniff"
