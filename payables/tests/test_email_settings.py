"""E-mail settings: the console by default, any backend by ``PAYABLES_EMAIL_URL``.

Settings are read once, at start-up, so each case starts a Python of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]
SHOW = """
import json
from django.conf import settings
names = ["EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD",
         "EMAIL_USE_TLS", "EMAIL_USE_SSL", "EMAIL_TIMEOUT", "DEFAULT_FROM_EMAIL"]
shown = {name: getattr(settings, name) for name in names}
shown["EMAIL_FILE_PATH"] = str(getattr(settings, "EMAIL_FILE_PATH", ""))
print(json.dumps(shown))
"""


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if "EMAIL" not in k}
    base |= {
        "DJANGO_SETTINGS_MODULE": "payables.settings",
        "PAYABLES_DATA_DIR": str(tmp_path / "var"),
        "PYTHONPATH": str(REPO_DIR),
    }
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        env=base | env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def email_settings(tmp_path: Path, **env: str) -> dict:
    result = start(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_mail_goes_to_the_console_by_default(tmp_path):
    shown = email_settings(tmp_path)
    assert shown["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert shown["DEFAULT_FROM_EMAIL"] == "payables <payables@localhost>"


def test_smtp_with_starttls_from_the_url_and_the_password_from_a_file(tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text("from-the-file\n")
    shown = email_settings(
        tmp_path,
        PAYABLES_EMAIL_URL="submission://ap%40example.com:in-the-url@mail.example.com",
        PAYABLES_EMAIL_PASSWORD_FILE=str(secret),
        PAYABLES_EMAIL_FROM="Payables <ap@example.com>",
    )
    assert shown | {"EMAIL_FILE_PATH": ""} == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "ap@example.com",
        "EMAIL_HOST_PASSWORD": "from-the-file",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10,
        "DEFAULT_FROM_EMAIL": "Payables <ap@example.com>",
        "EMAIL_FILE_PATH": "",
    }


@pytest.mark.parametrize(
    ("url", "folder"),
    [("file://", "var/mail"), ("file:///srv/mail", "/srv/mail")],
    ids=["data-dir", "absolute"],
)
def test_the_file_backend_writes_into_a_folder(tmp_path, url, folder):
    shown = email_settings(tmp_path, EMAIL_URL=url)
    assert shown["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert shown["EMAIL_FILE_PATH"] == str(tmp_path / folder)


def test_an_unknown_scheme_stops_the_start_naming_the_variable(tmp_path):
    result = start(tmp_path, PAYABLES_EMAIL_URL="smtpx://mail.example.com")
    assert result.returncode != 0
    assert "PAYABLES_EMAIL_URL must start with smtp://" in result.stderr
