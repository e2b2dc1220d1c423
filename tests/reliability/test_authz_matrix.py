"""R4: every endpoint x role x in-scope/out-of-scope object, and every bad token.

The routes are enumerated from the application itself; a route without an entry in
``MATRIX`` fails ``test_every_route_has_a_matrix_entry``, so a new endpoint cannot go
out without someone deciding who may call it and what an outsider sees.

Scopes (see ``api.scope``):

- ``public``: no token needed (probes, metrics, the OpenAPI document and its pages);
- ``signed-in``: any valid token, no object involved (the unit tree, rules, statechart);
- ``role``: only the listed roles, everyone else 403 whatever the object;
- ``object``: one matter; the listed roles in scope get it, out of scope is 404 with no
  data of the matter, a role that may never do it is 403 for any id;
- ``rows``: a list filtered row by row; out of scope the matter is simply not there.

Console pages (``console=True``) are signed in by the same token kept in the session
cookie, posted forms carry the session's CSRF token; their refusals are HTML pages with
the same statuses (403 for a role, 404 out of scope) and a bad session is a redirect to
the sign-in page.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt
import pytest
from fastapi import FastAPI

from api.console.session import form_token
from tests.e2e.conftest import Api, petition_body, problem
from tests.reliability.conftest import open_api
from workflow.domain.actions import ACTION_NAMES

Scope = Literal["public", "signed-in", "role", "object", "rows"]
ROLES = ("registrar", "handler", "supervisor", "auditor", "admin")
ALL = frozenset(ROLES)
ACTING = frozenset({"registrar", "handler"})
OVERSEERS = frozenset({"supervisor", "auditor", "admin"})
# The matter of every object test is registered at C1-XF and held there.
IN_SCOPE = {
    "registrar": "C1-XF",
    "handler": "C1-XF",
    "supervisor": "C1",
    "auditor": "C1",
    "admin": "P",
}
# Admin reads everything by design: it has no out-of-scope unit.
OUT_OF_SCOPE = {"registrar": "C2-XF", "handler": "C2-XF", "supervisor": "C2", "auditor": "C2"}


@dataclass
class World:
    api: Api
    matter: dict[str, Any]
    counter: Iterator[int] = field(default_factory=itertools.count)

    def fresh(self) -> str:
        # Another subject and petitioner each time: a repeat would be declined, not classified.
        n = self.unique()
        person = {"name": "李四", "id_number": f"1101011990010{n:05d}", "phone": "13900000000"}
        return str(self.api.register(subject=f"事项{n}", petitioners=[person])["id"])

    def unique(self) -> int:
        return next(self.counter)


Request = tuple[str, str, dict[str, Any] | None]


@dataclass(frozen=True)
class Entry:
    scope: Scope
    request: Callable[[World], Request]
    allowed: frozenset[str] = ALL
    ok: int = 200
    console: bool = False


def _get(path: str) -> Callable[[World], Request]:
    return lambda w: ("GET", path.format(id=w.matter["id"]), None)


def _unit(w: World) -> Request:
    n = w.unique()
    body = {"code": f"X{n}", "name": "新单位", "level": "county", "kind": "agency", "parent": "C2"}
    return ("POST", "/v1/units", body)


def _action(w: World) -> Request:
    body = {"action": "classify", "type": "claim", "route": "petition"}
    return ("POST", f"/v1/petitions/{w.fresh()}/actions", body)


MATRIX: dict[tuple[str, str], Entry] = {
    ("GET", "/healthz"): Entry("public", _get("/healthz")),
    ("GET", "/readyz"): Entry("public", _get("/readyz")),
    ("GET", "/metrics"): Entry("public", _get("/metrics")),
    ("GET", "/openapi.json"): Entry("public", _get("/openapi.json")),
    ("GET", "/docs"): Entry("public", _get("/docs")),
    ("GET", "/docs/oauth2-redirect"): Entry("public", _get("/docs/oauth2-redirect")),
    ("GET", "/redoc"): Entry("public", _get("/redoc")),
    ("GET", "/v1/units"): Entry("signed-in", _get("/v1/units")),
    ("POST", "/v1/units"): Entry("role", _unit, frozenset({"admin"}), 201),
    ("GET", "/v1/units/{code}"): Entry("signed-in", _get("/v1/units/C1-XF")),
    ("POST", "/v1/petitions"): Entry(
        "role", lambda w: ("POST", "/v1/petitions", petition_body()), ACTING, 201
    ),
    ("GET", "/v1/petitions"): Entry("rows", _get("/v1/petitions?limit=200")),
    ("GET", "/v1/petitions/{petition_id}"): Entry("object", _get("/v1/petitions/{id}")),
    ("POST", "/v1/petitions/{petition_id}/actions"): Entry("object", _action, ACTING),
    ("GET", "/v1/petitions/{petition_id}/history"): Entry(
        "object", _get("/v1/petitions/{id}/history")
    ),
    ("GET", "/v1/petitions/{petition_id}/replay"): Entry(
        "object", _get("/v1/petitions/{id}/replay")
    ),
    ("GET", "/v1/petitions/{petition_id}/dossier"): Entry(
        "object", _get("/v1/petitions/{id}/dossier")
    ),
    # Chain verification is global by design: auditors and admins check the whole store.
    ("GET", "/v1/audit/verify"): Entry(
        "role", _get("/v1/audit/verify"), frozenset({"auditor", "admin"})
    ),
    ("GET", "/v1/rules"): Entry("signed-in", _get("/v1/rules")),
    ("POST", "/v1/rules/deadline-preview"): Entry(
        "signed-in",
        lambda w: (
            "POST",
            "/v1/rules/deadline-preview",
            {"rule": "route", "start_on": "2026-09-22"},
        ),
    ),
    ("GET", "/v1/statechart"): Entry("signed-in", _get("/v1/statechart")),
    ("GET", "/v1/statechart/diagram"): Entry(
        "object", _get("/v1/statechart/diagram?petition={id}")
    ),
    ("GET", "/v1/events"): Entry("rows", _get("/v1/events?limit=200")),
    # Supervision boards answer for the caller's own root by default (scope by unit is
    # in tests/e2e/test_supervision_api.py); only overseeing roles may read them.
    **{
        ("GET", path): Entry("role", _get(path), OVERSEERS)
        for path in (
            "/v1/supervision/overdue",
            "/v1/supervision/due-soon",
            "/v1/supervision/items",
            "/v1/supervision/leaders",
            "/v1/supervision/backlog",
            "/v1/stats/rates",
        )
    },
    # Only supervisors open items by hand (at a petition bureau above the responsible unit:
    # the engine's check, tests/supervision/test_manual_items.py); an unknown matter is then
    # 404 like any object.
    ("POST", "/v1/supervision/items"): Entry(
        "role",
        lambda w: (
            "POST",
            "/v1/supervision/items",
            {"petition_id": "no-such-petition", "ground": "other", "detail": "核查"},
        ),
        frozenset({"supervisor"}),
        404,
    ),
    # Only supervisors act on items; an unknown item is then 404 like any object.
    ("POST", "/v1/supervision/items/{item_id}/actions"): Entry(
        "role",
        lambda w: ("POST", "/v1/supervision/items/no-such-item/actions", {"action": "urge"}),
        frozenset({"supervisor"}),
        404,
    ),
    # Moving a unit under the parent it already has changes nothing: admin only.
    ("PATCH", "/v1/units/{code}"): Entry(
        "role",
        lambda w: ("PATCH", "/v1/units/C2-XF", {"parent": "C2"}),
        frozenset({"admin"}),
    ),
    # Redaction is global by design (retention applies to every matter): admins only.
    ("POST", "/v1/admin/redactions"): Entry(
        "role",
        lambda w: ("POST", "/v1/admin/redactions", {"before": "2000-01-01"}),
        frozenset({"admin"}),
    ),
    ("POST", "/v1/admin/clock"): Entry(
        "role",
        lambda w: ("POST", "/v1/admin/clock", {"advance_days": 0}),
        frozenset({"admin"}),
    ),
    # The petitioner's own routes: the number and query code decide, a token nothing
    # (tests/e2e/test_public.py has the wrong code and number, limits and what is shown).
    ("GET", "/v1/public/petitions/{number}"): Entry(
        "public",
        lambda w: (
            "GET",
            f"/v1/public/petitions/{w.matter['number']}?code={w.matter['query_code']}",
            None,
        ),
    ),
    ("POST", "/v1/public/petitions/{number}/evaluation"): Entry(
        "public",
        lambda w: (
            "POST",
            f"/v1/public/petitions/{w.matter['number']}/evaluation",
            {"code": "AAAA-AAAA-AAAA-AAAA", "satisfied": True},
        ),
        ok=404,
    ),
}


CONSOLE: dict[tuple[str, str], Entry] = {
    ("GET", "/console/login"): Entry("public", _get("/console/login"), console=True),
    # The form's token is the cell's own: every valid one signs in.
    ("POST", "/console/login"): Entry(
        "public", lambda w: ("POST", "/console/login", {}), ok=303, console=True
    ),
    ("POST", "/console/logout"): Entry(
        "signed-in", lambda w: ("POST", "/console/logout", {}), ok=303, console=True
    ),
    ("GET", "/console"): Entry("signed-in", _get("/console"), console=True),
    ("GET", "/console/board"): Entry("role", _get("/console/board"), OVERSEERS, console=True),
    ("GET", "/console/rates"): Entry("role", _get("/console/rates"), OVERSEERS, console=True),
    ("POST", "/console/items/{item_id}/actions"): Entry(
        "role",
        lambda w: ("POST", "/console/items/no-such-item/actions", {"action": "urge"}),
        frozenset({"supervisor"}),
        404,
        console=True,
    ),
    ("GET", "/console/petitions/{petition_id}"): Entry(
        "object", _get("/console/petitions/{id}"), console=True
    ),
    ("GET", "/console/petitions/{petition_id}/diagram"): Entry(
        "object", _get("/console/petitions/{id}/diagram"), console=True
    ),
    ("GET", "/console/petitions/{petition_id}/dossier"): Entry(
        "object", _get("/console/petitions/{id}/dossier"), console=True
    ),
}
MATRIX.update(CONSOLE)


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route the app serves, HEAD aside."""
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                context = getattr(route, "include_context", None)
                walk(list(inner.routes), prefix + str(getattr(context, "prefix", "")))
                continue
            mounted = getattr(route, "routes", None)
            if mounted is not None and not hasattr(route, "methods"):
                walk(list(mounted), prefix + str(getattr(route, "path", "")))
                continue
            for method in getattr(route, "methods", None) or ():
                if method != "HEAD":
                    found.add((method, prefix + str(route.path)))

    walk(list(app.routes), "")
    return found


