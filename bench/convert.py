"""What script conversion costs: the reference article in four variants, and an editor's save.

Conversion runs once, when an editor saves (or a moderator approves a comment), never while a
reader waits; these are the figures an editor waits for. Uses a database of its own
(``bench_convert``) with the demo newsroom and the default glossary.

- cold: the first conversion in a process, which loads OpenCC's dictionaries (once per worker);
- the reference article (title, summary, ~1,800-character body) into all four variants with the
  glossary, and the script detection a first save adds;
- ``Article.save()`` (renderings, search document, UPDATE) and a whole admin save (the change
  form POSTed, validated, saved, logged, redirected).

Run: ``.venv/bin/python -m bench.convert [--runs 30]``.
"""

import argparse
import io
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("HTTPS", "false")  # the test client speaks plain http

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, GlossaryTerm  # noqa: E402
from bench.owndb import use_own_database  # noqa: E402
from portal.variants import convert  # noqa: E402

DATABASE = "bench_convert"


def timed(function, runs: int) -> float:
    """Median milliseconds of ``function()``."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def admin_form(article: Article) -> dict:
    published = timezone.localtime(article.published_at)
    data = {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "category": article.category_id,
        "status": article.status,
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        "source": article.source,
        "author": article.author,
        "source_script": article.source_script,
        "_save": "保存",
    }
    for flag in ("is_headline", "allow_comments"):
        if getattr(article, flag):
            data[flag] = "on"
    return data


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)

    use_own_database(DATABASE)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    article = Article.objects.get(title__startswith="江苏省党政代表团到广东考察交流")
    glossary = GlossaryTerm.objects.as_glossary()
    fields = {"title": article.title, "summary": article.summary, "body": article.body}
    chars = sum(map(len, fields.values()))

    started = time.perf_counter()
    convert.render_fields(fields, "zh-hans", glossary)
    cold = (time.perf_counter() - started) * 1000

    def render_all():
        convert.render_fields(fields, "zh-hans", glossary)

    def render_plain():
        convert.render_fields(fields, "zh-hans")

    rendered = timed(render_all, args.runs)
    without_glossary = timed(render_plain, args.runs)
    detect = timed(lambda: convert.detect_script(fields.values()), args.runs)
    model_save = timed(article.save, args.runs)

    setup_test_environment()
    user, _ = get_user_model().objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    url = f"/admin/articles/article/{article.pk}/change/"
    base = admin_form(article)
    edits = iter(range(10**6))

    def admin_save():
        data = dict(base, body=base["body"] + "。" * (next(edits) % 2))  # a real edit each time
        response = client.post(url, data)
        assert response.status_code == 302, (response.status_code, response.content[:2000])

    admin = timed(admin_save, args.runs)
    article.refresh_from_db()
    article.body = base["body"]
    article.save()

    print(f"reference article: {chars} characters (title, summary, body)")
    print(f"{len(glossary.terms)} glossary terms; medians of {args.runs} runs\n")
    rows = [
        ("first conversion in a process (loads OpenCC's dictionaries)", cold),
        ("convert once into all four variants, with the glossary", rendered),
        ("  the same without the glossary", without_glossary),
        ("detect the script (first save only)", detect),
        ("Article.save(): renderings + search document + UPDATE", model_save),
        ("admin save: change form POST → validate, save, log, redirect", admin),
    ]
    for label, ms in rows:
        print(f"{label:<62} {ms:8.1f} ms")
    print(
        f"\nsummary: convert_ms={rendered:.1f} model_save_ms={model_save:.1f} "
        f"admin_save_ms={admin:.1f} cold_ms={cold:.0f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
