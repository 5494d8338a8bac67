"""The demo newsroom loads the same at any hour: what it says is published is published."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command

from articles.models import Article

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
@pytest.mark.parametrize("local_hour", [0, 9, 23])
def test_articles_of_today_are_published_whatever_the_hour_the_demo_is_loaded(local_hour):
    moment = dt.datetime(2026, 11, 30, local_hour, 10, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        call_command("load_demo", verbosity=0)
        metro = Article.objects.get(title__startswith="南京地铁11号线")  # "today, 10:00"
        assert Article.objects.published().filter(pk=metro.pk).exists()
        assert metro.published_at.astimezone(SHANGHAI).date() == moment.date()
        # The ones meant to be scheduled still are.
        assert Article.objects.filter(published_at__gt=moment).count() == 3


@pytest.mark.django_db
def test_the_demo_has_photo_stories_and_a_formatted_one_and_loads_them_once(client):
    from articles.photos import Photo

    call_command("load_demo", verbosity=0)
    metro = Article.objects.get(title__startswith="南京地铁11号线")
    assert metro.lead_photo.caption.startswith("南京地铁11号线列车")
    story = Article.objects.get(title__startswith="江北新区滨江步道全线贯通")
    assert story.lead_photo is not None
    for tag in ("<h2>", "<blockquote>", "<ul>", '<figure class="photo">', "<figcaption>"):
        assert tag in story.body_variants["zh-hant"], tag
    page = client.get(f"/zh-tw/articles/{story.pk}/").content.decode()
    assert "串聯公園與觀景平臺" in page and 'srcset="/media/photos/' in page
    photos = Photo.objects.count()
    assert photos == 6
    call_command("load_demo", verbosity=0)
    assert Photo.objects.count() == photos
    assert Article.objects.filter(title=story.title).count() == 1


@pytest.mark.django_db
def test_an_editors_choice_of_lead_photo_survives_loading_the_demo_again(editor, demo_snapshot):
    demo_snapshot.restore()  # loaded earlier (conftest.py)
    metro = Article.objects.get(title__startswith="南京地铁11号线")
    metro.lead_photo = None
    metro.last_edited_by = editor
    metro.save()
    call_command("load_demo", verbosity=0)
    metro.refresh_from_db()
    assert metro.lead_photo is None


def shipped_with_ascii_commas(article: Article) -> None:
    """Make ``article`` as a database loaded before the demo's punctuation was corrected has it."""
    Article.objects.filter(pk=article.pk).update(
        summary=article.summary.replace("，", ","), body=article.body.replace("，", ",")
    )


@pytest.mark.django_db
def test_loading_the_demo_again_corrects_the_ascii_commas_of_an_article_loaded_earlier(
    demo_snapshot,
):
    demo_snapshot.restore()  # loaded earlier (conftest.py)
    reference = Article.objects.get(title__startswith="江苏省党政代表团到广东考察交流")
    shipped_body = reference.body
    shipped_with_ascii_commas(reference)

    call_command("load_demo", verbosity=0)
    reference.refresh_from_db()
    assert reference.body == shipped_body
    assert "风从海上来，潮涌大湾区" in reference.body
    assert "風從海上來，潮湧大灣區" in reference.body_variants["zh-tw"]
    assert "17日，省委书记" in reference.summary
    assert "17日，省委書記" in reference.summary_variants["zh-hk"]
    assert reference.revisions.latest("version").note == "演示内容改用全角标点"

    versions = reference.revisions.count()
    call_command("load_demo", verbosity=0)
    assert reference.revisions.count() == versions  # once


@pytest.mark.django_db
def test_an_editors_punctuation_survives_loading_the_demo_again(editor, demo_snapshot):
    demo_snapshot.restore()  # loaded earlier (conftest.py)
    reference = Article.objects.get(title__startswith="江苏省党政代表团到广东考察交流")
    reference.last_edited_by = editor
    reference.save()
    shipped_with_ascii_commas(reference)
    call_command("load_demo", verbosity=0)
    reference.refresh_from_db()
    assert "风从海上来,潮涌大湾区" in reference.body
