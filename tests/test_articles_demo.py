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
