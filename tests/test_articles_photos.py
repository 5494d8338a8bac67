"""Photos: checked and cleaned at upload, renditions made once, shown with srcset; bad uploads
are form errors that store nothing; the article page's queries do not grow with its photos."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.models import Article
from articles.photos import Photo
from tests.factories import image_bytes, make_article, make_photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(client, content: bytes, name="photo.jpg", **fields):
    file = SimpleUploadedFile(name, content, content_type="image/jpeg")
    return client.post(
        "/admin/articles/photo/add/",
        {"upload": file, "caption": "南京长江大桥夜景", "credit": "本网记者 摄", **fields},
    )


def test_an_upload_is_turned_upright_stripped_and_rendered_once(client, editor, media):
    client.force_login(editor)
    # A phone photo taken sideways: stored 2000×1200 with "rotate 90° clockwise" in its EXIF.
    content = image_bytes(2000, 1200, orientation=6, gps=True)
    assert Image.open(io.BytesIO(content)).getexif().get_ifd(0x8825)  # the GPS is there
    response = upload(client, content)
    assert response.status_code == 302, response.content.decode()[-3000:]
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (1200, 2000)  # upright
    assert photo.uploaded_by == editor
    assert [r["width"] for r in photo.renditions] == [480, 960, 1200]
    files = [photo.master] + [r[f] for r in photo.renditions for f in ("jpeg", "webp")]
    for name in files:
        with Image.open(media / name) as image:
            assert image.format in ("JPEG", "WEBP")
            assert len(image.getexif()) == 0, name  # no orientation, maker, or GPS left
            assert "exif" not in image.info and "xmp" not in image.info
    with Image.open(media / photo.renditions[0]["webp"]) as small:
        assert small.size == (480, 800)
        # The red mark of the top-left corner is now at the top right: turned, not mirrored.
        red = small.getpixel((470, 5))
        assert red[0] > 200 and red[1] < 60, red
        assert small.getpixel((5, 5))[1] > 150  # the original's bottom-left: light, not red


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"GIF89a" + b"\0" * 100, "x.gif", "这不是图片文件"),
        (image_bytes(40, 40, "GIF"), "x.gif", "不支持的图片格式"),
        (b"<html><script>alert(1)</script></html>", "x.jpg", "这不是图片文件"),
        (image_bytes(800, 600)[:2000], "cut.jpg", "已损坏或不完整"),
        (b"\xff\xd8\xff" + b"\0" * (50 * 1024 * 1024), "big.jpg", "图片文件太大（50 MB）"),
    ],
    ids=["not-an-image", "gif", "html", "truncated", "50MB"],
)
def test_a_bad_upload_is_a_form_error_and_stores_nothing(
    client, editor, media, content, name, message
):
    client.force_login(editor)
    response = upload(client, content, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Photo.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def bomb() -> bytes:
    """A 1-bit PNG of 20,000 × 20,000 pixels: a few kilobytes that decode to 400 megapixels."""
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("our_limit", [40_000_000, 10**9])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(client, editor, settings, our_limit):
    settings.PHOTO_MAX_PIXELS = our_limit  # ours, or (when ours is looser) Pillow's own
    content = bomb()
    assert len(content) < 100_000
    client.force_login(editor)
    response = upload(client, content, "bomb.png")
    assert response.status_code == 200
    assert "图片像素太多" in response.content.decode()
    assert not Photo.objects.exists()


def test_small_photos_are_not_enlarged(media):
    photo = make_photo(300, 200)
    assert [(r["width"], r["height"]) for r in photo.renditions] == [(300, 200)]


def body_with(photos, captions=True) -> str:
    figures = "".join(
        f'<figure><img src="{p.src}"><figcaption>图{n}：发布会现场</figcaption></figure>'
        if captions
        else f'<figure><img src="{p.src}"></figure>'
        for n, p in enumerate(photos)
    )
    return f"<h2>小标题</h2><p>第一段。</p>{figures}<p>最后一段。</p>"


def test_body_photos_get_srcset_sizes_dimensions_lazy_loading_and_converted_captions(client):
    photo = make_photo(caption="软件发布会现场", credit="新华社记者 摄")
    article = make_article(body=body_with([photo]) + f'<figure><img src="{photo.src}"></figure>')
    html = client.get(f"/zh-tw/articles/{article.pk}/").content.decode()
    body = re.search(r'<div class="body">(.*?)</div>', html, re.S).group(1)
    assert body.count('<figure class="photo">') == 2
    assert '<source type="image/webp" srcset="/media/photos/' in body
    assert "480w, " in body and "960w, " in body and "1440w" in body
    assert 'sizes="(max-width: 700px) calc(100vw - 32px), 640px"' in body
    assert 'width="960" height="480"' in body and 'loading="lazy"' in body
    assert "<figcaption>圖0：發布會現場" in body  # the editor's caption, converted
    assert "<figcaption>軟體發布會現場" in body  # the photo's own caption when none is given
    assert '<span class="credit">新華社記者 攝</span>' in body


def test_the_lead_photo_is_large_on_the_page_a_thumbnail_in_lists_and_the_og_image(client):
    photo = make_photo(caption="题图说明")
    article = make_article(title="有题图的文章", lead_photo=photo)
    page = client.get(f"/zh-hans/articles/{article.pk}/").content.decode()
    lead = re.search(r'<div class="lead-photo">(.*?)</div>', page, re.S).group(1)
    assert 'fetchpriority="high"' in lead and 'loading="lazy"' not in lead
    assert "<figcaption>题图说明" in lead
    assert re.search(r'<meta property="og:image" content="https?://[^"]+/1440\.jpg">', page)
    home = client.get("/zh-hans/").content.decode()
    assert '<a class="item-thumb" href="/zh-hans/articles/' in home
    assert 'sizes="160px"' in home and photo.renditions[0]["jpeg"] in home


def test_editing_a_caption_rerenders_the_articles_showing_the_photo(client, editor):
    photo = make_photo(caption="旧的说明")
    article = make_article(body=body_with([photo], captions=False), lead_photo=photo)
    assert "旧的说明" in client.get(f"/zh-hans/articles/{article.pk}/").content.decode()
    client.force_login(editor)
    response = client.post(
        f"/admin/articles/photo/{photo.pk}/change/", {"caption": "新的说明", "credit": "摄"}
    )
    assert response.status_code == 302
    client.logout()
    page = client.get(f"/zh-hant/articles/{article.pk}/").content.decode()
    assert "新的說明" in page and "舊的說明" not in page


def test_an_image_from_elsewhere_or_a_deleted_photo_is_left_out():
    photo = make_photo()
    body = body_with([photo]) + '<figure><img src="https://elsewhere.example/x.jpg"></figure>'
    article = make_article(body=body)
    assert "elsewhere" not in article.body
    photo.delete()
    article.save()
    assert "<figure" not in article.body_variants["zh-hans"]
    assert "<h2>小标题</h2>" in article.body_variants["zh-hans"]


def test_the_article_page_with_ten_photos_needs_as_few_queries_as_one_without(
    client, django_assert_max_num_queries
):
    from tests.test_articles_queries import MAX_QUERIES

    photos = [make_photo(800, 600) for _ in range(10)]
    article = make_article(body=body_with(photos), lead_photo=photos[0])
    for variant in ("zh-hans", "zh-tw"):
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(f"/{variant}/articles/{article.pk}/")
        assert response.content.decode().count('<figure class="photo">') == 11


def test_readers_requests_never_open_or_resize_an_image(client, monkeypatch):
    photo = make_photo()
    article = make_article(body=body_with([photo]), lead_photo=photo)

    def refuse(*args, **kwargs):
        raise AssertionError("image work during a reader's request")

    monkeypatch.setattr(Image, "open", refuse)
    monkeypatch.setattr(Image.Image, "resize", refuse)
    for path in (f"/zh-hk/articles/{article.pk}/", "/zh-hk/"):
        assert client.get(path).status_code == 200


def test_media_files_are_served_by_the_app_when_no_edge_serves_them(client):
    photo = make_photo()
    response = client.get(photo.src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert client.get("/media/photos/../../etc/passwd").status_code in (400, 404)


def test_editors_may_upload_photos_and_moderators_may_not(client, editor, moderator):
    client.force_login(moderator)
    assert client.get("/admin/articles/photo/add/").status_code == 403
    client.force_login(editor)
    assert client.get("/admin/articles/photo/add/").status_code == 200


def test_an_article_keeps_its_lead_photo_in_revisions(editor):
    photo = make_photo()
    article = make_article(lead_photo=photo)
    assert article.revisions.get().fields["lead_photo_id"] == photo.pk
    assert Article.objects.get(pk=article.pk).lead_photo == photo


def test_the_edge_serves_photos_from_disk_and_lets_uploads_reach_the_admin(tmp_path):
    from edge import site_config

    conf = site_config(
        listen="8080",
        app="127.0.0.1:8001",
        cache_dir=tmp_path,
        reads_log=tmp_path / "reads.log",
        access_log="off",
        media_root=tmp_path / "media",
    )
    media = re.search(r"location /media/ \{(.*?)\}", conf, re.S).group(1)
    assert f"alias {tmp_path}/media/;" in media and "immutable" in media
    admin = re.search(r"location /admin/ \{(.*?)\}", conf, re.S).group(1)
    assert "client_max_body_size 64m;" in admin
