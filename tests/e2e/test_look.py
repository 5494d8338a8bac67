"""The look: phone-sized pages fit, the switcher works from the keyboard, targets are tappable,
landmarks and labels are there, text is readable against its background."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import DESKTOP, PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# WCAG contrast of every visible text node against the first opaque background behind it.
LOW_CONTRAST_JS = """(minimum) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] === 1) return c;
    }
    return [255, 255, 255];
  };
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode()); ) {
    const el = node.parentElement;
    if (!node.textContent.trim() || !el.checkVisibility()) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || box.right <= 0) continue;  // visually hidden
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const what = `${el.tagName}.${el.className} ${node.textContent.trim().slice(0, 20)}`;
    if (ratio < minimum) bad.push(`${ratio.toFixed(2)}:1 ${what}`);
  }
  return bad;
}"""


def test_home_and_article_fit_a_375px_phone_without_horizontal_scroll(open_page, demo):
    page = open_page(viewport=PHONE)
    for path in ["/zh-hans/", f"/zh-hans/articles/{demo.pk}/"]:
        page.goto(path)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} is {width[0]}px wide on a {width[1]}px screen"


def test_variant_switcher_links_are_reached_with_the_tab_key_and_show_focus(page, article):
    page.goto(f"/zh-hans/articles/{article.pk}/")
    reached = []
    for _ in range(8):  # skip link, site name, then the switcher
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
              const el = document.activeElement, style = getComputedStyle(el);
              return {inSwitcher: !!el.closest('.variants'), text: el.textContent.trim(),
                      outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
            }"""
        )
        if focused["inSwitcher"]:
            reached.append(focused["text"])
            assert focused["outline"] != "none" and focused["width"] >= 2, focused
        if len(reached) == 4:
            break
    assert reached == ["简", "繁", "臺", "港"]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # on 臺
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-TW")


def test_switcher_links_and_comment_button_are_big_enough_to_tap_on_a_phone(open_page, article):
    page = open_page(viewport=PHONE)
    page.goto(f"/zh-hans/articles/{article.pk}/")
    targets = [
        *page.locator(".variants a").all(),
        page.get_by_role("button", name="发表留言"),
        page.get_by_role("banner").get_by_role("button", name="搜索"),
    ]
    assert len(targets) == 6
    for target in targets:
        box = target.bounding_box()
        assert box["width"] >= 40 and box["height"] >= 40, (target.inner_text(), box)


def test_pages_have_landmarks_and_every_form_field_a_label(page, article):
    page.goto(f"/zh-hans/articles/{article.pk}/")
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)
    expect(page.get_by_role("navigation", name="栏目", exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name="字体版本")).to_be_visible()
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select')]
              .filter((f) => !f.labels.length && !f.getAttribute('aria-label'))
              .map((f) => f.name)"""
    )
    assert unlabelled == []
    expect(page.get_by_label("昵称")).to_be_visible()
    expect(page.get_by_label("留言内容")).to_be_visible()


def test_honeypot_field_is_in_the_form_but_off_screen(page, article):
    page.goto(f"/zh-hans/articles/{article.pk}/")
    trap = page.locator(".comment-form .trap input[name=website]")
    expect(trap).to_have_count(1)
    box = trap.bounding_box()
    assert box is None or box["x"] + box["width"] <= 0, box
    expect(trap).to_have_attribute("tabindex", "-1")


def test_text_contrast_is_at_least_4_5_to_1_at_both_widths(open_page, demo):
    for viewport in [DESKTOP, PHONE]:
        page = open_page(viewport=viewport)
        for path in ["/zh-hans/", f"/zh-hans/articles/{demo.pk}/", "/zh-tw/search/?q=蘇粵"]:
            page.goto(path)
            assert page.evaluate(LOW_CONTRAST_JS, 4.5) == [], (path, viewport)


# Whether each section link lies inside the strip's visible box, and whether the strip fades
# (its mask is a gradient only while it scrolls).
SECTIONS_SHOWN_JS = """() => {
  const strip = document.querySelector('.categories ul').getBoundingClientRect();
  const links = [...document.querySelectorAll('.categories a')].map((a) => {
    const box = a.getBoundingClientRect();
    return [a.textContent.trim(), box.left >= strip.left - 1 && box.right <= strip.right + 1];
  });
  const list = document.querySelector('.categories ul');
  const fades = getComputedStyle(list).maskImage.includes('calc(100% - 48px)');
  return {links, scrolls: list.scrollWidth > list.clientWidth, fades};
}"""


@pytest.mark.parametrize("width", [375, 360])
def test_every_section_is_in_sight_on_a_phone(open_page, demo, width):
    page = open_page(viewport={**PHONE, "width": width})
    page.goto("/zh-hans/")
    shown = page.evaluate(SECTIONS_SHOWN_JS)
    assert [name for name, inside in shown["links"] if not inside] == []
    assert "科技" in [name for name, _ in shown["links"]]
    assert not shown["scrolls"] and not shown["fades"]


def test_a_strip_too_wide_for_the_screen_fades_at_its_hidden_end(open_page, demo):
    page = open_page(viewport={**PHONE, "width": 320})
    page.goto("/zh-hans/")
    shown = page.evaluate(SECTIONS_SHOWN_JS)
    assert shown["scrolls"] and shown["fades"]
    assert page.evaluate("[document.documentElement.scrollWidth, innerWidth]") == [320, 320]


def test_the_article_column_reaches_the_sidebar_on_a_desktop(open_page, demo):
    page = open_page(viewport=DESKTOP)
    page.goto(f"/zh-hans/articles/{demo.pk}/")
    article = page.locator("article.article").bounding_box()
    related = page.locator("aside.related").bounding_box()
    gap = related["x"] - (article["x"] + article["width"])
    assert 0 < gap <= 56, f"{gap}px between the article and 相关新闻"
