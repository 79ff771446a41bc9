"""Security headers of every answer: the Content-Security-Policy, no-store where data or
secrets are shown, HSTS and Secure cookies over https, and the defaults browsers rely on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from payables.tenancy.services import create_integrator

REPO_DIR = Path(__file__).resolve().parents[2]


def _policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as directive → sources."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "pw"))
    return client


@pytest.mark.parametrize("path", ["/sign-in/", "/admin/login/", "/api/v1/docs"])
def test_pages_carry_a_strict_content_security_policy(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]


def test_pages_have_no_inline_script_or_style(client, db):
    page = client.get("/sign-in/").text
    assert "<script>" not in page  # scripts only by src (the browser tests run them)
    assert "style=" not in page
    assert "<style" not in page


def test_the_api_docs_load_swagger_from_this_server(client, db):
    page = client.get("/api/v1/docs").text
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


@pytest.mark.parametrize("path", ["/sign-in/", "/admin/login/", "/api/v1/invoices"])
def test_browsers_are_told_not_to_sniff_frame_or_leak_referrers(client, db, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_every_api_answer_is_no_store(api, client, db):
    answers = [
        api.get("/invoices"),  # 200 with data
        api.post("/invoices", {}),  # 422
        client.get("/api/v1/invoices"),  # 401, no key
        client.get("/api/v1/no-such-thing"),  # 404, no operation
        client.get("/api/v1/openapi.json"),
        client.get("/api/v1/docs"),
    ]
    assert [a.status_code for a in answers] == [200, 422, 401, 404, 200, 200]
    for answer in answers:
        assert "no-store" in answer["Cache-Control"], answer.request["PATH_INFO"]


def test_web_pages_outside_the_api_are_not_marked_no_store_by_it(client, db):
    assert "Cache-Control" not in client.get("/sign-in/")


def test_the_admin_page_showing_a_new_keys_secret_is_no_store(admin_client, company):
    integrator = create_integrator(company, name="ERP")
    response = admin_client.post(
        reverse("admin:tenancy_apikey_add"),
        {"integrator": str(integrator.pk), "name": "from admin", "scopes": ["invoices:read"]},
        follow=True,
    )
    assert "API key: pay_" in response.text
    assert "no-store" in response["Cache-Control"]


def test_the_favicon_is_there(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert response.content.startswith(b"\x00\x00\x01\x00")  # an ICO file
    assert "max-age" in response["Cache-Control"]
    assert 'rel="icon" href="/favicon.ico"' in client.get("/sign-in/").text


def _served(tmp_path: Path, **env: str) -> dict:
    """Start payables in a fresh process with ``env``; GET the sign-in page three ways.

    The derived settings are computed once at start-up from the environment, so they
    are checked the way a server starts: in a process of its own. The page is asked for
    over https, over plain http, and over http with a proxy's ``X-Forwarded-Proto: https``.
    """
    script = (
        "import json, django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "def get(**how):\n"
        "    r = Client().get('/sign-in/', **how)\n"
        "    return {'status': r.status_code, 'headers': dict(r.headers),\n"
        "            'cookie': r.cookies['csrftoken'].output()}\n"
        "print(json.dumps({\n"
        "    'https': get(secure=True),\n"
        "    'http': get(),\n"
        "    'forwarded': get(headers={'X-Forwarded-Proto': 'https'}),\n"
        "    'failure_limit': settings.AXES_FAILURE_LIMIT,\n"
        "    'cooloff_minutes': settings.AXES_COOLOFF_TIME.total_seconds() / 60,\n"
        "    'proxies': settings.PAYABLES_TRUSTED_PROXY_COUNT}))\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "payables.settings",
        "PAYABLES_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(REPO_DIR),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


HSTS = "Strict-Transport-Security"


def test_over_https_browsers_keep_to_https_and_cookies_are_secure(tmp_path):
    served = _served(
        tmp_path,
        PAYABLES_BASE_URL="https://payables.example.com",
        PAYABLES_TRUST_FORWARDED_PROTO="1",
    )
    https = served["https"]
    assert https["status"] == 200
    assert https["headers"][HSTS] == "max-age=31536000"
    assert "; Secure" in https["cookie"]
    # Behind a TLS proxy that is trusted to say so, its X-Forwarded-Proto counts.
    assert served["forwarded"]["headers"][HSTS] == "max-age=31536000"
    assert HSTS not in served["http"]["headers"]  # only ever sent over https


def test_over_plain_http_there_is_no_hsts_and_cookies_are_not_secure(tmp_path):
    served = _served(
        tmp_path,
        PAYABLES_BASE_URL="http://127.0.0.1:8000",
        PAYABLES_SIGNIN_FAILURE_LIMIT="8",
        PAYABLES_SIGNIN_COOLOFF_MINUTES="45",
        PAYABLES_TRUSTED_PROXY_COUNT="2",
    )
    assert HSTS not in served["https"]["headers"]
    assert "Secure" not in served["http"]["cookie"]
    # The sign-in throttle's settings come from the environment too.
    assert (served["failure_limit"], served["cooloff_minutes"], served["proxies"]) == (8, 45, 2)


def test_hsts_is_set_by_environment_and_an_untrusted_proxy_header_ignored(tmp_path):
    served = _served(
        tmp_path,
        PAYABLES_BASE_URL="https://payables.example.com",
        PAYABLES_HSTS_SECONDS="600",
        PAYABLES_HSTS_INCLUDE_SUBDOMAINS="1",
    )
    assert served["https"]["headers"][HSTS] == "max-age=600; includeSubDomains"
    assert HSTS not in served["forwarded"]["headers"]  # X-Forwarded-Proto is not trusted
