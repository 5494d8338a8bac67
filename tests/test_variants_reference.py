"""Fidelity on the reference article: what each variant's readers get, as stored at save.

The reference article was converted to each variant and read; the renderings below were
reviewed (tests/data/reference.<variant>.txt) and every wrong one fixed in the glossary. A change
of OpenCC, glossary or tables that alters a rendering fails here, to be read again.
"""

import json
import re
from html import unescape
from pathlib import Path

import pytest

from articles.models import Article, GlossaryTerm
from articles.punctuation import full_width
from portal.variants import CODES

DATA = Path(__file__).resolve().parent / "data"
SOURCE = Path(__file__).resolve().parent.parent / "articles" / "demo" / "reference.zh-Hans.json"
TRADITIONAL_VARIANTS = ("zh-hant", "zh-tw", "zh-hk")


def body_text(body_html: str) -> list[str]:
    return [unescape(p) for p in re.findall(r"<p>(.*?)</p>", body_html, re.DOTALL)]


def full_text(article: Article, variant: str) -> str:
    return "\n\n".join(
        [
            article.title_variants[variant],
            article.summary_variants[variant],
            *body_text(article.body_variants[variant]),
        ]
    )


@pytest.fixture(scope="module")
def reference(committed_demo):
    """The demo newsroom loaded once for this module (committed; removed afterwards)."""
    return committed_demo


@pytest.fixture
def texts(reference, db):
    return {variant: full_text(reference, variant) for variant in CODES}


def test_reference_article_is_stored_as_written_in_zh_hans(reference, texts):
    source = json.loads(SOURCE.read_text("utf-8"))
    assert reference.source_script == "zh-hans"
    assert texts["zh-hans"] == "\n\n".join([source["title"], source["summary"], *source["body"]])


@pytest.mark.parametrize("variant", TRADITIONAL_VARIANTS)
def test_reference_article_renders_as_reviewed(texts, variant):
    reviewed = (DATA / f"reference.{variant}.txt").read_text("utf-8").rstrip("\n")
    assert texts[variant] == reviewed


@pytest.mark.parametrize("variant", TRADITIONAL_VARIANTS)
def test_person_name_and_fixed_terms_survive_conversion(texts, variant):
    text = texts[variant]
    assert "趙岩" in text and "趙巖" not in text
    assert "新征程" in text and "新徵程" not in text
    assert "松山湖材料實驗室" in text and "資料" not in text


def test_zh_tw_keeps_support_and_optimise_as_taiwan_news_writes_them(texts):
    tw = texts["zh-tw"]
    assert tw.count("支持") == 3 and "支援" not in tw
    assert "優化營商環境" in tw and "最佳化" not in tw


@pytest.mark.parametrize("variant", ["zh-hant", "zh-tw"])
def test_zh_hant_and_zh_tw_use_taiwan_character_forms(texts, variant):
    text = texts[variant]
    assert "為" in text and "著" in text and "群眾" in text
    for opencc_standard in "爲着羣衆":
        assert opencc_standard not in text


KNOWN_OVER_CONVERSIONS = [
    "支援",  # 支持
    "最佳化",  # 优化
    "釋出",  # 发布
    "資料實驗室",  # 材料实验室
    "資訊科技",  # 思谋信息科技 (a name)
    "高品質",  # 高质量发展
    "徵程",  # 征程
    "趙巖",  # 赵岩
    "稽核",  # 审核
    "透過",  # 通过
    "戰畧",
    "高水准",
]


def test_known_over_conversions_do_not_appear_in_zh_tw(texts):
    found = [bad for bad in KNOWN_OVER_CONVERSIONS if bad in texts["zh-tw"]]
    assert found == []


def test_every_glossary_term_in_the_article_survives_in_all_four_variants(reference, texts):
    source = texts["zh-hans"]
    terms = [t for t in GlossaryTerm.objects.all() if t.term in source]
    assert {"赵岩", "征程", "支持", "优化", "高质量发展", "松山湖材料实验室"} <= {
        t.term for t in terms
    }
    for term in terms:
        for variant in CODES:
            expected = term.as_term().text_for(variant)
            assert expected in texts[variant], (term.term, variant, expected)


def test_default_glossary_is_loaded_by_migrations_with_reasons(db):
    shipped = json.loads(
        (SOURCE.parent.parent / "data" / "default_glossary.json").read_text("utf-8")
    )
    stored = {t.term: t for t in GlossaryTerm.objects.all()}
    for entry in shipped:
        term = stored[entry["term"]]
        assert term.keep == entry.get("keep", False)
        assert term.note, entry["term"]
        for variant, text in entry.get("renderings", {}).items():
            assert getattr(term, variant.replace("-", "_")) == text


# --- a Traditional original -----------------------------------------------------------------

# The Traditional page, converted back, differs from the Simplified source only where the page
# itself worded differently (高水準 is how Taiwan writes 'high level'; 高水准 is that word in
# Simplified). Its converter artefacts (高品質, 資料實驗室, 資訊科技, 戰畧, 著 for 着, 加强, 情况)
# are repaired by the glossary, tw2s and the Traditional character fixes.
EXPECTED_BACK_CONVERSION_DIFFERENCES = [("高水平", "高水准"), ("高水平", "高水准")]


def reference_page() -> dict:
    """The page as published, with its ASCII commas made full-width as the demo's source is."""
    text = (DATA / "reference-page.zh-Hant.txt").read_text("utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[2].startswith("摘要:")
    page = {"title": lines[0], "summary": lines[2].split(":", 1)[1], "body": lines[3:9]}
    return {
        "title": full_width(page["title"]),
        "summary": full_width(page["summary"]),
        "body": [full_width(paragraph) for paragraph in page["body"]],
    }


def differences(expected: str, actual: str) -> list[tuple[str, str]]:
    import difflib

    matcher = difflib.SequenceMatcher(None, expected, actual, autojunk=False)
    found = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            # widen to whole words for a readable list
            found.append((expected[i1 - 2 : i2], actual[j1 - 2 : j2]))
    return found


def test_traditional_reference_page_reads_back_as_the_simplified_source(db, category):
    page = reference_page()
    article = Article(
        title=page["title"],
        summary=page["summary"],
        body="\n\n".join(page["body"]),
        category=category,
    )
    article.save()
    article.refresh_from_db()
    assert article.source_script == "zh-tw"  # Taiwan forms: 著, 裡, 群眾

    source = json.loads(SOURCE.read_text("utf-8"))
    expected = "\n\n".join([source["title"], source["summary"], *source["body"]])
    assert differences(expected, full_text(article, "zh-hans")) == (
        EXPECTED_BACK_CONVERSION_DIFFERENCES
    )


def test_traditional_original_keeps_its_own_wording_in_traditional_variants(db, category):
    page = reference_page()
    article = Article(title=page["title"], summary=page["summary"], body=page["body"][2])
    article.category = category
    article.save()
    tw = full_text(article, "zh-tw")
    assert "高水準" in tw and "高水准" not in tw  # 准 is 'permit' in Traditional
    assert "加強" in tw and "加强" not in tw
    assert "戰略" in tw and "戰畧" not in tw
    hk = full_text(article, "zh-hk")
    assert "接着" in hk and "接著" not in hk  # Hong Kong writes the particle 着
