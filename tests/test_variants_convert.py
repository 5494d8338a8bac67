"""The conversion machinery on its own: OpenCC configurations per variant, markup, glossary,
script detection. No database."""

import pytest

from portal.variants import CODES, path_in_variant
from portal.variants.convert import (
    Glossary,
    Term,
    any_script_pattern,
    convert,
    detect_script,
    render,
    to_simplified,
)


def test_zh_hant_uses_the_forms_readers_use_not_opencc_standard():
    rendered = render("为了群众着想")
    assert convert("为了群众着想", "s2t") == "爲了羣衆着想"  # what s2t would print
    assert rendered["zh-hant"] == "為了群眾著想"
    assert rendered["zh-tw"] == "為了群眾著想"


def test_zh_hant_changes_characters_only_zh_tw_also_vocabulary():
    rendered = render("软件和数据库")
    assert rendered["zh-hant"] == "軟件和數據庫"
    assert rendered["zh-tw"] == "軟體和資料庫"
    assert rendered["zh-hk"] == "軟件和數據庫"


def test_simplified_original_is_unchanged_in_zh_hans():
    assert render("江苏省党政代表团")["zh-hans"] == "江苏省党政代表团"


def test_inline_markup_keeps_a_span_as_written_in_every_variant():
    rendered = render("大力-{支持}-发展")
    assert render("大力支持发展")["zh-tw"] == "大力支援發展"
    assert rendered == {
        "zh-hans": "大力支持发展",
        "zh-hant": "大力支持發展",
        "zh-tw": "大力支持發展",
        "zh-hk": "大力支持發展",
    }


def test_per_variant_markup_gives_each_variant_its_own_text():
    text = "用-{zh-hans:鼠标;zh-hant:鼠標;zh-tw:滑鼠;zh-hk:鼠標}-点击"
    rendered = render(text)
    assert rendered == {
        "zh-hans": "用鼠标点击",
        "zh-hant": "用鼠標點擊",
        "zh-tw": "用滑鼠點選",
        "zh-hk": "用鼠標點擊",
    }


def test_per_variant_markup_falls_back_to_the_nearest_given_variant():
    rendered = render("-{zh-hans:出租车;zh-tw:計程車}-")
    assert rendered["zh-hant"] == "計程車"  # zh-hant → zh-tw before zh-hans
    assert rendered["zh-hk"] == "計程車"
    assert rendered["zh-hans"] == "出租车"


@pytest.mark.parametrize(
    "text",
    ["-{支持}-", "-{zh-hans:一;zh-tw:二}-", "前-{}-后", "a-{b}-c-{d}-e", "-{未闭合", "孤立}-的"],
)
def test_markup_delimiters_never_reach_any_variant(text):
    for variant, output in render(text).items():
        assert "-{" not in output and "}-" not in output, variant
        assert output, variant


def test_placeholder_characters_typed_into_text_are_dropped_not_interpreted():
    glossary = Glossary((Term("支持"),))
    forged = "A\ue000\ue100\ue001B"  # what a placeholder for span 0 looks like
    assert render(forged + "支持", glossary=glossary)["zh-tw"] == "AB支持"


def test_glossary_term_kept_as_written_in_every_variant():
    glossary = Glossary((Term("优化"),))
    assert set(render("优化营商环境", glossary=glossary).values()) >= {"优化营商环境"}
    assert render("优化营商环境", glossary=glossary)["zh-tw"] == "优化營商環境"


def test_glossary_term_with_explicit_renderings_per_variant():
    term = Term("优化", {"zh-hans": "优化", "zh-hant": "優化", "zh-tw": "優化", "zh-hk": "優化"})
    rendered = render("优化营商环境", glossary=Glossary((term,)))
    assert render("优化营商环境")["zh-tw"] == "最佳化營商環境"  # OpenCC alone
    assert rendered["zh-tw"] == "優化營商環境"
    assert rendered["zh-hans"] == "优化营商环境"