@pytest.fixture
def world(make_api: Callable[..., Api]) -> World:
    # The simulated clock mounts the admin routes too: the matrix covers every route.
    api = make_api(clock="simulated", rate_limit_heavy_per_minute=0, rate_limit_reads_per_minute=0)
    return World(api, api.register(unit="C1-XF"))


def test_every_route_has_a_matrix_entry(world: World) -> None:
    served = app_routes(world.api.client.app)  # type: ignore[arg-type]
    assert len(served) >= len(MATRIX) - 2
    missing = sorted(served - MATRIX.keys())
    assert not missing, f"routes without an authorization matrix entry: {missing}"
    assert not sorted(MATRIX.keys() - served), "matrix entries for routes that do not exist"


def _call(w: World, request: Request, headers: dict[str, str], console: bool = False) -> Any:
    method, url, body = request
    if console:
        return _console_call(w, request, headers)
    return w.api.client.request(method, url, json=body, headers=headers)


def _console_call(w: World, request: Request, headers: dict[str, str]) -> Any:
    """The same request from a browser: the token in the session cookie, forms with CSRF."""
    method, url, body = request
    token = headers.get("Authorization", "").removeprefix("Bearer ")
    w.api.client.cookies.clear()
    cookie = {"Cookie": f"pf_session={token}; pf_login=matrix-login"}
    if method == "GET":
        return w.api.client.get(url, headers=cookie, follow_redirects=False)
    form = dict(body or {})
    if url == "/console/login":
        form.update(csrf="matrix-login", token=token)
    else:
        form["csrf"] = form_token(w.api.settings, token)
    return w.api.client.post(url, data=form, headers=cookie, follow_redirects=False)


