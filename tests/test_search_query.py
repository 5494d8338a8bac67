"""Turning a reader's text into a PostgreSQL tsquery, and article text into a tsvector."""

import pytest
from django.db import connection

from articles.search import (
    MAX_QUERY_LENGTH,
    MAX_TERMS,
    Highlighter,
    document_literal,
    parse_query,
    tsvector_literal,
)


def test_chinese_term_becomes_a_chain_of_adjacent_bigrams():
    tsquery, terms, truncated = parse_query("苏粤合作")
    assert tsquery == "(('苏粤' <-> '粤合' <-> '合作'))"
    assert (terms, truncated) == (["苏粤合作"], False)


def test_traditional_simplified_and_mixed_queries_are_the_same_query():
    assert parse_query("蘇粵合作")[0] == parse_query("苏粤合作")[0] == parse_query("苏粵合作")[0]


def test_taiwan_and_hong_kong_wording_also_searches_the_mainland_wording():
    tsquery = parse_query("資料庫")[0]
    assert "'数据' <-> '据库'" in tsquery  # tw2sp: 資料庫 → 数据库
    assert "'资料' <-> '料库'" in tsquery  # t2s: as written
    assert " | " in tsquery
    assert "'软件'" in parse_query("軟體")[0]


def test_space_separated_terms_are_all_required():
    assert parse_query("苏粤 芯片")[0] == "(('苏粤')) & (('芯片'))"


def test_quoted_phrase_keeps_its_words_in_order_at_their_distance():
    assert parse_query('"苏粤 合作"')[0] == "(('苏粤' <2> '合作'))"
    assert parse_query('"华为Mate 60"')[0] == "(('华为' <2> 'mate' <-> '60'))"


def test_single_characters_latin_words_and_numbers_are_terms():
    assert parse_query("粤")[0] == "(('粤'))"
    assert parse_query("ＧＤＰ 1310")[0] == "(('gdp')) & (('1310'))"
    assert parse_query("华为P60")[0] == "(('华为' <2> 'p60'))"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "。，！？",
        "& | ! : * ( )",
        "苏粤 & | !合作:* (",
        "' OR 1=1; DROP TABLE articles_article; --",
        "\\'\\\\",
        "a\x00b",
        "\x00",
        "<script>alert(1)</script>",
        '"unclosed phrase',
        '""',
        "\u200b\u200d",
        "𠀀𠀁",  # Han outside the BMP
    ],
)
def test_hostile_input_never_makes_an_invalid_tsquery(db, text):
    tsquery, _terms, _truncated = parse_query(text)
    assert "\x00" not in tsquery
    if tsquery:
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::tsquery", [tsquery])
            assert cursor.fetchone()[0]


def test_punctuation_only_gives_no_query():
    assert parse_query("&|!:*()。！")[:2] == ("", [])


def test_long_query_is_cut_and_says_so():
    tsquery, _terms, truncated = parse_query("苏" * 500)
    assert truncated
    assert tsquery.count("'苏苏'") == MAX_QUERY_LENGTH - 1


def test_at_most_max_terms_are_used():
    _tsquery, terms, _ = parse_query(" ".join(f"词{n}" for n in range(20)))
    assert len(terms) == MAX_TERMS


def test_tsvector_positions_line_up_across_scripts_and_latin():
    literal = tsvector_literal("GDP增长5%，華為Mate60", "A")
    assert literal == (
        "'gdp':1A '增':2A '增长':2A '长':3A '5':4A '华':5A '华为':5A '为':6A 'mate60':7A"
    )


def test_document_keeps_fields_apart_with_their_weights(db):
    literal = document_literal("苏粤", "合作", "苏粤合作")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::tsvector @@ %s::tsquery, %s::tsvector @@ %s::tsquery, "
            "%s::tsvector @@ %s::tsquery",
            [
                literal,
                "'苏粤' <2> '合作'",  # only in the body, not across title → summary
                literal,
                "'苏粤':A",
                literal,
                "'合作':B",
            ],
        )
        assert cursor.fetchone() == (True, True, True)
        cursor.execute(
            "SELECT %s::tsvector @@ %s::tsquery",
            [document_literal("苏粤", "合作", ""), "'苏粤' <2> '合作'"],
        )
        assert cursor.fetchone() == (False,)


def test_highlighter_marks_terms_in_any_script_and_escapes_the_rest():
    mark = Highlighter(["苏粤", "GDP"])
    assert (
        mark("<b>蘇粵</b>合作 gdp") == "&lt;b&gt;<mark>蘇粵</mark>&lt;/b&gt;合作 <mark>gdp</mark>"
    )
    assert Highlighter(["数据库"])("資料庫與數據庫") == "<mark>資料庫</mark>與<mark>數據庫</mark>"
    assert Highlighter([])("<i>") == "&lt;i&gt;"
