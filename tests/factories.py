"""Small factories for tests: real rows in the real database, with sensible defaults."""

import itertools

from django.utils import timezone

from articles.models import Article, Category
from comments.models import Comment
from comments.rendering import items_html
from comments.signals import comment_visibility_changed

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


def make_approved_comments(article, count: int, **fields) -> list[Comment]:
    """``count`` approved comments in one INSERT, rendered as approval renders them and counted
    on the article. Bodies are numbered on from the article's existing comments, each a second
    newer than the last (the first a day ago), so repeated calls keep one oldest-first order."""
    from django.db.models import Count, F, Max

    template = Comment(article=article, nickname="读者", body="已通过的评论")
    template.refresh_renderings()
    existing = Comment.objects.filter(article=article).aggregate(
        n=Count("id"), last=Max("created_at")
    )
    start = existing["last"] or timezone.now() - timezone.timedelta(days=1)
    comments = [
        Comment(
            article=article,
            nickname=template.nickname,
            body=f"{template.body}{n}",
            status=Comment.Status.APPROVED,
            created_at=start + timezone.timedelta(seconds=n - existing["n"] + 1),
            nickname_variants=template.nickname_variants,
            body_variants={v: f"{html}{n}" for v, html in template.body_variants.items()},
            floor=n + 1,
            item_variants=items_html(
                template.nickname_variants,
                {v: f"{html}{n}" for v, html in template.body_variants.items()},
                start + timezone.timedelta(seconds=n - existing["n"] + 1),
                floor=n + 1,
            ),
            **fields,
        )
        for n in range(existing["n"], existing["n"] + count)
    ]
    Comment.objects.bulk_create(comments, batch_size=1000)
    top_level = count if fields.get("parent") is None else 0
    Article.objects.filter(pk=article.pk).update(
        comment_count=F("comment_count") + count,
        top_level_comment_count=F("top_level_comment_count") + top_level,
    )
    article.refresh_from_db(fields=["comment_count", "top_level_comment_count"])
    # What an approval tells the caches: the article's pages (and its cached row) changed.
    comment_visibility_changed.send(sender=Comment, article_id=article.pk)
    return comments


def make_approved_replies(parent, count: int, *, prefix: str = "回复") -> list[Comment]:
    """``count`` approved replies under ``parent`` in one INSERT, a second apart (oldest first),
    their bodies ``{prefix}000``, ``{prefix}001`` …; counted on the article."""
    from django.db.models import F

    start = parent.created_at
    replies = []
    for n in range(count):
        body = {"zh-hans": f"{prefix}{n:03d}"}
        created_at = start + timezone.timedelta(seconds=n + 1)
        replies.append(
            Comment(
                article_id=parent.article_id,
                parent=parent,
                reply_to=parent,
                body=body["zh-hans"],
                status=Comment.Status.APPROVED,
                created_at=created_at,
                body_variants=body,
                item_variants=items_html({"zh-hans": "读者"}, body, created_at),
            )
        )
    Comment.objects.bulk_create(replies)
    Article.objects.filter(pk=parent.article_id).update(comment_count=F("comment_count") + count)
    return replies


def withdraw(article, how: str) -> None:
    """Take a published article off the site: ``unpublished``, or ``scheduled`` back to
    tomorrow."""
    if how == "unpublished":
        article.unpublish()
    else:
        article.published_at = timezone.now() + timezone.timedelta(days=1)
        article.save()


def comment_form(article, **fields) -> dict:
    """What the reader's browser posts: a freshly signed token, an empty honeypot."""
    from comments.guards import make_token

    return {
        "nickname": "",
        "body": "说得好",
        "website": "",
        "token": make_token(article.pk),
        **fields,
    }


def comment_url(article, variant: str = "zh-hans") -> str:
    return f"/{variant}/articles/{article.pk}/comments/"


def article_url(article, variant: str = "zh-hans") -> str:
    return f"/{variant}/articles/{article.pk}/"


def form_tokens(client, article, variant: str = "zh-hans") -> dict:
    """What comment-form.js fetches for a form on a shared page: {"csrf": …, "token": …}."""
    response = client.get(f"/{variant}/articles/{article.pk}/comments/tokens/")
    assert response.status_code == 200
    return response.json()


def image_bytes(width=2000, height=1000, fmt="JPEG", *, orientation=None, gps=False) -> bytes:
    """An image file made here (a gradient with a mark in its top-left corner), optionally with
    the EXIF a phone writes: an orientation tag and a GPS position."""
    import io

    from PIL import Image, ImageDraw

    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    ImageDraw.Draw(image).rectangle((0, 0, width // 10, height // 10), fill=(255, 0, 0))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (32.0, 3.0, 40.0), 3: "E", 4: (118.0, 47.0, 0.0)}
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    kwargs = {"exif": exif.tobytes()} if fmt in ("JPEG", "WEBP", "PNG") else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def make_photo(width=2000, height=1000, **fields):
    """A photo stored as an upload would be (renditions written to MEDIA_ROOT)."""
    import io

    from articles.models import GlossaryTerm
    from articles.photos import Photo, open_upload

    class Upload(io.BytesIO):
        size = property(lambda self: len(self.getvalue()))

    photo = Photo(**{"caption": "测试图片说明", "credit": "本网记者 摄", **fields})
    photo.store(open_upload(Upload(image_bytes(width, height))))
    photo.save(glossary=GlossaryTerm.objects.as_glossary())
    return photo