def console_refusal(response: Any, status: int, slug: str) -> str:
    """A console refusal: an HTML page in Chinese with the problem's status and type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert f'data-problem="{slug}"' in response.text
    return str(response.text)


def _assert_no_leak(w: World, response: Any, console: bool = False) -> None:
    """A 404 for an out-of-scope matter says nothing an unknown id would not say."""
    if console:
        text = console_refusal(response, 404, "not-found")
        for secret in (w.matter["number"], w.matter["subject"], "张三", "110101199001011234"):
            assert secret not in text
        return
    body = problem(response, 404, "not-found")
    text = response.text
    for secret in (w.matter["number"], w.matter["subject"], "张三", "110101199001011234"):
        assert secret not in text
    assert set(body) <= {"type", "title", "status", "detail", "instance"}


def check_cell(w: World, key: tuple[str, str], role: str, unit: str, in_scope: bool) -> None:
    entry = MATRIX[key]
    request = entry.request(w)
    response = _call(w, request, w.api.auth(role, unit), entry.console)
    where = f"{key} as {role}@{unit} ({'in' if in_scope else 'out of'} scope)"
    if entry.scope in ("public", "signed-in"):
        assert response.status_code == entry.ok, (where, response.text)
    elif entry.scope == "role":
        if role in entry.allowed:
            assert response.status_code == entry.ok, (where, response.text)
        elif entry.console:
            console_refusal(response, 403, "forbidden")
        else:
            problem(response, 403, "forbidden")
    elif entry.scope == "object":
        if role not in entry.allowed:
            problem(response, 403, "forbidden")
        elif in_scope:
            assert response.status_code == entry.ok, (where, response.text)
        else:
            _assert_no_leak(w, response, entry.console)
    else:  # rows
        assert response.status_code == entry.ok, (where, response.text)
        ids = {item.get("case_id", item.get("id")) for item in response.json()["items"]}
        assert (w.matter["id"] in ids) is in_scope, where
        if not in_scope:
            assert w.matter["number"] not in response.text


@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda k: f"{k[0]} {k[1]}")
def test_matrix(world: World, key: tuple[str, str]) -> None:
    if key not in app_routes(world.api.client.app):  # type: ignore[arg-type]
        pytest.fail(f"{key} is in the matrix but not served")
    cells = 0
    for role in ROLES:
        check_cell(world, key, role, IN_SCOPE[role], True)
        cells += 1
        if role in OUT_OF_SCOPE:
            check_cell(world, key, role, OUT_OF_SCOPE[role], False)
            cells += 1
    if MATRIX[key].scope == "object":
        # An id that does not exist and one out of scope are indistinguishable.
        unknown = world.api.client.get(
            "/v1/petitions/0123456789abcdef", headers=world.api.auth("handler", "C2-XF")
        )
        problem(unknown, 404, "not-found")
    assert cells == 9


def _claims(w: World, **extra: Any) -> dict[str, Any]:
    settings = w.api.settings
    claims: dict[str, Any] = {
        "sub": "admin@P",
        "role": "admin",
        "unit": "P",
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
        "exp": int((datetime.now(UTC) + timedelta(hours=1)).timestamp()),
    }
    claims.update(extra)
    return claims


def _forged(w: World) -> str:
    # A valid handler token whose payload is swapped for an admin's, signature kept.
    real = w.api.token("handler", "C2-XF")
    header, _payload, signature = real.split(".")
    other = jwt.encode(_claims(w), "x" * 40, algorithm="HS256").split(".")[1]
    return f"{header}.{other}.{signature}"


def _hs512(w: World) -> str:
    # The right secret with an algorithm the service does not accept.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the secret is short for HS512; irrelevant here
        return jwt.encode(_claims(w), w.api.settings.jwt_secret, algorithm="HS512")


BAD_TOKENS: dict[str, Callable[[World], str]] = {
    "forged": _forged,
    "expired": lambda w: jwt.encode(
        _claims(w, exp=int((datetime.now(UTC) - timedelta(seconds=5)).timestamp())),
        w.api.settings.jwt_secret,
        algorithm="HS256",
    ),
    "alg-none": lambda w: jwt.encode(_claims(w), None, algorithm="none"),
    "wrong-key": lambda w: jwt.encode(
        _claims(w), "another-secret-of-sufficient-length-0123456789", algorithm="HS256"
    ),
    "wrong-audience": lambda w: jwt.encode(
        _claims(w, aud="another-service"), w.api.settings.jwt_secret, algorithm="HS256"
    ),
    "other-algorithm": lambda w: _hs512(w),
}


@pytest.mark.parametrize(
    "key",
    sorted(k for k, e in MATRIX.items() if e.scope != "public" and not e.console),
    ids=lambda k: f"{k[0]} {k[1]}",
)
def test_bad_tokens_are_401_everywhere_and_write_nothing(
    world: World, key: tuple[str, str]
) -> None:
    w = world
    for kind, make in BAD_TOKENS.items():
        request = MATRIX[key].request(w)
        before = w.api.event_count()
        response = _call(w, request, {"Authorization": f"Bearer {make(w)}"})
        problem(response, 401, "unauthenticated")
        assert response.headers["WWW-Authenticate"] == "Bearer", kind
        assert w.matter["number"] not in response.text
        assert w.api.event_count() == before, kind


@pytest.mark.parametrize(
    "key",
    sorted(k for k, e in MATRIX.items() if e.scope != "public" and e.console),
    ids=lambda k: f"{k[0]} {k[1]}",
)
def test_bad_session_cookies_go_to_sign_in_and_write_nothing(
    world: World, key: tuple[str, str]
) -> None:
    w = world
    for kind, make in BAD_TOKENS.items():
        request = MATRIX[key].request(w)
        before = w.api.event_count()
        response = _console_call(w, request, {"Authorization": f"Bearer {make(w)}"})
        assert response.status_code == 303, (kind, response.text)
        assert response.headers["location"].startswith("/console/login"), kind
        assert w.matter["number"] not in response.text
        assert w.api.event_count() == before, kind


def test_bad_tokens_do_not_sign_in(world: World) -> None:
    w = world
    for kind, make in BAD_TOKENS.items():
        response = _console_call(
            w, ("POST", "/console/login", {}), {"Authorization": f"Bearer {make(w)}"}
        )
        assert response.status_code == 401, (kind, response.text)
        assert "pf_session=" not in response.headers.get("set-cookie", ""), kind


# Actions that could widen reads (issue 22, F1: reading by acting). Every action, sent by
# every role at units in and out of scope, on a matter at two stages (open, replied);
# before and after each, the caller's reads (GET, history, dossier). No response and no
# later read may show more than the caller read before: no 200 where it was 404, no
# unmasked personal data where it was masked or absent. The one way to come to read a
# matter is its own flow bringing it to the caller's unit (the organ a review request
# goes to).

TODAY = "2026-09-22"
ACTION_FIELDS: dict[str, dict[str, Any]] = {
    "classify": {"type": "claim", "route": "petition"},
    "transfer": {"to_unit": "C1-ZJ", "mode": "transfer"},
    "decline": {"reason": "other", "detail": "不属于信访事项"},
    "object": {"reason": "不属本单位职责"},
    "overrule": {"reason": "属于本单位职责"},
    "accept": {},
    "extend": {"days": 15, "approved_by": "局长", "reason": "情况复杂"},
    "hearing_start": {},
    "hearing_end": {},
    "reply": {"outcome": "support", "opinion": "支持", "delivered_on": TODAY},
    "evaluate": {"satisfied": True},
    "request_review": {"received_on": TODAY},
    "review_decide": {"outcome": "uphold", "opinion": "维持"},
    "request_re_review": {"received_on": TODAY},
    "re_review_decide": {"outcome": "uphold", "opinion": "维持"},
    "withdraw": {"detail": "撤回"},
    "assign_leader": {"leader": "李市长", "title": "市长"},
    "deliver": {"delivered_on": TODAY, "method": "post"},
    "notify": {"kind": "receipt", "method": "post"},
    "implemented": {"detail": "已落实"},
}
# Callers that cannot read the matter first (they must not come to read it), readers
# last (their actions move the matter on): units above the holder (C1, P), beside it
# (K1-ZJ, P-XF), in another city (C2-XF, C2), the holders (C1-XF, then C1-ZJ).
ACTION_CELLS = (
    ("handler", "C1"),
    ("handler", "P"),
    ("registrar", "P-XF"),
    ("handler", "K1-ZJ"),
    ("handler", "C2-XF"),
    ("registrar", "C2-XF"),
    ("supervisor", "C1"),
    ("supervisor", "C2"),
    ("auditor", "C1"),
    ("auditor", "C2"),
    ("admin", "P"),
    ("registrar", "C1-XF"),
    ("handler", "C1-XF"),
    ("handler", "C1-ZJ"),
)
STAGES = ("registered", "replied")
SECRETS = ("110101199001011234", "13800000000")  # the petitioner's ID number and phone
View = tuple[tuple[bool, bool], ...]


@pytest.fixture(scope="module")
def acting_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One API (one SQLite file) for every action of the module."""
    path = tmp_path_factory.mktemp("authz-actions") / "api.db"
    api, close = open_api(f"sqlite:///{path}", rate_limit_reads_per_minute=0)
    try:
        yield api
    finally:
        close()


