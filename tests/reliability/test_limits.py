"""Limits that protect the service: body size, page size, and the rate of expensive reads."""

from __future__ import annotations

from collections.abc import Callable

from api.limits import TokenBuckets, classify
from tests.e2e.conftest import Api, petition_body, problem


def test_token_bucket_grants_a_burst_then_refills_at_the_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(clock=lambda: now[0])
    key = ("heavy", "auditor:P:a")
    assert [buckets.take(key, 60, 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take(key, 60, 3) == 1.0  # one token a second at 60 a minute
    assert buckets.take(("heavy", "auditor:P:b"), 60, 3) == 0.0  # another caller's bucket
    now[0] = 1.0
    assert buckets.take(key, 60, 3) == 0.0
    now[0] = 100.0
    assert [buckets.take(key, 60, 3) for _ in range(4)][-1] > 0  # never more than the burst


def test_the_expensive_classes() -> None:
    assert classify("GET", "/v1/audit/verify") is not None
    assert classify("GET", "/v1/petitions/{petition_id}/replay") is not None
    assert classify("GET", "/v1/petitions") is not None
    assert classify("GET", "/v1/events") is not None
    assert classify("GET", "/v1/supervision/overdue") is not None
    assert classify("POST", "/v1/petitions") is None
    assert classify("GET", "/v1/petitions/abc") is None
    assert classify("GET", "/v1/units") is None


def test_verify_is_rate_limited_per_principal_with_retry_after(
    make_api: Callable[..., Api],
) -> None:
    api = make_api(rate_limit_heavy_per_minute=1, rate_limit_heavy_burst=2)
    h = api.auth("auditor", "P")
    assert [api.client.get("/v1/audit/verify", headers=h).status_code for _ in range(2)] == [
        200,
        200,
    ]
    refused = api.client.get("/v1/audit/verify", headers=h)
    body = problem(refused, 429, "rate-limited")
    assert int(refused.headers["Retry-After"]) >= 1 and body["limit_class"] == "heavy"
    assert refused.headers["x-request-id"]
    # Another principal has its own bucket; cheap reads are never limited.
    assert api.client.get("/v1/audit/verify", headers=api.auth("admin", "P")).status_code == 200
    assert api.client.get("/v1/units", headers=h).status_code == 200
    # A forged token is not a principal: it cannot drain a bucket, it is a 401.
    forged = {"Authorization": "Bearer x.y.z"}
    problem(api.client.get("/v1/audit/verify", headers=forged), 401, "unauthenticated")


def test_lists_are_rate_limited_and_a_zero_rate_turns_limits_off(
    make_api: Callable[..., Api],
) -> None:
    limited = make_api(rate_limit_reads_per_minute=1, rate_limit_reads_burst=1)
    h = limited.auth("handler", "C1-XF")
    assert limited.client.get("/v1/petitions", headers=h).status_code == 200
    problem(limited.client.get("/v1/events", headers=h), 429, "rate-limited")
    off = make_api(rate_limit_heavy_per_minute=0, rate_limit_reads_per_minute=0)
    h = off.auth("auditor", "P")
    assert {off.client.get("/v1/audit/verify", headers=h).status_code for _ in range(40)} == {200}


def test_the_429_is_documented_on_limited_operations_only(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    assert "429" in paths["/v1/audit/verify"]["get"]["responses"]
    assert "429" in paths["/v1/petitions"]["get"]["responses"]
    assert "429" not in paths["/v1/petitions"]["post"]["responses"]
    assert "429" not in paths["/v1/units"]["get"]["responses"]


def test_page_size_is_capped_by_configuration(make_api: Callable[..., Api]) -> None:
    api = make_api(max_page_size=2)
    for _ in range(3):
        api.register()
    page = api.client.get("/v1/petitions?limit=1000", headers=api.auth("admin", "P")).json()
    assert len(page["items"]) == 2 and page["next_cursor"] is not None
    feed = api.client.get("/v1/events?limit=1000", headers=api.auth("admin", "P")).json()
    assert len(feed["items"]) == 2


def test_body_size_limit_is_configured_and_checked_without_content_length(
    make_api: Callable[..., Api],
) -> None:
    api = make_api(max_body_bytes=2048)
    h = api.auth("registrar", "C1-XF", **{"Content-Type": "application/json"})
    before = api.event_count()
    big = petition_body(content="长" * 1000)
    problem(api.client.post("/v1/petitions", json=big, headers=h), 413, "payload-too-large")

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"channel": "letter", "content": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    # Streamed without Content-Length: counted while it is read.
    streamed = api.client.post("/v1/petitions", content=chunks(), headers=h)
    problem(streamed, 413, "payload-too-large")
    assert api.event_count() == before
