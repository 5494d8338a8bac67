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
