"""The site's icon: pages link static/favicon.svg, and /favicon.ico — which browsers, feed
readers and bookmarks ask for without reading the page — answers with a cacheable icon."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from pytest_django.asserts import assertContains

STATIC = Path(__file__).resolve().parent.parent / "static"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "head"])
def test_favicon_ico_is_an_icon_browsers_may_keep_for_a_day(client, method):
    response = getattr(client, method)("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "public" in response["Cache-Control"]
    assert "max-age=86400" in response["Cache-Control"]
    if method == "get":
        body = b"".join(response.streaming_content)
        assert body == (STATIC / "favicon.ico").read_bytes()
        assert body[:4] == b"\x00\x00\x01\x00"  # the ICO header


def test_favicon_ico_holds_the_sizes_tabs_and_bookmarks_use():
    from PIL import Image

    with Image.open(STATIC / "favicon.ico") as icon:
        assert {(16, 16), (32, 32)} <= icon.info["sizes"]


@pytest.mark.django_db
def test_pages_link_the_svg_icon_which_static_files_serve(client, article):
    response = client.get(f"/zh-hans/articles/{article.pk}/")
    assertContains(response, '<link rel="icon" href="/favicon.ico"')
    assertContains(response, 'type="image/svg+xml">')
    assert finders.find("favicon.svg")
    svg = (STATIC / "favicon.svg").read_text("utf-8")
    assert svg.startswith("<svg") and 'viewBox="0 0 64 64"' in svg
