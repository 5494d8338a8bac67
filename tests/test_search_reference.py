"""Search on the demo newsroom: the reference article found from any script or wording."""

import re
from html import unescape

import pytest
from pytest_django.asserts import assertContains

REFERENCE = "江苏省党政代表团到广东考察交流"


def found(client, q, variant="zh-hans") -> list[str]:
    """Titles on the results page, as plain text."""
    response = client.get(f"/{variant}/search/", {"q": q})
    assert response.status_code == 200
    titles = re.findall(r'<a class="item-title" href="[^"]+">(.*?)</a>', response.content.decode())
    return [unescape(re.sub(r"</?mark>", "", t)) for t in titles]


@pytest.fixture(scope="module")
def demo(committed_demo):
    """The demo newsroom loaded once for this module (committed; removed afterwards)."""
    return committed_demo


# --- script-insensitive, on the reference article --------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "松山湖",
        "粤港澳大湾区",
        "粵港澳大灣區",  # Traditional
        "粤港澳大灣区",  # mixed
        "高质量发展",
        "高質量發展",
        "苏粤合作",
        "蘇粵合作",
        "苏粵合作",
        "赵岩",
        "1310",
        "华为",
    ],
)
@pytest.mark.django_db
def test_reference_article_is_found_in_any_script(client, demo, q):
    assert any(title.startswith(REFERENCE) for title in found(client, q))


@pytest.mark.django_db
def test_a_term_not_in_the_reference_article_does_not_find_it(client, demo):
    titles = found(client, "地铁")
    assert titles  # other demo articles have it
    assert not any(title.startswith(REFERENCE) for title in titles)


@pytest.mark.django_db
def test_taiwan_wording_finds_the_mainland_wording(client, demo):
    mainland = found(client, "数据库")
    assert mainland
    assert found(client, "資料庫") == mainland
    assert found(client, "軟體")  # 软件


@pytest.mark.django_db
def test_results_are_shown_in_the_readers_variant(client, demo):
    response = client.get("/zh-tw/search/", {"q": "苏粤合作"})
    html = response.content.decode()
    assert "江蘇省黨政代表團到廣東考察交流" in unescape(re.sub(r"</?mark>", "", html))
    assert "<mark>蘇粵合作</mark>" in html
    assertContains(response, '<span class="tag">江蘇</span>')
    assertContains(response, "找到 1 篇相關文章")
