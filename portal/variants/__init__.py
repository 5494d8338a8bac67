"""Script variants: the four ways a reader can read the portal (简体, 繁體, 臺灣, 香港).

A variant is both a URL prefix (``/zh-tw/…``) and a Django language code, so UI strings come
from i18n catalogs while article text comes from renderings stored at save time.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    code: str  # URL prefix and Django language code
    html_lang: str  # BCP 47 tag for <html lang> and hreflang
    label: str  # one character for the switcher
    name: str  # the variant's own name, in its own script


VARIANTS = {
    v.code: v
    for v in (
        Variant("zh-hans", "zh-Hans", "简", "简体"),
        Variant("zh-hant", "zh-Hant", "繁", "繁體"),
        Variant("zh-tw", "zh-Hant-TW", "臺", "臺灣"),
        Variant("zh-hk", "zh-Hant-HK", "港", "香港"),
    )
}
DEFAULT_VARIANT = "zh-hans"
CODES = tuple(VARIANTS)


def path_in_variant(path: str, code: str) -> str:
    """The same page in another variant: swap the first path segment (or add it).

    Every public URL has the same shape in all four variants, so this needs no URL resolving
    (which would fail on unnamed routes such as an article's optional slug) and keeps the query.
    """
    head, _sep, rest = path.lstrip("/").partition("/")
    if head in VARIANTS:
        return f"/{code}/{rest}"
    return f"/{code}/{path.lstrip('/')}"
