"""The checks a comment passes before it is stored, and the ones that flag it for moderators.

Refusals (the reader is told why): honeypot, a form rendered too fast or too long ago, the
rate limit per client address, a duplicate, length, NUL. Suspicions (links, banned words)
never refuse and never publish: the comment waits in the queue with its reasons shown.
"""

import re
import time
import unicodedata

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from portal.variants.convert import to_simplified

TOKEN_SALT = "comments.form"
# Format controls (zero-width spaces and joiners, bidi marks, BOM) and other control
# characters are invisible tricks, not text; newlines and tabs are kept.
INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u2064\ufeff]"
)
LINK = re.compile(
    r"https?://|www\.|\b[a-z0-9-]+\.(?:com|cn|net|org|top|xyz|info|cc|io|me|vip)\b", re.I
)


def clean_text(text: str) -> str:
    return INVISIBLE.sub("", text.replace("\r\n", "\n")).strip()


def client_address(request) -> str:
    """REMOTE_ADDR, or the address our own proxies saw when TRUSTED_PROXY_COUNT says so."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


# --- the signed render timestamp ----------------------------------------------------------


def make_token(article_id: int) -> str:
    return signing.TimestampSigner(salt=TOKEN_SALT).sign(f"{article_id}:{get_random_string(12)}")


def check_token(token: str, article_id: int) -> str | None:
    """None if the token is good, else the reason the reader is given."""
    signer = signing.TimestampSigner(salt=TOKEN_SALT)
    try:
        value = signer.unsign(token, max_age=settings.COMMENT_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        return _("页面停留时间过长，请刷新页面后重新提交。")
    except signing.BadSignature:
        return _("表单已失效，请刷新页面后重新提交。")
    if value.split(":")[0] != str(article_id):
        return _("表单已失效，请刷新页面后重新提交。")
    issued = signing.b62_decode(token.rsplit(":", 2)[1])
    if time.time() - issued < settings.COMMENT_MIN_SECONDS:
        return _("提交太快了，请稍等几秒再提交。")
    return None


# --- rate limit in the shared cache -------------------------------------------------------


def _rate() -> tuple[int, int]:
    count, _, seconds = settings.COMMENT_RATE.partition("/")
    return int(count), int(seconds or 600)


def over_rate_limit(address: str) -> bool:
    """Count one comment from this address; True when it is past the allowance."""
    limit, window = _rate()
    key = f"comment-rate:{address or 'unknown'}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count > limit


# --- suspicion ----------------------------------------------------------------------------


def squeeze(text: str) -> str:
    """One comparable form: NFKC, Simplified, lower case, letters and digits only.

    Chinese has no spaces, so matching is on characters, not words; squeezing out spaces,
    punctuation and zero-width characters undoes 加 微 信 / 加_微_信 / 加\u200b微信.
    """
    folded = to_simplified(INVISIBLE.sub("", text)).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def suspicion_reasons(nickname: str, body: str, banned_words) -> list[str]:
    reasons = []
    links = len(LINK.findall(body)) + len(LINK.findall(nickname))
    if links > settings.COMMENT_MAX_LINKS:
        reasons.append(f"链接过多（{links} 个）")
    squeezed = squeeze(nickname + " " + body)
    for word in banned_words:
        target = squeeze(word)
        if target and target in squeezed:
            reasons.append(f"屏蔽词：{word}")
    return reasons
