"""Deployment settings: the Content-Security-Policy on every response, templates without inline code, and
``cxo check --deploy`` clean in production settings (issue 11, item 12)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import Client

from cxo.core.models import User

SRC = Path(__file__).resolve().parents[2]  # src/cxo
ROOT = SRC.parent.parent
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def test_every_response_carries_the_content_security_policy(sponsor_user: User) -> None:
    assert settings.CXO_CONTENT_SECURITY_POLICY == POLICY
    client = Client()
    client.force_login(sponsor_user, backend="django.contrib.auth.backends.ModelBackend")
    for url in ("/accounts/login/", "/dashboard/", "/registry/", "/api/v1/me", "/api/v1/docs", "/nowhere/"):
        assert client.get(url)["Content-Security-Policy"] == POLICY, url


def test_no_template_has_inline_script_style_or_event_handler() -> None:
    """What the policy would refuse: <script> without src, <style>, style="", on…="", hx-on, javascript: links."""
    inline = re.compile(
        r"<script(?![^>]*\ssrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"|\shx-on[:-]|javascript:", re.IGNORECASE
    )
    found = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()[:80]}"
        for path in sorted(SRC.rglob("templates/**/*.html"))
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if inline.search(re.sub(r"{#.*?#}", "", line))
    ]
    assert found == []


def _check_deploy(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CXO_", "DJANGO_"))},
        "CXO_ENV": "production",
        "SECRET_KEY": "a-long-random-production-secret-" + "x7Gq2pLz9vR4mN8s" * 3,
        "ALLOWED_HOSTS": "cxo.example.org",
        "SITE_URL": "https://cxo.example.org",
        "CXO_VAR_DIR": str(ROOT / "var"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "cxo.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_check_deploy_is_clean_in_production_settings() -> None:
    result = _check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_still_warns_when_https_is_turned_off() -> None:
    """The check is not silenced: turning HSTS and the redirect off brings their warnings back."""
    result = _check_deploy(CXO_HSTS_SECONDS="0", CXO_SSL_REDIRECT="0")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr
    assert "security.W008" in result.stdout + result.stderr


def test_production_settings_behind_a_trusted_proxy() -> None:
    """HTTPS everywhere, secure cookies, and the proxy's TLS and client-address headers trusted only when configured."""
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, s.CXO_TRUSTED_PROXIES, "
        "s.AXES_CLIENT_IP_CALLABLE)"
    )

    def production(**env: str) -> str:
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("CXO_", "DJANGO_"))},
            "CXO_ENV": "production",
            "SECRET_KEY": "s" * 60,
            "SITE_URL": "https://cxo.example.org",
            "DJANGO_SETTINGS_MODULE": "cxo.config.settings",
            "CXO_VAR_DIR": str(ROOT / "var"),
            **env,
        }
        run = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True, cwd=ROOT)
        assert run.returncode == 0, run.stderr
        return run.stdout.strip()

    assert production() == "True 31536000 True True True None [] cxo.core.clients.client_address"
    assert production(CXO_TRUSTED_PROXIES="10.0.0.0/8, 127.0.0.1") == (
        "True 31536000 True True True ('HTTP_X_FORWARDED_PROTO', 'https') ['10.0.0.0/8', '127.0.0.1'] "
        "cxo.core.clients.client_address"
    )
