"""The web console without a browser: sign-in, roles, scope, reading without scripts, CSRF."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import escape

from tests.e2e.conftest import Api
from workflow.timers.sweep import advance_clock

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def sign_in(api: Api, role: str, unit: str) -> None:
    api.client.cookies.clear()
    form = api.client.get("/console/login")
    assert form.status_code == 200
    csrf = CSRF.search(form.text)
    assert csrf is not None
    response = api.client.post(
        "/console/login",
        data={"csrf": csrf.group(1), "token": api.token(role, unit), "next": "/console/board"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/console/board"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("pf_session="))
    for attribute in ("HttpOnly", "Path=/console", "SameSite=strict"):
        assert attribute.lower() in cookie.lower(), cookie


def form_csrf(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None
    return found.group(1)


def breach(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    city = api.register("C1-XF")
    other = api.register("C2-XF")
    advance_clock(api.container, advance_days=20)
    return city, other


def item_action(html: str) -> str:
    found = re.search(r'action="(/console/items/[^"]+/actions)"', html)
    assert found is not None, html
    return found.group(1)


def events(api: Api, petition_id: str) -> list[str]:
    return [e.type for e in api.container.petitions.history(petition_id)]


def test_unauthenticated_goes_to_sign_in(api: Api) -> None:
    for path in ("/console", "/console/board", "/console/rates", "/console/petitions/x"):
        response = api.client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/console/login?next=")
    # A console cookie never authorizes the API: the API reads only the Bearer header.
    sign_in(api, "admin", "P")
    problem = api.client.get("/v1/supervision/overdue")
    assert problem.status_code == 401


def test_board_lists_overdue_matters_in_html_and_acts(api: Api) -> None:
    city, other = breach(api)
    sign_in(api, "supervisor", "C1")
    board = api.client.get("/console/board")
    assert board.status_code == 200
    assert board.headers["content-type"].startswith("text/html")
    # Reading needs no script: the rows are in the HTML itself.
    assert "<script" not in board.text
    assert city["number"] in board.text and other["number"] not in board.text
    assert "督办看板" in board.text and "超期" in board.text
    assert 'data-item-state="opened"' in board.text
    for label in ("催办", "督办", "通报", "销号"):
        assert f">{label}</button>" in board.text
    done = api.client.post(
        item_action(board.text),
        data={"csrf": form_csrf(board.text), "action": "urge", "note": "请加快办理"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/console/board"
    after = api.client.get("/console/board")
    assert f"已催办：信访事项 {city['number']}" in after.text
    assert 'data-item-state="urged"' in after.text
    assert events(api, city["id"])[-1] == "supervision_urged"
    # The message is shown once.
    assert 'class="flash' not in api.client.get("/console/board").text


def test_refused_action_comes_back_with_the_problem_in_chinese(api: Api) -> None:
    city, _ = breach(api)
    sign_in(api, "supervisor", "C1")
    board = api.client.get("/console/board?min_days=1")
    before = events(api, city["id"])
    response = api.client.post(
        item_action(board.text),
        data={
            "csrf": form_csrf(board.text),
            "action": "escalate",
            "to_unit": "C1-XF",
            "min_days": "1",
            "unit": "",
        },
    )
    assert response.status_code == 200
    assert "督办未成功：提交的内容不符合要求" in response.text
    assert 'class="flash error"' in response.text
    assert events(api, city["id"]) == before
    # The filters survive the round trip.
    assert str(response.url).endswith("/console/board?min_days=1")


def test_filters_by_unit_rule_and_age(api: Api) -> None:
    city, _ = breach(api)
    county = api.register("K1-XF")
    advance_clock(api.container, advance_days=20)
    sign_in(api, "supervisor", "C1")
    both = api.client.get("/console/board").text
    assert city["number"] in both and county["number"] in both
    only_k1 = api.client.get("/console/board?unit=K1").text
    assert county["number"] in only_k1 and city["number"] not in only_k1
    no_rule = api.client.get("/console/board?rule=handle").text
    assert city["number"] not in no_rule
    # The city matter is 20 days older: a threshold between the two keeps only it.
    rows = api.client.get("/v1/supervision/overdue", headers=api.auth("admin", "P")).json()
    days = {r["petition_id"]: r["days_overdue"] for r in rows["items"]}
    assert days[city["id"]] > days[county["id"]]
    late = api.client.get(f"/console/board?min_days={days[county['id']] + 1}").text
    assert city["number"] in late and county["number"] not in late
    bad = api.client.get("/console/board?min_days=abc")
    assert bad.status_code == 422 and "min_days 须为整数" in bad.text
    outside = api.client.get("/console/board?unit=C2")
    assert outside.status_code == 404 and 'data-problem="not-found"' in outside.text


def test_pages_by_role(api: Api) -> None:
    city, _ = breach(api)
    sign_in(api, "handler", "C1-XF")
    for path in ("/console/board", "/console/rates"):
        refused = api.client.get(path)
        assert refused.status_code == 403 and "您的角色无权进行此操作" in refused.text
    # A handler reads the matters of its own unit, as in the API.
    assert api.client.get(f"/console/petitions/{city['id']}").status_code == 200
    sign_in(api, "auditor", "C1")
    board = api.client.get("/console/board")
    assert board.status_code == 200 and city["number"] in board.text
    assert (
        "仅督办人员可操作" in board.text and '<button type="submit" data-action' not in board.text
    )
    refused = api.client.post(
        item_action_from_api(api), data={"csrf": form_csrf(board.text), "action": "urge"}
    )
    assert refused.status_code == 403 and events(api, city["id"])[-1] != "supervision_urged"


def item_action_from_api(api: Api) -> str:
    items = api.client.get("/v1/supervision/items", headers=api.auth("admin", "P")).json()
    return f"/console/items/{items['items'][0]['id']}/actions"


def test_timeline_as_of_chain_and_dossier(api: Api) -> None:
    city = api.register("C1-XF")
    api.clock.advance(days=2)
    api.ok(city, "C1-XF", "classify", type="claim", route="petition")
    sign_in(api, "auditor", "C1")
    page = api.client.get(f"/console/petitions/{city['id']}")
    assert page.status_code == 200 and "<script" not in page.text
    text = page.text
    assert city["number"] in text and "案件时间线" in text
    assert "登记" in text and "依法分类处理" in text
    assert "registrar@C1-XF" in text and "handler@C1-XF" in text
    assert 'data-state="classified"' in text
    assert "✔ 完整" in text and "2 个事件" in text
    # Every deadline with its day-by-day explanation, dates in Asia/Shanghai.
    deadline = city["deadlines"][0]
    assert deadline["explanation"][0] in text
    # Registered at 09:00 in Shanghai, which is 01:00 UTC: the page shows Shanghai time.
    assert "2026-09-22 09:00" in text and "2026-09-22 01:00" not in text
    # As of the first day, the matter had only been registered; the later event greys out.
    then = api.client.get(f"/console/petitions/{city['id']}?as_of=2026-09-22").text
    assert 'data-state="registered"' in then and 'class="later"' in then
    assert "截至 2026-09-22 23:59" in then
    bad = api.client.get(f"/console/petitions/{city['id']}?as_of=yesterday")
    assert bad.status_code == 422 and "as_of 须为日期时间" in bad.text
    dossier = api.client.get(f"/console/petitions/{city['id']}/dossier")
    assert dossier.status_code == 200 and "信访事项案卷" in dossier.text
    assert f'href="/console/petitions/{city["id"]}/dossier"' in text


def test_out_of_scope_matter_is_404_without_its_data(api: Api) -> None:
    city = api.register("C1-XF")
    sign_in(api, "auditor", "C2")
    for suffix in ("", "/diagram", "/dossier", "?as_of=2026-09-22"):
        response = api.client.get(f"/console/petitions/{city['id']}{suffix}")
        assert response.status_code == 404, suffix
        assert 'data-problem="not-found"' in response.text
        for secret in (city["number"], city["subject"], "张三"):
            assert secret not in response.text
    unknown = api.client.get("/console/petitions/0123456789abcdef")
    assert unknown.status_code == 404


def test_diagram_highlights_the_current_state(api: Api) -> None:
    city = api.register("C1-XF")
    api.ok(city, "C1-XF", "classify", type="claim", route="petition")
    sign_in(api, "auditor", "C1")
    page = api.client.get(f"/console/petitions/{city['id']}/diagram").text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert page.count('class="state current"') == 1
    assert '<g class="state current" data-state="classified">' in page
    assert "已分类" in page and "转送/交办" in page  # the way on: transfer
    assert "class classified current" in page  # the Mermaid text, highlighted too
    earlier = api.client.get(f"/console/petitions/{city['id']}/diagram?as_of=2026-09-21").text
    assert 'class="state current"' not in earlier and "尚未登记" in earlier


def test_rates_with_definitions_and_a_chart_per_child_unit(api: Api) -> None:
    breach(api)
    sign_in(api, "supervisor", "P")
    page = api.client.get("/console/rates?from=2026-01-01&to=2026-12-31")
    assert page.status_code == 200
    text = page.text
    for title in ("及时受理率", "按期办结率", "参评率", "满意率", "重复信访率", "积案化解率"):
        assert title in text
    rates = api.client.get(
        "/v1/stats/rates?from=2026-01-01&to=2026-12-31", headers=api.auth("supervisor", "P")
    ).json()
    for rate in rates["rates"]:
        assert str(escape(rate["definition"])) in text
    # One chart per child unit of the province, drawn on the server.
    for child in ("C1", "C2", "P-XF"):
        assert f'data-unit="{child}"' in text
    assert text.count("<svg") >= 3
    bad = api.client.get("/console/rates?from=2026-13-01")
    assert bad.status_code == 422 and "from 须为日期" in bad.text
    later = api.client.get("/console/rates?from=2026-12-31&to=2026-01-01")
    assert later.status_code == 422


def test_csrf_is_required_on_every_form(api: Api) -> None:
    city, _ = breach(api)
    sign_in(api, "supervisor", "C1")
    board = api.client.get("/console/board").text
    url = item_action(board)
    before = events(api, city["id"])
    for form in ({"action": "urge"}, {"action": "urge", "csrf": "forged"}):
        refused = api.client.post(url, data=form)
        assert refused.status_code == 403 and 'data-problem="csrf"' in refused.text
    assert events(api, city["id"]) == before
    # Another session's token does not fit this session.
    other = api.client.post(url, data={"action": "urge", "csrf": form_csrf(board) + "0"})
    assert other.status_code == 403
    # JSON bodies are not forms.
    as_json = api.client.post(url, json={"action": "urge", "csrf": form_csrf(board)})
    assert as_json.status_code == 415 and events(api, city["id"]) == before
    # Sign-out needs the token too; sign-in needs its own page's token.
    assert api.client.post("/console/logout", data={}).status_code == 403
    api.client.cookies.clear()
    login = api.client.post("/console/login", data={"token": api.token("admin", "P"), "csrf": "x"})
    assert login.status_code == 403 and "pf_session" not in api.client.cookies


def test_sign_in_refusals_and_sign_out(api: Api) -> None:
    form = api.client.get("/console/login")
    refused = api.client.post(
        "/console/login", data={"csrf": form_csrf(form.text), "token": "not-a-token"}
    )
    assert refused.status_code == 401 and "令牌无效" in refused.text
    assert "演示模式" not in refused.text
    demo = api.client.post(
        "/console/login",
        data={"csrf": form_csrf(refused.text), "demo": "admin@GD"},
    )
    assert demo.status_code == 422 and "pf_session" not in api.client.cookies
    sign_in(api, "supervisor", "C1")
    home = api.client.get("/console")
    assert "督办人员" in home.text and "甲市人民政府" in home.text
    out = api.client.post(
        "/console/logout", data={"csrf": form_csrf(home.text)}, follow_redirects=False
    )
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    assert api.client.get("/console", follow_redirects=False).status_code == 303
    # Only a console path is a place to go after signing in.
    form = api.client.get("/console/login?next=https://evil.example/")
    assert 'name="next" value="/console"' in form.text


def test_demo_mode_offers_demo_roles(api: Api) -> None:
    api.client.app.state.demo = True  # type: ignore[attr-defined]
    form = api.client.get("/console/login").text
    assert "演示模式" in form and 'value="supervisor@HZ"' in form
    response = api.client.post(
        "/console/login",
        data={"csrf": form_csrf(form), "demo": "auditor@GD"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and "pf_session" in api.client.cookies
    assert "审计人员" in api.client.get("/console").text
