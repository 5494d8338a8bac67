"""The demo discussion `make run` loads: approved, with 楼层, nested replies, 顶 and 精选, once."""

import pytest
from django.core.management import call_command
from django.test import Client

from articles.models import Article
from comments.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_article(reference_article):
    call_command("load_demo_comments", verbosity=0)
    return Article.objects.get(title__startswith="南京地铁11号线")


def test_the_demo_thread_is_loaded_once_with_floors_and_counted(demo_article):
    call_command("load_demo_comments", verbosity=0)  # a second `make run`
    comments = Comment.objects.filter(article=demo_article)
    assert comments.count() == 7
    assert comments.visible().count() == 7
    tops = comments.filter(parent=None).order_by("floor")
    assert list(tops.values_list("floor", flat=True)) == [1, 2, 3, 4]
    demo_article.refresh_from_db()
    assert demo_article.comment_count == 7


def test_the_demo_thread_shows_replies_hot_comments_and_the_featured_one(demo_article):
    html = Client().get(f"/zh-tw/articles/{demo_article.pk}/").content.decode()
    assert "熱門評論" in html
    assert "精選" in html
    assert "回覆 @浦口小王" in html or "回復 @浦口小王" in html
    assert "江寧老張" in html


def test_the_reference_article_keeps_its_empty_comment_section(demo_article):
    reference = Article.objects.get(title__startswith="江苏省党政代表团到广东考察交流")
    assert not Comment.objects.filter(article=reference).exists()
