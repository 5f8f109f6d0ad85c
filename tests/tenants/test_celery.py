"""Celery tasks carry their portal: they run in its schema, plain tasks in public."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from celery import current_app, shared_task
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_exists

from core.models import AuditEvent
from tenants.celery import PORTAL_HEADER
from tenants.context import current_portal_label
from tenants.models import Portal
from tenants.schemas import drop_schema
from tenants.services import portal_provision
from tests.browser import celery_worker_argv
from tests.conftest import in_portal

ROOT = Path(__file__).resolve().parents[2]


@shared_task
def where_am_i() -> dict:
    return {"schema": connection.schema_name, "label": current_portal_label()}


def test_task_sent_from_a_portal_runs_in_that_portals_schema(db, portal_a):
    with in_portal(portal_a):
        result = where_am_i.delay().get()
    assert result == {"schema": portal_a.schema_name, "label": portal_a.schema_name}
    assert connection.schema_name == "public"


def test_task_sent_from_public_runs_in_public(db, portal_a):
    result = where_am_i.delay().get()
    assert result == {"schema": "public", "label": "public"}


def test_task_for_a_portal_that_no_longer_exists_is_skipped(db):
    result = where_am_i.apply_async(headers={PORTAL_HEADER: "p_vanished"}).get()
    assert result is None


def _purge_queue() -> None:
    if settings.REDIS_URL:
        current_app.control.purge()
        return
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    for folder in (options["data_folder_in"], options["processed_folder"]):
        for entry in Path(folder).glob("*"):
            entry.unlink()


@pytest.mark.slow
def test_invitation_is_sent_by_a_real_worker_process_in_the_portals_schema(
    committed, subprocess_env, tmp_path
):
    mail_dir = tmp_path / "mail"
    _purge_queue()
    env = dict(subprocess_env, EMAIL_URL=f"file://{mail_dir}")
    worker = subprocess.Popen(
        celery_worker_argv(),
        cwd=ROOT / "platform",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    current_app.conf.task_always_eager = False
    portal = None
    try:
        portal = portal_provision(
            name="Worker Check", subdomain="worker-check", admin_email="chair@worker.example"
        ).portal
        deadline = time.monotonic() + 60
        mails = []
        while time.monotonic() < deadline and not mails:
            mails = list(mail_dir.glob("*.log")) if mail_dir.exists() else []
            time.sleep(0.3)
        if not mails:
            worker.terminate()
            pytest.fail(
                "no invitation within 60 s; worker said:\n" + worker.communicate()[0].decode()
            )
        body = mails[0].read_text()
        assert "chair@worker.example" in body
        assert "http://worker-check.localhost:8000/accounts/set-password/" in body
    finally:
        current_app.conf.task_always_eager = True
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        if portal is not None:
            AuditEvent.objects.filter(portal=portal).delete()
            Portal.objects.filter(pk=portal.pk).delete()
        if schema_exists("p_worker_check"):
            drop_schema("p_worker_check")
        shutil.rmtree(mail_dir, ignore_errors=True)
