"""Small factories for tests: real rows in the real database, with sensible defaults."""

import itertools

from django.utils import timezone

from articles.models import Article, Category
from comments.models import Comment

_seq = itertools.count(1)


def make_category(**fields) -> Category:
    n = next(_seq)
    defaults = {"name": f"栏目{n}", "slug": f"cat-{n}", "position": n}
    return Category.objects.create(**{**defaults, **fields})


def make_article(category=None, **fields) -> Article:
    n = next(_seq)
    defaults = {
        "title": f"测试新闻标题{n}",
        "summary": f"测试新闻摘要{n}",
        "body": f"第一段正文{n}。\n\n第二段正文。",
        "category": category or make_category(),
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - timezone.timedelta(hours=n),
    }
    article = Article(**{**defaults, **fields})
    article.save()
    return article


def make_comment(article, approve_by=None, **fields) -> Comment:
    defaults = {"nickname": "", "body": f"评论内容{next(_seq)}"}
    comment = Comment.objects.create(article=article, **{**defaults, **fields})
    if approve_by is not None:
        comment.approve(by=approve_by)
    return comment
