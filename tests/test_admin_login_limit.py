"""Admin login attempts are limited per username and client address (django-axes)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("desk", password="right-pw", is_staff=True)


def attempt(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def fail_until_locked(client, username, **extra):
    for n in range(1, 6):
        response = attempt(client, username, f"wrong-{n}", **extra)
        if n < 5:
            assert response.status_code == 200  # the login form again, with its error
            assert "请输入一个正确的" in response.content.decode()


def test_five_wrong_passwords_lock_out_even_the_right_one_with_a_clear_message(staff):
    client = Client()
    fail_until_locked(client, "desk")
    response = attempt(client, "desk", "right-pw")
    assert not logged_in(response)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已暂停" in page and "密码连续错误 5 次" in page and "15 分钟" in page
    assert response["Retry-After"] == "900"
    assert response["Content-Security-Policy"]
    assert "_auth_user_id" not in client.session


def test_another_user_or_another_address_is_unaffected(staff, django_user_model):
    django_user_model.objects.create_user("other", password="other-pw", is_staff=True)
    fail_until_locked(Client(), "desk", REMOTE_ADDR="203.0.113.7")
    assert logged_in(attempt(Client(), "other", "other-pw", REMOTE_ADDR="203.0.113.7"))
    assert logged_in(attempt(Client(), "desk", "right-pw", REMOTE_ADDR="203.0.113.8"))
    assert attempt(Client(), "desk", "right-pw", REMOTE_ADDR="203.0.113.7").status_code == 429


def test_behind_a_proxy_each_reader_address_counts_not_the_proxys(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    fail_until_locked(Client(), "desk", HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)
    locked = attempt(Client(), "desk", "right-pw", HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)
    assert locked.status_code == 429
    # A forged entry before the proxy's own is not believed: still the same reader.
    forged = "10.9.9.9, 198.51.100.1"
    assert (
        attempt(Client(), "desk", "right-pw", HTTP_X_FORWARDED_FOR=forged, **proxy).status_code
        == 429
    )
    other = attempt(Client(), "desk", "right-pw", HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy)
    assert logged_in(other)


def test_the_lock_lifts_after_the_cool_off(staff, time_machine):
    time_machine.move_to("2026-01-01 08:00:00+08:00", tick=False)
    fail_until_locked(Client(), "desk")
    assert attempt(Client(), "desk", "right-pw").status_code == 429
    time_machine.move_to("2026-01-01 08:16:00+08:00", tick=False)
    assert logged_in(attempt(Client(), "desk", "right-pw"))


def test_a_successful_login_forgets_earlier_failures(staff):
    client = Client()
    for n in range(4):
        attempt(client, "desk", f"wrong-{n}")
    assert logged_in(attempt(client, "desk", "right-pw"))
    for n in range(4):
        assert attempt(Client(), "desk", f"wrong-again-{n}").status_code == 200
    assert logged_in(attempt(Client(), "desk", "right-pw"))