def _staged(api: Api, stage: str) -> str:
    """A matter just registered at C1-XF, or passed to C1-ZJ, which replied (supported)."""
    case = api.register()
    if stage == "replied":
        api.ok(case, "C1-XF", "classify", type="claim", route="petition")
        api.ok(case, "C1-XF", "transfer", to_unit="C1-ZJ", mode="transfer")
        api.ok(case, "C1-ZJ", "accept")
        api.ok(case, "C1-ZJ", "reply", outcome="support", opinion="支持", delivered_on=TODAY)
    return str(case["id"])


def _view(api: Api, case_id: str, headers: dict[str, str]) -> View:
    """Per read (GET, history, dossier): answered 200, and unmasked personal data in it."""
    out = []
    for suffix in ("", "/history", "/dossier"):
        response = api.client.get(f"/v1/petitions/{case_id}{suffix}", headers=headers)
        assert response.status_code in (200, 404), response.text
        out.append((response.status_code == 200, any(s in response.text for s in SECRETS)))
    return tuple(out)


def test_every_action_has_a_widening_check() -> None:
    assert sorted(ACTION_FIELDS) == sorted(ACTION_NAMES)


@pytest.mark.parametrize("action", ACTION_NAMES)
def test_no_action_widens_what_its_caller_reads(acting_api: Api, action: str) -> None:
    api = acting_api
    cells = 0
    for stage in STAGES:
        case_id = _staged(api, stage)
        for role, unit in ACTION_CELLS:
            where = f"{action} on a {stage} matter as {role}@{unit}"
            headers = api.auth(role, unit)
            before = _view(api, case_id, headers)
            response = api.client.post(
                f"/v1/petitions/{case_id}/actions",
                json={"action": action, **ACTION_FIELDS[action]},
                headers=headers,
            )
            assert response.status_code < 500, (where, response.text)
            after = _view(api, case_id, headers)
            # The matter's own flow brought it to the caller's unit (a review request).
            flow = (
                response.status_code == 200
                and not before[0][0]
                and response.json()["holder_unit"] == unit
            )
            cells += 1
            if response.status_code == 200:
                # The response is the caller's own view, exactly as their GET gives it.
                read = api.client.get(f"/v1/petitions/{case_id}", headers=headers)
                assert read.json() == response.json(), where
            if flow:
                continue
            if response.status_code == 200:
                assert before[0][0], (where, "an action answered a caller who could not read")
            if any(s in response.text for s in SECRETS):
                assert before[0][1], (where, "the response showed unmasked personal data")
            for (read_before, open_before), (read_after, open_after) in zip(
                before, after, strict=True
            ):
                assert read_after <= read_before, (where, "a read answers 200 where it was 404")
                assert open_after <= open_before, (where, "a read shows unmasked data now")
    assert cells == len(STAGES) * len(ACTION_CELLS)
