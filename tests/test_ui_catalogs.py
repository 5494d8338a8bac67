"""The readers' templates are Jinja2; their UI strings must still reach the four catalogs."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from portal.variants.convert import convert

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
UI_STRING = re.compile(r'_\("([^"]+)"\)')


def template_strings() -> set[str]:
    found = set()
    for path in TEMPLATES.rglob("*.html"):
        if "admin" not in path.relative_to(TEMPLATES).parts:
            found.update(UI_STRING.findall(path.read_text("utf-8")))
    return found


def test_the_templates_are_read_for_strings():
    strings = template_strings()
    assert "我要留言" in strings
    assert "第 %(n)s / %(total)s 页" in strings


@pytest.mark.parametrize("variant", ["zh-hant", "zh-tw", "zh-hk"])
def test_every_template_string_is_translated_in_every_traditional_variant(variant):
    untranslated = []
    for msgid in sorted(template_strings()):
        if convert(msgid, "s2t") == msgid:
            continue  # nothing in it differs in Traditional script
        with translation.override(variant):
            if translation.gettext(msgid) == msgid:
                untranslated.append(msgid)
    assert untranslated == []


@pytest.mark.django_db
@pytest.mark.parametrize("catalog", ["zh_Hant", "zh_TW", "zh_HK"])
def test_catalogs_say_what_the_articles_renderer_and_glossary_say(catalog):
    """The committed catalogs are what `make messages` renders now: OpenCC, the editors'
    glossary (审核 → 審核, never OpenCC's 稽核 "audit") and the UI wording."""
    from articles.management.commands.make_variant_catalogs import (
        CATALOGS,
        parse_po,
        translate,
        unescape,
    )
    from articles.models import GlossaryTerm

    variant, wording = CATALOGS[catalog]
    glossary = GlossaryTerm.objects.as_glossary()
    po = Path(__file__).resolve().parent.parent / "locale" / catalog / "LC_MESSAGES" / "django.po"
    stale = [
        (unescape(e["msgid"]), unescape(e["msgstr"]))
        for e in parse_po(po.read_text("utf-8"))
        if e.get("msgid")
        and "msgstr" in e
        and unescape(e["msgstr"]) != translate(unescape(e["msgid"]), variant, wording, glossary)
    ]
    assert stale == []
    text = po.read_text("utf-8")
    assert "稽核" not in text
    assert "人工審核" in text
