"""Logs are one line per record: an ordinary refusal is not a traceback."""

import io
import logging
import logging.config

import pytest


@pytest.fixture
def log_output(settings):
    """What the configured stdout handler writes, while the test runs."""
    stream = io.StringIO()
    handler = {**settings.LOGGING["handlers"]["stdout"], "stream": stream}
    logging.config.dictConfig({**settings.LOGGING, "handlers": {"stdout": handler}})
    yield stream
    logging.config.dictConfig(settings.LOGGING)


def test_a_403_logs_exactly_one_line(client, django_user_model, log_output):
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/articles/article/").status_code == 403
    lines = log_output.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert (
        "WARNING django.request: Forbidden (Permission denied): /admin/articles/article/"
        in (lines[0])
    )


def test_a_404_logs_exactly_one_line(client, db, log_output):
    assert client.get("/zh-hans/articles/999999999/").status_code == 404
    lines = log_output.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert "Not Found: /zh-hans/articles/999999999/" in lines[0]


def test_a_server_error_keeps_its_traceback(settings, log_output):
    request_logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("boom")
    except RuntimeError as error:
        request_logger.error("Server Error: /x", exc_info=error, extra={"status_code": 500})
    assert "Traceback" in log_output.getvalue()
    assert "RuntimeError: boom" in log_output.getvalue()
