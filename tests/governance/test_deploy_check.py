"""The production configuration passes Django's deployment checklist without a warning."""

import base64
import os
import subprocess
import sys

from django.conf import settings


def test_check_deploy_is_clean_for_the_production_configuration():
    environment = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-production-secret-" + "x7Qp" * 10,
        "PERSONAL_DATA_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "ALLOWED_HOSTS": "zongzhi.example.gov.cn",
    }
    environment.pop("HTTPS", None)
    # Set by the browser tests for their own process; never part of a deployment.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    environment = {**os.environ, "DEBUG": "false", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_command_run_with_no_configuration_at_all_says_what_is_missing_in_one_line():
    """From a bare environment (no DEBUG, no keys: a cron job, a fresh shell), any command
    answers with the missing setting and how to fix it, not a traceback."""
    bare = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=settings.BASE_DIR,
        env=bare,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "SECRET_KEY must be set when DEBUG is off. "
        "(For development, set DEBUG=true, as the Makefile does.)"
    ]
