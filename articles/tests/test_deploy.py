"""Production settings: `manage.py check --deploy` is clean, and a server without a secret key refuses to start."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from articles.tests.conftest import REPO

# Variables the settings read; each test starts from none of them so the developer's shell cannot leak in.
SETTINGS_VARIABLES = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "NEWSARCHIVE_HTTPS",
    "NEWSARCHIVE_PRODUCTION",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "DATABASE_URL",  # the check needs no database; SQLite under the temporary folder is enough
    "SEARCH_URL",
]


def check_deploy(tmp_path, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(NEWSARCHIVE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="newsarchive.settings", **variables)
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(**overrides: str) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),  # 80 characters
        "ALLOWED_HOSTS": "akhbar.example.ir",
        "NEWSARCHIVE_HTTPS": "1",
        **overrides,
    }


def test_check_deploy_is_clean_in_production(tmp_path):
    result = check_deploy(tmp_path, **production())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output and "security.W" not in output, output


@pytest.mark.parametrize("flag", ["NEWSARCHIVE_HTTPS", "NEWSARCHIVE_PRODUCTION"])
def test_production_without_a_secret_key_refuses_to_start(tmp_path, flag):
    variables = production(SECRET_KEY="")
    del variables["NEWSARCHIVE_HTTPS"]
    variables[flag] = "1"
    result = check_deploy(tmp_path, **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY is not set" in result.stderr, result.stderr


def test_a_weak_secret_key_fails_the_deploy_check(tmp_path):
    result = check_deploy(tmp_path, **production(SECRET_KEY="changeme"))
    assert result.returncode != 0
    assert "security.W009" in result.stderr, result.stderr


def test_the_development_key_fails_the_deploy_check_if_it_reaches_a_server(tmp_path):
    # No flag says "production", so the archive starts with its development key — but the check says so.
    variables = production()
    del variables["SECRET_KEY"], variables["NEWSARCHIVE_HTTPS"]
    result = check_deploy(tmp_path, **variables)
    assert result.returncode != 0
    assert "security.W009" in result.stderr, result.stderr


def test_https_settings_without_https_are_reported(tmp_path):
    variables = production()
    del variables["NEWSARCHIVE_HTTPS"]
    result = check_deploy(tmp_path, **variables)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr, result.stderr
