"""An editor writes a photo story in the admin (lead photo, a 小标题, a captioned photo in the
body) and publishes it; readers see it on a phone and a desktop with the rendition their screen
needs. Screenshots (story-*.png) go to the test's temporary folder, or to screenshots/ with
``SCREENSHOTS=keep`` (the repository's copies are refreshed on purpose, never by a test run)."""

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from articles.photos import Photo
from tests.e2e.browser import DESKTOP, PHONE, log_in
from tests.factories import image_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

KEPT_SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
TITLE = "长江大桥夜景灯光改造完成"


def upload_photo(desk, path: Path, caption: str, credit: str) -> Photo:
    desk.goto("/admin/articles/photo/add/")
    desk.locator("#id_upload").set_input_files(str(path))
    desk.get_by_label("图片说明").fill(caption)
    desk.get_by_label("图片来源").fill(credit)
    desk.get_by_role("button", name="保存", exact=True).click()
    expect(desk.locator(".messagelist")).to_be_visible()
    return Photo.objects.get(caption=caption)


def test_editor_publishes_a_photo_story_and_readers_get_the_right_rendition(
    open_page, editor, category, tmp_path
):
    lead_file, body_file = tmp_path / "lead.jpg", tmp_path / "body.png"
    shots = KEPT_SCREENSHOTS if os.environ.get("SCREENSHOTS") == "keep" else tmp_path
    lead_file.write_bytes(image_bytes(2400, 1500, orientation=1, gps=True))
    body_file.write_bytes(image_bytes(1600, 1200, "PNG"))

    desk = open_page(locale="zh-CN")
    log_in(desk, editor.username, "pw")
    lead = upload_photo(desk, lead_file, "大桥主塔亮起新灯光", "本网记者 摄")
    body_photo = upload_photo(desk, body_file, "施工人员调试灯具", "本网记者 摄")

    desk.goto("/admin/articles/article/add/")
    desk.get_by_label("标题").fill(TITLE)
    desk.get_by_label("摘要").fill("南京长江大桥夜景灯光改造工程日前完成，新灯光更节能。")
    desk.locator(".field-lead_photo .select2-selection").click()
    desk.locator(".select2-search__field").fill("主塔")
    desk.locator(".select2-results__option", has_text="大桥主塔亮起新灯光").click()

    editor_area = desk.locator(".ProseMirror[contenteditable=true]")
    editor_area.click()
    desk.keyboard.type("记者从有关部门获悉，大桥夜景灯光改造工程日前完成。")
    desk.keyboard.press("Enter")
    desk.keyboard.type("## 软件优化后更节能")  # the editor's shortcut for a 小标题
    desk.keyboard.press("Enter")
    desk.keyboard.type("新灯光采用LED灯具，能耗下降六成。")
    desk.keyboard.press("Enter")
    desk.locator("button[data-name=figure]").click()
    dialog = desk.locator("dialog[open]")
    dialog.locator("input[name=imageUrl]").fill(body_photo.src)
    dialog.locator("input[name=caption]").fill("施工人员在夜间检查灯具。")
    dialog.get_by_role("button", name="Insert").click()
    expect(editor_area.locator("figure img")).to_be_visible()
    expect(editor_area.locator("h2")).to_have_text("软件优化后更节能")
    desk.get_by_label("栏目").select_option(label=category.name)
    desk.get_by_label("状态").select_option(label="已发布")
    desk.get_by_label("责任编辑").select_option(label=editor.username)
    a_minute_ago = timezone.localtime(timezone.now() - timezone.timedelta(minutes=1))
    desk.locator("#id_published_at_0").fill(a_minute_ago.strftime("%Y-%m-%d"))
    desk.locator("#id_published_at_1").fill(a_minute_ago.strftime("%H:%M:%S"))
    desk.screenshot(path=str(shots / "story-editor-1280.png"), full_page=True)
    desk.get_by_role("button", name="保存", exact=True).click()
    expect(desk.locator(".messagelist")).to_contain_text(TITLE)

    article = Article.objects.get(title=TITLE)
    assert article.lead_photo == lead
    assert "<h2>软件优化后更节能</h2>" in article.body
    assert f'<img src="{body_photo.src}"' in article.body

    for name, viewport, lead_width in (("375", PHONE, 480), ("1280", DESKTOP, 960)):
        reader = open_page(locale="zh-TW", viewport=viewport)
        reader.goto(f"/zh-tw/articles/{article.pk}/")
        expect(reader.get_by_role("heading", level=1)).to_have_text("長江大橋夜景燈光改造完成")
        expect(reader.locator(".body h2")).to_have_text("軟體優化後更節能")
        lead_img = reader.locator(".lead-photo img")
        expect(lead_img).to_be_visible()
        reader.wait_for_function("document.querySelector('.lead-photo img').complete")
        assert lead_img.evaluate("img => img.currentSrc").endswith(f"/{lead_width}.webp")
        body_img = reader.locator(".body figure img")
        body_img.scroll_into_view_if_needed()
        reader.wait_for_function("document.querySelector('.body figure img').complete")
        assert re.search(rf"/{lead_width}\.webp$", body_img.evaluate("img => img.currentSrc"))
        assert body_img.evaluate("img => img.width") <= lead_width
        expect(reader.locator(".body figcaption")).to_contain_text("施工人員在夜間檢查燈具。")
        expect(reader.locator(".responsible-editor")).to_contain_text(editor.username)
        reader.evaluate("window.scrollTo(0, 0)")
        reader.screenshot(path=str(shots / f"story-{name}.png"), full_page=True)

    # 字号: larger at once, and still larger on the next visit (no reload needed to apply).
    reader = open_page(locale="zh-CN")
    reader.goto(f"/zh-hans/articles/{article.pk}/")
    before = reader.locator(".body p").first.evaluate("p => getComputedStyle(p).fontSize")
    reader.get_by_role("button", name="特大").click()
    after = reader.locator(".body p").first.evaluate("p => getComputedStyle(p).fontSize")
    assert float(after.rstrip("px")) > float(before.rstrip("px"))
    reader.goto("/zh-hans/")
    reader.goto(f"/zh-hans/articles/{article.pk}/")
    expect(reader.get_by_role("button", name="特大")).to_have_attribute("aria-pressed", "true")
    # 分享: the link is copied.
    reader.context.grant_permissions(["clipboard-read", "clipboard-write"])
    reader.get_by_role("button", name="复制链接").click()
    expect(reader.locator("[data-share-status]")).to_have_text("链接已复制")
    copied = reader.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"/zh-hans/articles/{article.pk}/")