def test_longest_glossary_term_wins_where_terms_overlap():
    glossary = Glossary(
        (
            Term("支持"),
            Term("技术支持", {"zh-hans": "技术支持", "zh-hant": "技術支持", "zh-tw": "技術支援"}),
        )
    )
    rendered = render("提供技术支持，大力支持", glossary=glossary)
    assert rendered["zh-tw"] == "提供技術支援，大力支持"


def test_glossary_matches_terms_as_written_in_either_script():
    glossary = Glossary((Term("高品質發展", {"zh-hans": "高质量发展", "zh-hant": "高質量發展"}),))
    rendered = render("推動高品質發展", "zh-tw", glossary)
    assert rendered["zh-hans"] == "推动高质量发展"
    assert rendered["zh-tw"] == "推動高質量發展"


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("江苏省党政代表团到广东考察交流，推动苏粤合作", "zh-hans"),
        ("他說，我們都肩負著光榮使命，著眼未來，在這裡", "zh-tw"),
        ("他説，我們都肩負着光榮使命，着眼未來，在這裏", "zh-hk"),
        ("他說，我們都肩負着光榮使命，爲羣衆着想，在這裏", "zh-hant"),
        ("江蘇", "zh-hant"),
        ("", "zh-hans"),
    ],
)
def test_detect_script_tells_simplified_taiwan_hong_kong_and_other_traditional(text, script):
    assert detect_script([text]) == script


def test_taiwan_original_reads_as_correct_simplified():
    # t2s would leave the Taiwan 著 (肩负著); tw2s knows it is the particle 着.
    assert convert("肩負著使命", "t2s") == "肩负著使命"
    assert render("肩負著使命，著眼未來", "zh-tw")["zh-hans"] == "肩负着使命，着眼未来"


def test_traditional_original_is_normalised_to_each_variants_character_standard():
    rendered = render("他說爲羣衆着想，加强合作", "zh-hant")
    assert rendered["zh-hant"] == rendered["zh-tw"] == "他說為群眾著想，加強合作"
    assert rendered["zh-hk"] == "他説為羣眾着想，加強合作"
    assert rendered["zh-hans"] == "他说为群众着想，加强合作"


def test_hong_kong_original_in_taiwan_forms_and_back():
    rendered = render("他説着，温度裏參加", "zh-hk")
    assert rendered["zh-tw"] == "他說著，溫度裡參加"
    assert rendered["zh-hk"] == "他説着，温度裏參加"


def test_taiwan_original_in_hong_kong_forms_keeps_words_whole():
    # OpenCC's reverse table would turn 參加 into 蔘加 on the way.
    assert render("參加著作顯著", "zh-tw")["zh-hk"] == "參加著作顯著"


def test_every_variant_is_rendered_from_every_source():
    for source in CODES:
        assert set(render("测试", source)) == set(CODES)


def test_to_simplified_folds_scripts_and_width():
    assert to_simplified("蘇粵合作ＧＤＰ１３１０") == "苏粤合作GDP1310"
    assert to_simplified("不瞭解") == "不了解"  # a phrase with no Traditional-only character
    assert to_simplified("苏粤合作") == "苏粤合作"


def test_any_script_pattern_matches_the_same_word_in_every_script():
    import re

    pattern = re.compile(any_script_pattern("优化群众"))
    for text in ("优化群众", "優化群眾", "優化羣衆", "优化群眾"):
        assert pattern.fullmatch(text), text


@pytest.mark.parametrize(
    ("path", "code", "expected"),
    [
        ("/zh-hans/articles/5/", "zh-tw", "/zh-tw/articles/5/"),
        ("/zh-hans/articles/5/some-slug/", "zh-hk", "/zh-hk/articles/5/some-slug/"),
        ("/zh-tw/search/?q=%E8%8B%8F", "zh-hans", "/zh-hans/search/?q=%E8%8B%8F"),
        ("/zh-hant", "zh-tw", "/zh-tw/"),
        ("/", "zh-hk", "/zh-hk/"),
        ("/search/?q=x", "zh-tw", "/zh-tw/search/?q=x"),
    ],
)
def test_path_in_variant_swaps_only_the_first_segment(path, code, expected):
    assert path_in_variant(path, code) == expected
