"""Chinese text on the site takes full-width punctuation (，：；！？（）): the interface's strings
(templates, catalogs, scripts) and the demo content shipped in the repo. An ASCII mark touching a
CJK character is the typo these tests catch; ASCII marks elsewhere (1,000, 08:00, URLs, code,
English) are left alone."""

import json
import re
from pathlib import Path

import pytest

from articles.punctuation import ASCII_NEAR_CJK, full_width
from tests.factories import make_article

ROOT = Path(__file__).resolve().parent.parent
UI_FILES = sorted(
    [
        *ROOT.glob("templates/**/*.html"),
        *ROOT.glob("templates/**/*.txt"),
        *ROOT.glob("static/js/*.js"),
        *ROOT.glob("locale/*/LC_MESSAGES/django.po"),
    ]
)
DEMO_FILES = sorted(ROOT.glob("articles/demo/*.json"))


def offending_lines(lines) -> list[str]:
    return [line.strip() for line in lines if ASCII_NEAR_CJK.search(line)]


def template_text(text: str) -> str:
    """What a template shows: its translated strings in place, without tags and expressions —
    so ``{{ _("摘要") }}:<strong>`` reads ``摘要:``."""
    text = re.sub(r'\{\{\s*_\("([^"]*)"\)[^}]*\}\}', r"\1", text)
    text = re.sub(r'\{%\s*(?:translate|trans)\s+"([^"]*)"[^%]*%\}', r"\1", text)
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<[^>]*>", "", text, flags=re.DOTALL)


def page_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.DOTALL)
    return re.sub(r"<[^>]*>", "\n", html)


def po_strings(text: str) -> list[str]:
    """The msgid/msgstr lines of a catalog (its #: comments name files, not UI text)."""
    return [line for line in text.splitlines() if not line.startswith("#")]


def shown_text(value, key: str = "") -> list[str]:
    """Every string of a demo file readers see; keys starting with _ are notes for developers."""
    if key.startswith("_"):
        return []
    if isinstance(value, dict):
        return [text for k, v in value.items() for text in [k, *shown_text(v, k)]]
    if isinstance(value, list):
        return [text for v in value for text in shown_text(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_interface_strings_use_full_width_punctuation_next_to_chinese(path):
    text = path.read_text("utf-8")
    lines = po_strings(text) if path.suffix == ".po" else text.splitlines()
    if path.suffix == ".js":  # comments are English notes for developers, not interface text
        lines = [line for line in lines if not line.lstrip().startswith(("//", "*", "/*"))]
    if path.suffix == ".html":
        lines += template_text(text).splitlines()
    assert offending_lines(lines) == []


def test_a_label_joined_to_its_value_in_a_template_is_caught():
    written = '<span>{{ _("来源") }}:{{ article.source }}</span><strong>{{ _("摘要") }}:</strong>'
    assert offending_lines(template_text(written).splitlines()) == ["来源:摘要:"]


@pytest.mark.django_db
@pytest.mark.parametrize("variant", ["zh-hans", "zh-tw"])
def test_rendered_reader_pages_use_full_width_punctuation_next_to_chinese(client, variant):
    article = make_article(source="新华社", author="记者甲")
    pages = [
        f"/{variant}/",
        f"/{variant}/category/{article.category.slug}/",
        f"/{variant}/articles/{article.pk}/",
        f"/{variant}/search/?q=新闻",
        f"/{variant}/no-such-page/",
    ]
    for path in pages:
        lines = page_text(client.get(path).content.decode()).splitlines()
        assert offending_lines(lines) == [], path


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.name)
def test_demo_content_uses_full_width_punctuation_next_to_chinese(path):
    texts = shown_text(json.loads(path.read_text("utf-8")))
    assert texts, "the demo file has text"
    assert offending_lines(texts) == []


def test_the_files_checked_include_the_comment_notice_and_the_reference_article():
    names = {str(p.relative_to(ROOT)) for p in UI_FILES + DEMO_FILES}
    assert "templates/comments/section.html" in names
    assert "locale/zh_Hans/LC_MESSAGES/django.po" in names
    assert "articles/demo/reference.zh-Hans.json" in names


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("风从海上来,潮涌大湾区。", "风从海上来，潮涌大湾区。"),
        ("摘要:10月16日", "摘要：10月16日"),
        ("真的吗?是的!", "真的吗？是的！"),
        ("甲;乙", "甲；乙"),
        ("松山湖材料实验室(东莞)", "松山湖材料实验室（东莞）"),
        ("实验室(2023)年", "实验室（2023）年"),
    ],
)
def test_ascii_marks_touching_chinese_become_full_width(written, expected):
    assert full_width(written) == expected
    assert ASCII_NEAR_CJK.search(written)
    assert not ASCII_NEAR_CJK.search(expected)


@pytest.mark.parametrize(
    "text",
    [
        "共有1,000人参加",
        "时间 08:00",
        "https://example.com/?q=1,2&x=(y)",
        "Hello, world! (ok?)",
        '{{ _("头条") }}',
        'gettext("%(n)s楼")',
    ],
)
def test_numbers_urls_english_and_code_are_left_alone(text):
    assert full_width(text) == text
    assert not ASCII_NEAR_CJK.search(text)
