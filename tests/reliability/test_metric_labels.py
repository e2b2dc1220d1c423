"""F6: the request counter's labels stay bounded whatever method or path a client sends.

Every method outside the HTTP methods the API knows and every path that matches no route
template is counted under one ``other`` value, so a flood of made-up methods or paths
adds no series (and no memory) to ``/metrics``.
"""

from __future__ import annotations

from tests.e2e.conftest import Api
from tests.reliability.test_authz_matrix import app_routes

KNOWN_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "other"}


def _labels(api: Api) -> tuple[set[str], set[str]]:
    methods: set[str] = set()
    routes: set[str] = set()
    for metric in api.client.app.state.metrics.requests.collect():  # type: ignore[attr-defined]
        for sample in metric.samples:
            methods.add(sample.labels["method"])
            routes.add(sample.labels["route"])
    return methods, routes


def test_odd_methods_and_paths_add_no_label_values(api: Api) -> None:
    templates = {path for _, path in app_routes(api.client.app)}  # type: ignore[arg-type]
    odd_methods = [f"X{'M' * n}{n}" for n in range(1, 150)] + ["get", "Post", "PROPFIND"]
    for n, method in enumerate(odd_methods):
        api.client.request(method, "/v1/petitions")
        api.client.request(method, f"/no/such/path/{n}")
    for n in range(150):
        api.client.get(f"/v1/{'x' * n}/{n}")
    api.client.get("/healthz")
    methods, routes = _labels(api)
    assert methods <= KNOWN_METHODS, methods - KNOWN_METHODS
    assert routes <= templates | {"other"}, routes - templates - {"other"}
    # 300 odd methods and 450 unmatched requests: a handful of series, not hundreds.
    assert len(methods) <= len(KNOWN_METHODS)
    assert len(routes) <= 4
    text = api.client.get("/metrics").text
    assert "XMM" not in text and "/no/such" not in text


def test_every_route_template_is_a_label_value(api: Api) -> None:
    api.client.get("/healthz")
    _, routes = _labels(api)
    templates = {path for _, path in app_routes(api.client.app)}  # type: ignore[arg-type]
    assert routes <= templates | {"other"}
    assert "/healthz" in routes
