"""Settings come from the environment; production settings pass Django's deployment check."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from allmende import env

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**overrides) -> dict:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="allmende.settings",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://allmende:secret@127.0.0.1:5432/allmende",
        PLATFORM_DOMAIN="allmende.example",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    environment.update(overrides)
    return environment


@pytest.mark.slow
def test_production_settings_pass_check_deploy_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    environment = _production_env()
    del environment["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_refuses_to_start_without_a_shared_cache():
    environment = _production_env()
    del environment["REDIS_URL"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "REDIS_URL must be set in production" in result.stderr


def test_email_url_variants():
    assert env.email_settings(None, "/tmp/mail")["EMAIL_FILE_PATH"] == "/tmp/mail"
    smtp = env.email_settings("smtp://user:p%40ss@mail.example:2525", "/x")
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_HOST_PASSWORD"]) == (
        "mail.example",
        2525,
        "p@ss",
    )
    assert smtp["EMAIL_USE_TLS"] and not smtp["EMAIL_USE_SSL"]
    assert env.email_settings("smtps://u:p@mail.example", "/x")["EMAIL_PORT"] == 465
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL scheme"):
        env.email_settings("carrier-pigeon://coop", "/x")


def test_malformed_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env.get_bool("SOME_FLAG")
