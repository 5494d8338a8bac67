"""The desk over HTTP: who may use it, one POST per decision (JSON for desk.js, a redirect back
to the same place without JavaScript), conflicts between two moderators, undo, and what a card
and the header show — in a constant number of queries."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from comments.models import Comment, Decision, RejectionReason
from tests.factories import article_url, make_article, make_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]

DESK = "/admin/comments/comment/"
JSON = {"HTTP_ACCEPT": "application/json"}


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def mod_client(moderator):
    return client_for(moderator)


@pytest.fixture
def second_moderator(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("mod2", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def decide_url(comment) -> str:
    return f"{DESK}{comment.pk}/decide/"


def reason(label="广告") -> RejectionReason:
    return RejectionReason.objects.get(label=label)


def cards(response) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(
            r'<article class="desk-card[^"]*" id="card-(\d+)"', response.content.decode()
        )
    ]


def aged(article, hours, **fields) -> Comment:
    with time_machine.travel(timezone.now() - dt.timedelta(hours=hours), tick=False):
        return make_comment(article, **fields)


# --- who may use the desk ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["editor", "anonymous"])
def test_editors_and_strangers_have_no_desk(request, role, article):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    make_comment(article, body="队列里的评论")
    response = client_for(user).get(DESK)
    assertNotContains(response, "队列里的评论", status_code=response.status_code)
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == 403
        assertContains(response, "没有权限", status_code=403)  # Chinese, in the admin's page
        assertContains(response, 'id="site-name"', status_code=403)


@pytest.mark.parametrize(
    "path, data",
    [
        ("{pk}/decide/", {"decision": "approve", "seen": "pending"}),
        ("{pk}/decide/", {"decision": "spam", "seen": "pending"}),
        ("{pk}/block/", {"kind": "key", "days": "7"}),
    ],
)
@pytest.mark.parametrize("accept", [{}, JSON])
def test_an_editors_forged_post_is_refused_in_chinese_and_changes_nothing(
    editor, article, path, data, accept
):
    comment = make_comment(article, commenter_key="abcdefghijkl")
    response = client_for(editor).post(DESK + path.format(pk=comment.pk), data, **accept)
    assert response.status_code == 403
    assert "权限" in response.content.decode()  # in Chinese, JSON or the admin's page
    comment.refresh_from_db()
    assert comment.status == "pending"
    assert not Decision.objects.exists()
    from comments.models import Block

    assert not Block.objects.exists()


def test_an_editors_forged_undo_is_refused(editor, moderator, article):
    decision = make_comment(article).decide(Comment.Status.APPROVED, moderator)
    response = client_for(editor).post(f"{DESK}decisions/{decision.pk}/undo/", **JSON)
    assert response.status_code == 403
    assert Comment.objects.get().status == "approved"


def test_view_only_staff_see_cards_without_buttons_and_cannot_decide(django_user_model, article):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    comment = make_comment(article, body="只能看")
    client = client_for(viewer)
    page = client.get(DESK)
    assertContains(page, "只能看")
    assertNotContains(page, 'name="decision"')
    response = client.post(decide_url(comment), {"decision": "approve"}, **JSON)
    assert response.status_code == 403
    assert Comment.objects.get().status == "pending"


def test_decisions_are_posts_only(mod_client, article):
    comment = make_comment(article)
    assert mod_client.get(decide_url(comment) + "?decision=approve").status_code == 405
    assert Comment.objects.get().status == "pending"


# --- one POST per decision ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "decision, status, fields",
    [
        ("approve", "approved", {}),
        ("spam", "spam", {}),
        ("reject", "rejected", {"note": "与文章无关的广告"}),
    ],
)
def test_a_decision_answers_json_to_the_script(
    mod_client, article, moderator, decision, status, fields
):
    comment = make_comment(article)
    if decision == "reject":
        fields["reason"] = reason().pk
    response = mod_client.post(
        decide_url(comment), {"decision": decision, "seen": "pending", **fields}, **JSON
    )
    assert response.status_code == 200
    body = response.json()
    row = Decision.objects.get(comment=comment)
    assert body["status"] == status and body["id"] == comment.pk
    assert body["undo"] == f"{DESK}decisions/{row.pk}/undo/"
    assert (row.moderator, row.to_status) == (moderator, status)
    if decision == "reject":
        assert (row.reason, row.note) == ("广告", "与文章无关的广告")
    assert Article.objects.get(pk=article.pk).comment_count == int(status == "approved")


def test_without_javascript_a_decision_returns_to_the_same_place_in_the_queue(mod_client, article):
    first, second = make_comment(article), make_comment(article)
    here = f"{DESK}?status=pending&sort=hot&p=1"
    response = mod_client.post(
        decide_url(first),
        {"decision": "approve", "seen": "pending", "next": here, "following": second.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{here}#card-{second.pk}"
    assert Comment.objects.get(pk=first.pk).status == "approved"
    page = mod_client.get(here)
    assertContains(page, "已将 热心网友 的评论改为“已通过”")
    assert cards(page) == [second.pk]


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "/zh-hans/", "//evil.example/admin/"]
)
def test_a_foreign_next_is_not_followed(mod_client, article, next_url):
    comment = make_comment(article)
    response = mod_client.post(decide_url(comment), {"decision": "spam", "next": next_url})
    assert response["Location"] == DESK


def test_a_rejection_needs_a_reason(mod_client, article):
    comment = make_comment(article)
    response = mod_client.post(decide_url(comment), {"decision": "reject"}, **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": "请选择拒绝原因。"}
    response = mod_client.post(decide_url(comment), {"decision": "reject", "next": DESK})
    assert response.status_code == 302
    assertContains(mod_client.get(DESK), "请选择拒绝原因。")
    assert Comment.objects.get().status == "pending"


@pytest.mark.parametrize(
    "data", [{"decision": "publish"}, {}, {"decision": "approve", "seen": "x"}]
)
def test_bad_decision_input_is_a_readable_400_not_a_500(mod_client, article, data):
    comment = make_comment(article)
    response = mod_client.post(decide_url(comment), data, **JSON)
    if data.get("decision") == "approve":  # an unknown "seen" is ignored, not trusted
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert response.json()["error"] == "请选择通过、拒绝或垃圾。"


def test_deciding_a_missing_comment_is_404(mod_client):
    assert mod_client.post(f"{DESK}999999/decide/", {"decision": "approve"}).status_code == 404


# --- two moderators ----------------------------------------------------------------------------


def test_a_conflict_answers_409_with_who_decided_what(mod_client, second_moderator, article):
    comment = make_comment(article)
    Comment.objects.get(pk=comment.pk).reject(by=second_moderator, reason="辱骂", note="骂人")
    response = mod_client.post(
        decide_url(comment), {"decision": "approve", "seen": "pending"}, **JSON
    )
    assert response.status_code == 409
    body = response.json()
    assert body["conflict"] is True
    assert (body["status"], body["label"], body["by"]) == ("rejected", "已拒绝", "mod2")
    assert (body["reason"], body["note"]) == ("辱骂", "骂人")
    assert re.fullmatch(r"\d\d:\d\d", body["at"])
    assert Comment.objects.get().status == "rejected"


def test_without_javascript_a_conflict_is_a_page_offering_both_choices(
    mod_client, second_moderator, article
):
    comment = make_comment(article, body="两人同时审")
    Comment.objects.get(pk=comment.pk).mark_spam(by=second_moderator)
    response = mod_client.post(
        decide_url(comment),
        {"decision": "approve", "seen": "pending", "next": DESK},
    )
    assert response.status_code == 409
    assertContains(response, "mod2", status_code=409)
    assertContains(response, "已将这条评论改为“垃圾信息”", status_code=409)
    assertContains(response, "保留“垃圾信息”，回到队列", status_code=409)
    assertContains(response, "仍然改为“已通过”", status_code=409)
    assertContains(response, 'name="seen" value="spam"', status_code=409)
    # Choosing their own decision, having seen the other one, goes through.
    again = mod_client.post(decide_url(comment), {"decision": "approve", "seen": "spam"})
    assert again.status_code == 302
    assert Comment.objects.get().status == "approved"
    assert Article.objects.get(pk=article.pk).comment_count == 1


# --- undo ----------------------------------------------------------------------------------------


def test_undo_over_http_restores_the_comment_and_the_public_page(mod_client, moderator, article):
    comment = make_comment(article, body="公开后撤销")
    body = mod_client.post(
        decide_url(comment), {"decision": "approve", "seen": "pending"}, **JSON
    ).json()
    assertContains(Client().get(article_url(article)), "公开后撤销")
    undone = mod_client.post(body["undo"], **JSON)
    assert undone.status_code == 200
    assert undone.json()["status"] == "pending"
    assertNotContains(Client().get(article_url(article)), "公开后撤销")
    assert Article.objects.get(pk=article.pk).comment_count == 0
    assert [d.to_status for d in Decision.objects.order_by("id")] == ["approved", "pending"]


def test_the_desk_offers_the_last_decision_for_undo_for_a_minute(mod_client, moderator, article):
    comment = make_comment(article, body="刚刚决定的")
    comment.mark_spam(by=moderator)
    decision = Decision.objects.get()
    assertContains(mod_client.get(DESK), f'action="{DESK}decisions/{decision.pk}/undo/"')
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assertNotContains(mod_client.get(DESK), "/undo/")
        response = mod_client.post(f"{DESK}decisions/{decision.pk}/undo/", **JSON)
    assert response.status_code == 409
    assert response.json()["error"] == "已超过一分钟，不能再撤销。"


def test_without_javascript_undo_returns_to_the_comment(mod_client, moderator, article):
    comment = make_comment(article)
    decision = comment.decide(Comment.Status.APPROVED, moderator)
    response = mod_client.post(f"{DESK}decisions/{decision.pk}/undo/", {"next": DESK})
    assert response["Location"] == f"{DESK}#card-{comment.pk}"
    assertContains(mod_client.get(DESK), "已撤销，评论回到“待审核”。")


# --- what the desk shows -------------------------------------------------------------------------


def test_a_card_shows_the_whole_text_with_line_breaks_and_the_article_with_its_heat(
    mod_client, article
):
    Article.objects.filter(pk=article.pk).update(heat=321)
    make_comment(article, nickname="老王", body="第一行\n第二行 <b>不是标签</b>")
    page = mod_client.get(DESK)
    assertContains(page, "第一行<br>第二行 &lt;b&gt;不是标签&lt;/b&gt;")
    assertContains(page, f'<a href="{article_url(article)}"')
    assertContains(page, "321℃")
    assertContains(page, "老王")


def test_matched_banned_words_and_links_are_highlighted(mod_client, article):
    make_comment(
        article,
        body="快加 微_信 领红包 www.spam.example.com 和 http://x.example.cn/a",
        suspected=True,
        suspicion_reasons=["链接过多（3 个）", "屏蔽词：加微信"],
    )
    page = mod_client.get(DESK).content.decode()
    assert "<mark>加 微_信</mark>" in page
    assert "<mark>www.spam.example.com</mark>" in page
    assert "<mark>http://x.example.cn/a</mark>" in page


def test_the_queue_is_pending_oldest_first_and_hot_first_on_request(mod_client, category):
    quiet, hot = make_article(category=category), make_article(category=category)
    Article.objects.filter(pk=hot.pk).update(heat=5000)
    old_quiet = aged(quiet, 5)
    new_hot = aged(hot, 1)
    middle_quiet = aged(quiet, 3)
    assert cards(mod_client.get(DESK)) == [old_quiet.pk, middle_quiet.pk, new_hot.pk]
    # heat × waiting: 5001 × 1 h beats 1 × 5 h
    assert cards(mod_client.get(DESK + "?sort=hot")) == [new_hot.pk, old_quiet.pk, middle_quiet.pk]


@pytest.mark.parametrize(
    "query, expected",
    [("?reason=links", ["链接"]), ("?reason=words", ["屏蔽词"]), ("?reason=none", ["干净"])],
)
def test_queues_by_reason(mod_client, article, query, expected):
    make_comment(article, body="链接", suspected=True, suspicion_reasons=["链接过多（3 个）"])
    make_comment(article, body="屏蔽词", suspected=True, suspicion_reasons=["屏蔽词：赌博"])
    make_comment(article, body="干净")
    page = mod_client.get(DESK + query)
    bodies = [c.body for c in page.context["cl"].result_list]
    assert bodies == expected


def test_the_header_shows_the_backlog_and_todays_decisions_per_moderator(
    mod_client, moderator, second_moderator, article
):
    aged(article, 26, body="最早")
    make_comment(article)
    for _ in range(2):
        make_comment(article).approve(by=second_moderator)
    make_comment(article).reject(by=moderator)
    with time_machine.travel(timezone.now() - dt.timedelta(days=2)):
        make_comment(article).approve(by=moderator)  # not today
    page = mod_client.get(DESK)
    assertContains(page, '待审核：<strong id="pending-count">2</strong> 条')
    assertContains(page, "最早一条已等待 1\xa0日，2\xa0小时")
    text = re.sub(r"<[^>]+>", "", page.content.decode())
    assert "今日决定：mod2 2 · mod 1" in text


def test_the_commenters_history_counts_by_key_and_by_address_block(mod_client, moderator, article):
    key = "reader-key-0001"
    for method in ("approve", "approve", "reject", "mark_spam"):
        getattr(make_comment(article, commenter_key=key), method)(by=moderator)
    make_comment(article, ip_address="2001:db8:1:2::5").mark_spam(by=moderator)
    make_comment(article, body="新的一条", commenter_key=key, ip_address="2001:db8:1:2:ffff::1")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", mod_client.get(DESK).content.decode()))
    assert "此评论者：通过 2 · 拒绝 1 · 垃圾 1 全部留言" in text
    assert "此地址 2001:db8:1:2::/64：通过 0 · 拒绝 0 · 垃圾 1 全部留言" in text
    listed = mod_client.get(DESK, {"status": "all", "commenter_key": key})
    assert len(listed.context["cl"].result_list) == 5
    by_address = mod_client.get(DESK, {"status": "all", "address_block": "2001:db8:1:2::/64"})
    assert len(by_address.context["cl"].result_list) == 2


def test_the_desk_costs_the_same_queries_for_5_or_50_cards_with_histories(
    mod_client, moderator, category, django_assert_max_num_queries
):
    def fill(n):
        for i in range(n):
            article = make_article(category=category)
            key = f"key-{i:08d}-{Comment.objects.count()}"
            make_comment(article, commenter_key=key, ip_address=f"2001:db8:{i}::1")
            make_comment(article, commenter_key=key).approve(by=moderator)

    fill(5)
    mod_client.get(DESK)  # the session and the user are loaded once
    with django_assert_max_num_queries(14) as five:
        mod_client.get(DESK)
    fill(45)
    with django_assert_max_num_queries(len(five.captured_queries)) as fifty:
        page = mod_client.get(DESK)
    assert len(cards(page)) == 50
    assert len(fifty.captured_queries) == len(five.captured_queries)


def test_the_change_form_lists_the_decision_log(mod_client, moderator, second_moderator, article):
    comment = make_comment(article)
    comment.reject(by=moderator, reason="广告", note="内部备注")
    comment.approve(by=second_moderator)
    page = mod_client.get(f"{DESK}{comment.pk}/change/")
    assertContains(page, "审核记录")
    text = re.sub(r"<[^>]+>", "|", page.content.decode())
    assert "mod2||待审核" not in text
    assertContains(page, "<td>mod2</td><td>已拒绝 → 已通过</td>", html=False)
    assertContains(page, "<td>mod</td><td>待审核 → 已拒绝</td><td>广告</td><td>内部备注</td>")


def test_the_decision_log_is_read_only_and_filterable_by_moderator_and_day(
    mod_client, moderator, second_moderator, article
):
    make_comment(article).approve(by=moderator)
    make_comment(article).reject(by=second_moderator)
    log = "/admin/comments/decision/"
    page = mod_client.get(log, {"moderator": str(second_moderator.pk)})
    assert [d.moderator for d in page.context["cl"].result_list] == [second_moderator]
    today = timezone.localdate()
    page = mod_client.get(
        log,
        {
            "decided_at__day": today.day,
            "decided_at__month": today.month,
            "decided_at__year": today.year,
        },
    )
    assert len(page.context["cl"].result_list) == 2
    decision = Decision.objects.first()
    assert mod_client.get(f"{log}{decision.pk}/delete/").status_code == 403
    mod_client.post(f"{log}{decision.pk}/change/", {"reason": "改写"})
    assert Decision.objects.get(pk=decision.pk).reason == ""


def test_editors_cannot_read_the_decision_log(editor):
    assert client_for(editor).get("/admin/comments/decision/").status_code == 403


def test_a_moderator_can_extend_the_rejection_reasons_and_the_desk_offers_them(mod_client, article):
    response = mod_client.post(
        "/admin/comments/rejectionreason/add/", {"label": "剧透", "position": 9, "active": "on"}
    )
    assert response.status_code == 302
    make_comment(article)
    page = mod_client.get(DESK)
    for label in ("广告", "辱骂", "违法违规", "与文章无关", "其他", "剧透"):
        assertContains(page, f"</kbd> {label}</label>")


# --- the moderator's script ---------------------------------------------------------------------


def test_a_moderator_reads_in_their_chosen_script_with_the_original_one_click_away(
    mod_client, moderator, article
):
    comment = make_comment(article, body="软件发布了")
    comment.refresh_renderings()
    comment.save()
    page = mod_client.get(DESK)
    assertContains(page, "软件发布了")
    assertNotContains(page, "原文")

    response = mod_client.post(f"{DESK}script/", {"variant": "zh-tw", "next": DESK})
    assert response["Location"] == DESK
    page = mod_client.get(DESK)
    assertContains(page, '<div class="desk-body">軟體發布了</div>')
    assertContains(page, "<summary>原文</summary>")  # the text as written, one click away
    assertContains(page, '<div class="desk-body">软件发布了</div>')
    assertContains(page, f'href="/zh-tw/articles/{article.pk}/"')
    # ... and the admin speaks Traditional Chinese (Django's zh-hant catalog).
    assertContains(page, "登出")
    assert page["Content-Language"] == "zh-hant"

    # Remembered for the moderator, not only for this session.
    assertContains(client_for(moderator).get(DESK), "軟體發布了")


def test_comments_stored_before_renderings_are_converted_on_the_desk(
    mod_client, moderator, article
):
    make_comment(article, body="软件")  # no stored renderings
    mod_client.post(f"{DESK}script/", {"variant": "zh-hk"})
    assertContains(mod_client.get(DESK), '<div class="desk-body">軟件</div>')


def test_an_unknown_script_is_refused(mod_client):
    response = mod_client.post(f"{DESK}script/", {"variant": "en"}, **JSON)
    assert response.status_code == 400


# --- the admin around the desk -------------------------------------------------------------------


def test_the_admin_header_names_the_site(mod_client):
    page = mod_client.get("/admin/")
    assertContains(page, '<div id="site-name"><a href="/admin/">新闻门户</a></div>')
    assertNotContains(page, "Django")


def test_a_missing_admin_page_is_a_chinese_404_in_the_admins_style(mod_client):
    response = mod_client.get("/admin/comments/nothing-here/")
    assert response.status_code == 404
    assertContains(response, "页面不存在", status_code=404)
    assertContains(response, 'id="site-name"', status_code=404)


def test_an_admin_500_is_chinese_in_the_admins_style(rf):
    from comments.errors import server_error

    response = server_error(rf.get("/admin/comments/comment/"))
    assert response.status_code == 500
    assert "服务器出错" in response.content.decode()
    assert 'id="site-name"' in response.content.decode()


def test_readers_keep_their_own_error_pages(client, rf):
    from comments.errors import server_error

    assert "服务暂时不可用" in server_error(rf.get("/zh-hans/")).content.decode()
    assertContains(client.get("/zh-hans/articles/999999/"), "页面不存在", status_code=404)


def test_the_notification_links_to_the_comment_on_the_desk_absolutely(
    client, article, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from tests.factories import comment_form, comment_url

    settings.COMMENT_NOTIFY_EMAILS = ["mod@example.com"]
    settings.SITE_URL = "https://news.example.com"  # as settings.py keeps it: no slash
    with django_capture_on_commit_callbacks(execute=True):
        client.post(comment_url(article), comment_form(article, body="请审核"))
    pk = Comment.objects.get().pk
    assert (
        f"https://news.example.com/admin/comments/comment/?id={pk}&status=all" in mailoutbox[0].body
    )


def test_the_desk_link_shows_just_that_comment(mod_client, moderator, article):
    make_comment(article)
    wanted = make_comment(article, body="邮件里的那条")
    wanted.approve(by=moderator)
    page = mod_client.get(f"{DESK}?id={wanted.pk}&status=all")
    assert cards(page) == [wanted.pk]
