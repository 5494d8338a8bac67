"""Whatever arrives at the comment URL, the answer is never a 500 and nothing bad is stored."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Article
from comments.models import Comment
from tests.factories import article_url, comment_form, comment_url, make_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_test_client")]


def test_empty_body_is_refused_with_a_message(client, article):
    response = client.post(comment_url(article), comment_form(article, body=""))
    assertContains(response, "请填写留言内容。", status_code=400)
    assert not Comment.objects.exists()


def test_body_of_only_spaces_is_refused_with_a_message(client, article):
    response = client.post(comment_url(article), comment_form(article, body=" \t\n\u3000 "))
    assertContains(response, "请填写留言内容。", status_code=400)
    assert not Comment.objects.exists()


def test_body_of_1001_characters_is_refused_with_a_message(client, article):
    response = client.post(comment_url(article), comment_form(article, body="字" * 1001))
    assertContains(response, "留言最多 1000 个字", status_code=400)
    assert not Comment.objects.exists()


def test_body_of_one_megabyte_is_refused_without_a_500(client, article):
    response = client.post(comment_url(article), comment_form(article, body="a" * 1024 * 1024))
    assertContains(response, "留言最多 1000 个字（现在是 1048576 个）。", status_code=400)
    assert not Comment.objects.exists()


def test_nul_in_the_body_is_refused_with_a_message(client, article):
    response = client.post(comment_url(article), comment_form(article, body="前\x00后"))
    assertContains(response, "留言含有不允许的字符", status_code=400)
    assert not Comment.objects.exists()


def test_invalid_utf8_in_the_request_is_read_with_replacement_characters(client, article):
    token = comment_form(article)["token"]
    raw = b"nickname=%C3%28&website=&body=%FF%FE%E5%A5%BD&token=" + token.encode()
    response = client.post(
        comment_url(article), raw, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.body == "\ufffd\ufffd好"
    assert comment.nickname == "\ufffd("
    assert comment.status == "pending"


def test_invalid_utf8_in_a_multipart_request_gets_no_500(client, article):
    token = comment_form(article)["token"]
    boundary = "XyZ"
    parts = [("nickname", b"\xc3\x28"), ("body", b"\xff\xfe ok"), ("token", token.encode())]
    raw = (
        b"".join(
            b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
            % (boundary.encode(), name.encode(), value)
            for name, value in parts
        )
        + b"--%s--\r\n" % boundary.encode()
    )
    response = client.post(
        comment_url(article), raw, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == "\ufffd\ufffd ok"


def test_html_and_script_are_stored_as_text_and_shown_escaped(client, article, moderator):
    body = '<script>alert("x")</script><b onclick=1>粗</b>\n&amp;'
    client.post(comment_url(article), comment_form(article, body=body, nickname="<i>我</i>"))
    comment = Comment.objects.get()
    assert comment.body == body and comment.nickname == "<i>我</i>"
    own = client.get(f"/zh-hans/articles/{article.pk}/comments/mine/")  # 我的留言, pending
    assertNotContains(own, "<script>alert")
    assertContains(own, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
    comment.approve(by=moderator)
    for variant in ("zh-hans", "zh-hant"):
        public = Client().get(article_url(article, variant))
        assertNotContains(public, "<script>alert")
        assertNotContains(public, "<b onclick")
        assertNotContains(public, "<i>我</i>")
        assertContains(public, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
        assertContains(public, "&lt;i&gt;我&lt;/i&gt;")
        assertContains(public, "<br>&amp;amp;")


def test_nickname_of_200_characters_is_refused_with_a_message(client, article):
    response = client.post(comment_url(article), comment_form(article, nickname="长" * 200))
    assertContains(response, "昵称最多 30 个字（现在是 200 个）。", status_code=400)
    assert not Comment.objects.exists()


def test_missing_body_field_is_refused_with_a_message(client, article):
    data = comment_form(article)
    del data["body"]
    response = client.post(comment_url(article), data)
    assertContains(response, "请填写留言内容。", status_code=400)
    assert not Comment.objects.exists()


def test_missing_token_field_is_refused_with_a_message(client, article):
    data = comment_form(article)
    del data["token"]
    response = client.post(comment_url(article), data)
    assertContains(response, "表单已失效，请刷新页面后重新提交。", status_code=400)
    assert not Comment.objects.exists()


def test_missing_optional_fields_are_fine(client, article):
    data = comment_form(article)
    del data["nickname"], data["website"]
    assert client.post(comment_url(article), data).status_code == 302
    assert Comment.objects.get().nickname == ""


def test_empty_post_is_refused_with_messages(client, article):
    response = client.post(comment_url(article), {})
    assertContains(response, "请填写留言内容。", status_code=400)
    assert not Comment.objects.exists()


def test_post_to_an_unknown_article_is_404(client, article):
    response = client.post(comment_url(Article(pk=article.pk + 999)), comment_form(article))
    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_post_to_a_draft_article_is_404(client, category):
    draft = make_article(category=category, status=Article.Status.DRAFT)
    assert client.post(comment_url(draft), comment_form(draft)).status_code == 404
    assert not Comment.objects.exists()


def test_post_to_a_scheduled_article_is_404(client, category):
    later = make_article(category=category, published_at=timezone.now() + dt.timedelta(days=1))
    assert client.post(comment_url(later), comment_form(later)).status_code == 404
    assert not Comment.objects.exists()


def test_post_to_an_article_closed_for_comments_is_403(client, category):
    closed = make_article(category=category, allow_comments=False)
    response = client.post(comment_url(closed), comment_form(closed))
    assertContains(response, "本文评论已关闭。", status_code=403)
    assert not Comment.objects.exists()


def test_post_to_a_non_numeric_article_id_is_404(client, article):
    assert client.post("/zh-hans/articles/abc/comments/", comment_form(article)).status_code == 404


def test_get_on_the_post_url_is_405(client, article):
    response = client.get(comment_url(article))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_repeated_fields_use_one_value_without_a_500(client, article):
    data = comment_form(article)
    data["body"] = ["第一份", "第二份"]
    assert client.post(comment_url(article), data).status_code == 302
    assert Comment.objects.get().body == "第二份"


def test_a_very_long_user_agent_is_cut_to_fit(client, article):
    client.post(comment_url(article), comment_form(article), HTTP_USER_AGENT="UA" * 1000)
    assert len(Comment.objects.get().user_agent) == 300
