"""The template environment of the readers' pages (``templates/``).

Readers' pages are Jinja2 because rendering, not the database, is what an uncached page costs:
the article page took about 60 % of its time in Django's template language (variable lookups,
``{% url %}``, inclusion tags), and Jinja2 compiles templates to Python functions. The admin
keeps Django's templates; its overrides in ``templates/admin/`` are left to that engine.

UI strings are written ``{{ _("…") }}`` (``|format(n=…)`` for placeholders): ``makemessages``
reads that form from ``.html`` files as it reads Django templates, so ``make messages`` still
builds the four catalogs.
"""

from functools import lru_cache

from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import dateformat, timezone, translation
from jinja2 import Environment, FileSystemLoader, TemplateNotFound


class ReaderTemplates(FileSystemLoader):
    """``templates/`` without ``templates/admin/``, which holds Django-template overrides."""

    def get_source(self, environment, template):
        if template.startswith("admin/"):
            raise TemplateNotFound(template)
        return super().get_source(environment, template)


@lru_cache(maxsize=4096)
def _reverse(language, prefix, name, args):
    return reverse(name, args=args)


def url(name: str, *args) -> str:
    """``{% url %}``. Memoised: the same few links are on every page, and each ``reverse`` walks
    the resolver. The language (``/zh-tw/`` prefix) and script prefix are part of the key; the
    site has one URLconf."""
    return _reverse(translation.get_language(), get_script_prefix(), name, args)


# The formats the pages use, as strftime: Django's dateformat interprets its format character
# by character, and list pages format two dates per article (42 on the home page).
STRFTIME = {"Y-m-d H:i": "%Y-%m-%d %H:%M", "Y-m-d": "%Y-%m-%d"}


def date(value, format_string: str) -> str:
    """Django's ``date`` filter: the site's time zone, PHP-style format characters."""
    if not value:
        return ""
    local = timezone.localtime(value)
    if format_string == "c":
        return local.isoformat()
    if format_string in STRFTIME:
        return local.strftime(STRFTIME[format_string])
    return dateformat.format(local, format_string)


def truncatechars(value: str, length: int) -> str:
    """Django's ``truncatechars`` for plain text (no combining characters, as in Chinese): at
    most ``length`` characters, the translated ellipsis ("..." in Django's zh catalogs) included."""
    if len(value) <= length:
        return value
    ellipsis = translation.pgettext(
        "String to return when truncating text", "%(truncated_text)s…"
    ) % {"truncated_text": ""}
    return value[: length - len(ellipsis)] + ellipsis


def environment(**options) -> Environment:
    """What apps give every page (the category bar, the comment section) comes from their
    context processors (settings.TEMPLATES), so this module knows no app."""
    options["loader"] = ReaderTemplates(options["loader"].searchpath)
    env = Environment(**options)
    env.globals.update(
        _=translation.gettext,
        url=url,
        static=static,
    )
    env.filters.update(
        date=date,
        truncatechars=truncatechars,
        linebreaksbr=defaultfilters.linebreaksbr,
        urlencode=defaultfilters.urlencode,
    )
    return env
