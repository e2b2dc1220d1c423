"""F13: caching, framing and content-security headers.

Every HTML page (every GET route of the console, the API's HTML dossier, the OpenAPI
pages, error pages) carries ``X-Frame-Options: DENY`` and a Content-Security-Policy with
``frame-ancestors 'none'`` that allows no inline script or style unless hashed; every
inline ``<style>`` of a page is one of the hashes; no page has a ``style=`` attribute or
an inline ``<script>``. Every response of a route that may carry personal data is
``Cache-Control: no-store``; the negotiated dossier says ``Vary: Accept``.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi.testclient import TestClient

from tests.e2e.conftest import Api
from tests.e2e.test_console import sign_in
from tests.reliability.test_authz_matrix import app_routes

STYLE = re.compile(r"<style>(.*?)</style>", re.S)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


def _check_html(path: str, response: object) -> list[str]:
    from httpx import Response

    assert isinstance(response, Response)
    problems = []
    h = response.headers
    if h.get("x-frame-options") != "DENY":
        problems.append(f"{path}: X-Frame-Options {h.get('x-frame-options')}")
    csp = h.get("content-security-policy", "")
    if "frame-ancestors 'none'" not in csp:
        problems.append(f"{path}: CSP {csp!r}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"{path}: CSP allows inline: {csp!r}")
    if "default-src" not in csp:
        problems.append(f"{path}: CSP without default-src")
    if "no-store" not in h.get("cache-control", ""):
        problems.append(f"{path}: Cache-Control {h.get('cache-control')}")
    if not path.startswith("/docs") and not path.startswith("/redoc"):
        for block in STYLE.findall(response.text):
            digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
            if f"'sha256-{digest}'" not in csp:
                problems.append(f"{path}: an inline <style> whose hash is not in the CSP")
        if re.search(r"\sstyle=", response.text):
            problems.append(f"{path}: a style= attribute")
        if INLINE_SCRIPT.search(response.text):
            problems.append(f"{path}: an inline <script>")
    return problems


def test_every_html_page_has_frame_and_csp_headers(api: Api) -> None:
    matter = api.register()
    pid = matter["id"]
    client = TestClient(api.client.app, raise_server_exceptions=False)
    problems: list[str] = []
    # Signed out: the login page and the redirects to it.
    for path in ("/console/login", "/console/nowhere"):
        problems += _check_html(path, client.get(path))
    sign_in(api, "supervisor", "P")
    pages = [
        "/console",
        "/console/board",
        "/console/rates",
        f"/console/petitions/{pid}",
        f"/console/petitions/{pid}/diagram",
        f"/console/petitions/{pid}/dossier",
        "/console/petitions/nosuchmatter",  # the 404 page
        "/console/login",
    ]
    for path in pages:
        problems += _check_html(path, api.client.get(path))
    # Every GET route of the console is among the pages above.
    console_gets = {
        p
        for m, p in app_routes(api.client.app)  # type: ignore[arg-type]
        if p.startswith("/console") and m == "GET"
    }
    covered = {re.sub(pid, "{petition_id}", p) for p in pages}
    assert console_gets <= covered | {"/console/"}, console_gets - covered
    headers = api.auth("auditor", "P")
    for variant in ({"Accept": "text/html"}, {}):
        url = f"/v1/petitions/{pid}/dossier" + ("" if variant else "?format=html")
        problems += _check_html(url, api.client.get(url, headers={**headers, **variant}))
    for path in ("/docs", "/redoc"):
        problems += _check_html(path, api.client.get(path))
    assert not problems, problems


def test_personal_data_is_never_cached(api: Api) -> None:
    matter = api.register()
    pid = matter["id"]
    auditor = api.auth("auditor", "P")
    registrar = api.auth("registrar", "C1-XF")
    reads = [
        ("GET", f"/v1/petitions/{pid}", auditor),
        ("GET", "/v1/petitions", auditor),
        ("GET", f"/v1/petitions/{pid}/history", auditor),
        ("GET", f"/v1/petitions/{pid}/dossier", auditor),
        ("GET", f"/v1/petitions/{pid}/replay", auditor),
        ("GET", "/v1/events", auditor),
        ("GET", "/v1/supervision/overdue", api.auth("supervisor", "P")),
        ("GET", "/v1/supervision/items", api.auth("supervisor", "P")),
        ("GET", f"/v1/petitions/{pid}", api.auth("auditor", "NOPE")),  # an error too
    ]
    problems = []
    for method, path, headers in reads:
        r = api.client.request(method, path, headers=headers)
        if "no-store" not in r.headers.get("cache-control", ""):
            problems.append((path, r.status_code, r.headers.get("cache-control")))
    body = {
        "channel": "letter",
        "petitioners": [{"name": "张三", "id_number": "330501199001011234"}],
        "subject": "s",
        "content": "c",
    }
    r = api.client.post("/v1/petitions", json=body, headers=registrar)
    if "no-store" not in r.headers.get("cache-control", ""):
        problems.append(("POST /v1/petitions", r.status_code, r.headers.get("cache-control")))
    # The public routes (number and query code, no token).
    r = api.client.get(f"/v1/public/petitions/{matter['number']}", params={"code": "wrong"})
    if "no-store" not in r.headers.get("cache-control", ""):
        problems.append(("public", r.status_code, r.headers.get("cache-control")))
    assert not problems, problems


def test_negotiated_dossier_varies_on_accept(api: Api) -> None:
    pid = api.register()["id"]
    headers = api.auth("auditor", "P")
    for accept in ("application/json", "text/html"):
        r = api.client.get(f"/v1/petitions/{pid}/dossier", headers={**headers, "Accept": accept})
        assert r.status_code == 200
        assert "accept" in r.headers.get("vary", "").lower()
