"""Several app hosts, one PostgreSQL, one Redis: what one host changes, the others show at once."""

import json
import re
import secrets

import pytest

from tests.servers import (
    Session,
    drop_database,
    gunicorn,
    hidden_input,
    manage,
    production_env,
    redis_is_running,
    sibling_database_url,
)

pytestmark = pytest.mark.skipif(
    not redis_is_running(), reason="needs Redis on 127.0.0.1:6379 (make test starts it)"
)

MODERATOR_SETUP = """
from django.contrib.auth.models import Group, User
u = User.objects.create_user("mod", password="scale-out-pw", is_staff=True)
u.groups.add(Group.objects.get(name="Moderators"))
from articles.models import Article
print(Article.objects.get(title__startswith="江苏省党政代表团").pk)
"""


@pytest.fixture(scope="module")
def site(prepared_site):
    """(environment, reference article id) of a site on its own database and Redis prefix."""
    name = f"portal_scaleout_{secrets.token_hex(3)}"
    env = production_env(
        sibling_database_url(name, template=prepared_site),
        REDIS_URL="redis://127.0.0.1:6379/3",
        CACHE_KEY_PREFIX=f"scaleout-{secrets.token_hex(4)}",
        COMMENT_RATE="3/600",
        COMMENT_MIN_SECONDS=0,
    )
    try:
        article_id = int(manage(env, "shell", "-c", MODERATOR_SETUP).strip().splitlines()[-1])
        yield env, article_id
    finally:
        drop_database(name)


@pytest.fixture(scope="module")
def two_hosts(site):
    env, article_id = site
    with gunicorn(env) as host_a, gunicorn(env) as host_b:
        yield host_a, host_b, article_id


def post_comment(reader: Session, base: str, article_id: int, body: str):
    """As a browser with comment-form.js: a shared page's form has no tokens, so fetch them."""
    status, html = reader.request(f"/zh-hans/articles/{article_id}/", base=base)
    assert status == 200
    tokens = {
        "csrf": hidden_input(html, "csrfmiddlewaretoken"),
        "token": hidden_input(html, "token"),
    }
    if not tokens["token"]:
        url = f"/zh-hans/articles/{article_id}/comments/tokens/"
        status, answer = reader.request(url, base=base)
        assert status == 200
        tokens = json.loads(answer)
    form = {
        "csrfmiddlewaretoken": tokens["csrf"],
        "token": tokens["token"],
        "nickname": "",
        "body": body,
        "website": "",
    }
    return reader.request(f"/zh-hans/articles/{article_id}/comments/", form, base=base)


def test_a_comment_approved_on_one_host_shows_on_the_other_and_rate_limits_are_shared(
    two_hosts,
):
    host_a, host_b, article_id = two_hosts
    page = f"/zh-hans/articles/{article_id}/"

    reader = Session(host_b)
    status, html = reader.request(page)  # host B caches the page in Redis
    assert status == 200 and "暂时没有留言" in html

    assert post_comment(Session(host_a), host_a, article_id, "两地协同，值得期待。")[0] == 302

    moderator = Session(host_a)
    _, login = moderator.request("/admin/login/")
    status, _ = moderator.request(
        "/admin/login/?next=/admin/",
        {
            "csrfmiddlewaretoken": hidden_input(login, "csrfmiddlewaretoken"),
            "username": "mod",
            "password": "scale-out-pw",
        },
    )
    assert status == 302
    _, queue = moderator.request("/admin/comments/comment/")
    assert "两地协同，值得期待。" in queue
    comment_id = hidden_input(queue, "_selected_action")
    status, _ = moderator.request(
        "/admin/comments/comment/",
        {
            "csrfmiddlewaretoken": moderator.csrf(),
            "action": "approve",
            "_selected_action": comment_id,
        },
    )
    assert status == 302

    status, html = Session(host_b).request(page)
    assert status == 200
    assert "两地协同，值得期待。" in html
    assert 'href="#comments"' in html and ">1</a>" in html

    # One address, three comments allowed per window, whichever host takes them.
    reader = Session(host_a)
    assert post_comment(reader, host_b, article_id, "第二条留言")[0] == 302
    assert post_comment(reader, host_a, article_id, "第三条留言")[0] == 302
    status, html = post_comment(reader, host_b, article_id, "第四条留言")
    assert status == 429
    assert "留言太频繁" in html


HEAT = re.compile(r'<span class="heat" title="热度">(\d+)℃</span>')


def test_the_heat_a_reader_sees_never_goes_down_whichever_worker_answers(site):
    """Every read renders afresh (no page cache) on one of three workers, folding every 3 reads:
    each reload shows one degree more than the last, exactly."""
    env, article_id = site
    with gunicorn({**env, "PAGE_CACHE_SECONDS": "0", "HEAT_BUFFER_SIZE": "3"}, workers=3) as host:
        reader = Session(host)
        shown = []
        for _ in range(15):
            status, html = reader.request(f"/zh-hans/articles/{article_id}/")
            assert status == 200
            shown.append(int(HEAT.search(html).group(1)))
    assert shown == list(range(shown[0], shown[0] + 15))
