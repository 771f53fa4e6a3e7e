"""Input no view should see (control characters) gets a Chinese 400 on every surface, never a 500, and nothing
is saved; personal answers are never cached; the HTTPS switch passes Django's deployment check."""

import os
import subprocess
import sys

import pytest
from django.test import Client

from qinqing.appeals.models import Appeal


@pytest.fixture
def api(world):
    return Client(headers={"Authorization": f"Bearer {world.token(world.ent_user_a)}"})


@pytest.fixture
def page(world):
    c = Client()
    c.force_login(world.ent_user_a)
    return c


@pytest.mark.parametrize("bad", ["a\x00b", "a\x07b", "a\x1bb", "a\x7fb"])
def test_control_characters_in_an_api_body_are_refused_and_nothing_is_saved(world, api, bad):
    r = api.post(
        "/api/appeals",
        {"title": bad, "content": "申请增容", "category": world.power_cat.code},
        content_type="application/json",
    )
    assert r.status_code == 400 and "控制字符" in r.json()["message"]
    assert not Appeal.objects.exists()


def test_tab_and_newlines_are_ordinary_text(world, api):
    r = api.post(
        "/api/appeals",
        {"title": "用电\t报装", "content": "第一行\n第二行\r\n", "category": world.power_cat.code},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content


def test_control_characters_in_queries_and_forms_are_refused(world, api, page):
    assert api.get("/api/appeals", {"q": "a\x00b"}).status_code == 400
    r = page.get("/appeals/", {"q": "a\x00"})
    assert r.status_code == 400 and "控制字符" in r.content.decode()
    r = page.post(
        "/appeals/new/", {"title": "用电\x00报装", "content": "x", "category": world.power_cat.code}
    )
    assert r.status_code == 400
    assert not Appeal.objects.exists()
    # A key with one is refused too.
    assert page.get("/appeals/", {"q\x00": "x"}).status_code == 400


def test_signed_in_and_api_answers_are_not_stored_but_public_pages_may_be(world, api, page):
    for response in (api.get("/api/appeals"), page.get("/appeals/")):
        assert "no-store" in response["Cache-Control"]
    assert "no-store" not in Client().get("/public/honours/").get("Cache-Control", "")


def test_the_https_switch_passes_the_deployment_check():
    env = {
        **os.environ,
        "DEBUG": "0",
        "QINQING_HTTPS": "1",
        "SECRET_KEY": "k" * 20 + "-long-random-production-secret-" + "x" * 30,
        "ALLOWED_HOSTS": "qinqing.example.gov.cn",
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # Without the switch the same check warns (HSTS and the redirect are off): the test can fail.
    env["QINQING_HTTPS"] = "0"
    plain = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert plain.returncode != 0 and "W004" in plain.stdout + plain.stderr


def test_the_api_docs_load_nothing_from_a_cdn(world):
    c = Client()
    c.force_login(world.dispatcher)
    body = c.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in body
    # No other origin: every script and style is a path on this server (a CSRF token may contain "cdn").
    assert "https://" not in body and "http://" not in body and "//cdn" not in body


def test_pages_carry_a_content_security_policy_without_inline_script(world):
    c = Client()
    c.force_login(world.ent_user_a)
    policy = c.get("/appeals/new/")["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_no_template_has_an_inline_script_or_event_handler():
    import re
    from pathlib import Path

    import qinqing

    root = Path(qinqing.__file__).parent / "templates"
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    found = []
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(root)}: {m.group(0)}" for m in inline_script.finditer(text)]
        found += [f"{path.relative_to(root)}: {m.group(0)}" for m in handler.finditer(text)]
        if "javascript:" in text:
            found.append(f"{path.relative_to(root)}: javascript: URL")
    assert found == []


@pytest.mark.parametrize("debug", [True, False])
def test_a_vanished_or_refused_object_gets_the_sites_chinese_page_never_the_debug_page(
    world, page, settings, debug
):
    """Another enterprise's appeal, a missing one, or an unknown URL: the same Chinese 404 in the site's layout,
    with DEBUG on (make run) as with it off (production)."""
    settings.DEBUG = debug
    other = world.submit(by=world.ent_user_b, title="他家企业的诉求")
    for path in (f"/appeals/{other.number}/", "/appeals/QQ209901010001/", "/no-such-page/"):
        r = page.get(path)
        html = r.content.decode()
        assert r.status_code == 404, path
        assert "页面不存在" in html and "返回首页" in html and 'lang="zh-CN"' in html, path
        assert "URLconf" not in html and "Traceback" not in html and "Page not found" not in html, path
        assert other.title not in html


def test_the_error_pages_render_in_chinese_without_a_request_context():
    from django.template.loader import render_to_string

    for name, words in (("500.html", "系统繁忙"), ("400.html", "请求有误"), ("403_csrf.html", "页面已过期")):
        assert words in render_to_string(name), name


def test_a_form_posted_without_its_token_gets_the_chinese_expired_page(world):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.ent_user_a)
    r = c.post("/appeals/new/", {"title": "x"})
    assert r.status_code == 403
    assert "页面已过期" in r.content.decode()
