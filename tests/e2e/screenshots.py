"""Screenshots of the reader's pages (home, a category, article and its comments, search, the demo
discussion with its replies, 热门评论 and an author's 我的留言) and the moderators' desk, at
desktop (1280 px) and phone (375 px) widths, written as PNGs to screenshots/.

Run against a site that is already serving the demo content (``make run`` in another shell)::

    .venv/bin/python -m tests.e2e.screenshots [URL] [--out screenshots]

URL defaults to http://127.0.0.1:8000. The moderator's password is read from
var/demo-accounts.txt (written by ``make run``) unless --user/--password are given. When the
moderation queue is empty, one sample comment is posted through the public form first, so the
queue has something to show (--no-sample-comment leaves the site untouched). Each run also
adds a few reads to the reference article's heat, as any reader would.
"""

import argparse
import sys
import time
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page, sync_playwright

from tests.e2e.browser import launch, log_in

# (file suffix, viewport width, height of the captured top of the page)
WIDTHS = [("1280", 1280, 1000), ("375", 375, 1200)]
SAMPLE_COMMENT = "（截图示例留言）苏粤合作的报道很详细，期待更多后续。"


def demo_account(name: str) -> tuple[str, str]:
    accounts = Path(__file__).resolve().parents[2] / "var" / "demo-accounts.txt"
    for line in accounts.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == name:
            return fields[0], fields[1]
    raise SystemExit(f"no {name!r} line in {accounts}; pass --user and --password")


def shoot(page: Page, path: Path, height: int) -> Path:
    """The top of the page, at most ``height`` pixels of it (whole pages run to megabytes)."""
    full = page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"]
    clip = {"x": 0, "y": 0, "width": width, "height": min(full, height)}
    page.screenshot(path=path, full_page=True, clip=clip)
    return path


def post_sample_comment(page: Page, article: str) -> None:
    page.goto(article)
    page.locator("form.comment-form").scroll_into_view_if_needed()  # its tokens are fetched now
    page.wait_for_timeout(3500)  # the form refuses what comes back faster than a person types
    page.get_by_label("留言内容").fill(SAMPLE_COMMENT)
    page.get_by_role("button", name="发表留言").click()
    page.get_by_role("status").wait_for()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="screenshots", type=Path)
    parser.add_argument("--user", help="a moderator (default: from var/demo-accounts.txt)")
    parser.add_argument("--password")
    parser.add_argument("--no-sample-comment", action="store_true")
    args = parser.parse_args(argv)
    base = args.url.rstrip("/")
    user, password = (args.user, args.password) if args.user else demo_account("moderator")
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    written = []

    with sync_playwright() as playwright:
        browser = launch(playwright)

        def new_page():
            viewport = {"width": 1280, "height": 900}
            return browser.new_page(base_url=base, locale="zh-CN", viewport=viewport)

        reader, moderator = new_page(), new_page()
        reader.goto(f"/zh-hans/search/?q={quote('苏粤')}")
        found = reader.locator(".results .item-title")
        if not found.count():
            raise SystemExit(f"{base} has no reference article: is it serving the demo content?")
        article = found.first.get_attribute("href")
        reader.goto(f"/zh-hans/search/?q={quote('南京地铁11号线')}")
        thread = reader.locator(".results .item-title").first.get_attribute("href")
        # An author with a comment of their own waiting: their 我的留言 panel shows it.
        author = new_page()
        if not args.no_sample_comment:
            post_sample_comment(author, thread)
        log_in(moderator, user, password, then="/admin/comments/comment/")
        if moderator.locator("#pending-count").inner_text() == "0" and not args.no_sample_comment:
            post_sample_comment(new_page(), article)

        for suffix, width, height in WIDTHS:
            for page in (reader, moderator):
                page.set_viewport_size({"width": width, "height": 900})
            reader.goto("/zh-hans/")
            written.append(shoot(reader, args.out / f"home-{suffix}.png", height))
            reader.goto("/zh-hans/category/jiangsu/")
            written.append(shoot(reader, args.out / f"category-{suffix}.png", height))
            reader.goto(article)
            written.append(shoot(reader, args.out / f"article-{suffix}.png", height))
            comments = args.out / f"comments-{suffix}.png"
            reader.locator("#comments").screenshot(path=comments)
            written.append(comments)
            author.set_viewport_size({"width": width, "height": 900})
            author.goto(thread)
            if not args.no_sample_comment:
                author.locator("#my-comments .receipt").first.wait_for()
            discussion = args.out / f"thread-{suffix}.png"
            author.locator("#comments").screenshot(path=discussion)
            written.append(discussion)
            author.goto("/zh-hans/my-comments/")
            written.append(shoot(author, args.out / f"my-comments-{suffix}.png", height))
            reader.goto(f"/zh-tw/search/?q={quote('蘇粵')}")
            written.append(shoot(reader, args.out / f"search-{suffix}.png", height))
            moderator.goto("/admin/comments/comment/")
            written.append(
                shoot(moderator, args.out / f"desk-{suffix}.png", 900 if width > 400 else 1400)
            )
        browser.close()

    for path in written:
        print(f"{path}  {path.stat().st_size // 1024} KB")
    print(f"{len(written)} screenshots in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
