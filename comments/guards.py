"""The checks a comment passes before it is stored, and the ones that flag it for moderators.

Refusals (the reader is told why): honeypot, a form rendered too fast or too long ago, the
rate limits per client network (every POST, and accepted comments), a duplicate, length, NUL.
Suspicions (links, banned words) never refuse and never publish: the comment waits in the
queue with its reasons shown.
"""

import ipaddress
import logging
import re
import secrets
import time
import unicodedata

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.utils.translation import gettext_lazy

from portal.cache import UNAVAILABLE
from portal.variants.convert import to_simplified

from .commenter import address_block

log = logging.getLogger(__name__)
TOKEN_SALT = "comments.form"
# Format controls (zero-width spaces and joiners, bidi marks, BOM) and other control
# characters are invisible tricks, not text; newlines and tabs are kept.
INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u2064\ufeff]"
)
# A link is counted once however it is written: a scheme or www. takes the whole URL with it;
# a bare domain counts on its own. Chinese text needs no space around a link, so bare domains
# are delimited by ASCII letters and digits, not by \b (which treats 汉字 as word characters).
# (No comma: after NFKC a Chinese full-width comma is one, and often ends a link.)
URL_CHARS = r"[A-Za-z0-9._~:/?#\[\]@!$&'()*+;=%-]"
LINK = re.compile(
    rf"(?:https?://|www\.)(?:(?!https?://){URL_CHARS})+"
    r"|(?<![A-Za-z0-9.-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
    r"\.(?:com|cn|net|org|top|xyz|info|cc|io|me|vip)(?![A-Za-z0-9])",
    re.I,
)


def clean_text(text: str) -> str:
    return INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def client_address(request) -> str:
    """REMOTE_ADDR, or the address our own proxies saw when TRUSTED_PROXY_COUNT says so.

    X-Forwarded-For is written by whoever sends the request, except for the entries our own
    proxies append at its end: only the entry the outermost trusted proxy added is believed.
    Anything that is not an IP address is ignored (it would also break the inet column).
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies and _is_ip(hops[-proxies]):
            return hops[-proxies]
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _is_ip(remote) else ""


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


# --- the signed render timestamp ----------------------------------------------------------


class _Signer(signing.TimestampSigner):
    """A timestamp signer that can date a token ``age`` seconds back."""

    def __init__(self, age: int = 0):
        super().__init__(salt=TOKEN_SALT)
        self.age = age

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - self.age)


def make_token(article_id: int, age: int = 0) -> str:
    """The comment form's signed token: article, a random nonce, and when it was issued."""
    # One urandom call (token_urlsafe) rather than get_random_string's one per character.
    return _Signer(age).sign(f"{article_id}:{secrets.token_urlsafe(9)}")


TOO_OLD = gettext_lazy("页面停留时间过长，请刷新页面后重新提交。")
INVALID = gettext_lazy("表单已失效，请刷新页面后重新提交。")
TOO_FAST = gettext_lazy("提交太快了，请稍等几秒再提交。")


def check_token(token: str, article_id: int):
    """None if the token is good, else the reason the reader is given (one of the above)."""
    signer = _Signer()
    try:
        value = signer.unsign(token, max_age=settings.COMMENT_MAX_AGE_SECONDS)
    except signing.SignatureExpired:
        return TOO_OLD
    except signing.BadSignature:
        return INVALID
    if value.split(":")[0] != str(article_id):
        return INVALID
    issued = signing.b62_decode(token.rsplit(":", 2)[1])
    if time.time() - issued < settings.COMMENT_MIN_SECONDS:
        return TOO_FAST
    return None


# --- rate limits in the shared counters cache ---------------------------------------------
#
# Counters live in their own cache (CACHES["counters"]), where page traffic cannot evict them.
# If that cache is down (Redis outage), the limits are open: comments are still accepted and
# held for moderation (nothing is published), and every refusal to count is logged.


def network(address: str) -> str:
    """What one client is for the limits: an IPv4 address, or the IPv6 prefix one household or
    phone gets from its provider and cycles addresses inside (commenter.address_block)."""
    return address_block(address) or "unknown"


def _rate(setting: str) -> tuple[int, int]:
    count, _, seconds = setting.partition("/")
    return int(count), int(seconds or 600)


def _over(kind: str, rate: str, address: str) -> bool:
    """Count one event of ``kind`` from the client's network; True when past the allowance."""
    limit, window = _rate(rate)
    counters = caches["counters"]
    key = f"rate:{kind}:{network(address)}"
    try:
        counters.add(key, 0, timeout=window)
        try:
            count = counters.incr(key)
        except ValueError:  # expired between add and incr
            counters.add(key, 1, timeout=window)
            count = 1
    except UNAVAILABLE as error:  # the counters cache is down: limits open (see above)
        log.warning("rate limit not counted (%s): %s", type(error).__name__, error)
        return False
    return count > limit


def over_post_limit(address: str) -> bool:
    """Every POST to a comment URL, valid or not (CSRF failures included), before any work."""
    return _over("post", settings.COMMENT_POST_RATE, address)


def over_comment_limit(address: str) -> bool:
    """Comments accepted from the client's network."""
    return _over("comment", settings.COMMENT_RATE, address)


def over_like_limit(address: str) -> bool:
    """顶 from the client's network, counted or not."""
    return _over("like", settings.COMMENT_LIKE_RATE, address)


def over_report_limit(address: str) -> bool:
    """举报 from the client's network, counted or not."""
    return _over("report", settings.COMMENT_REPORT_RATE, address)


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
    # NFKC first: ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ is a link too.
    links = sum(len(LINK.findall(unicodedata.normalize("NFKC", text))) for text in (nickname, body))
    if links > settings.COMMENT_MAX_LINKS:
        reasons.append(f"链接过多（{links} 个）")
    squeezed = squeeze(nickname + " " + body)
    for word in banned_words:
        target = squeeze(word)
        if target and target in squeezed:
            reasons.append(f"屏蔽词：{word}")
    return reasons
