"""Who wrote a comment, without accounts: a pseudonymous key and the address block it came from.

The key is a random value in a signed, long-lived cookie; it says "the same browser as before",
never who someone is. The address block is the client address as a network counts it: an
IPv4 address on its own, an IPv6 address by its /64 (one household or phone gets a whole /64
and may use any address in it). Moderators see both as a commenter's history, and may block
either (comments/models/moderation.py ``Block``); rate limits count by the address block too.
"""

import ipaddress
import secrets

from django.conf import settings
from django.core import signing

COOKIE_NAME = "commenter"
COOKIE_SALT = "comments.commenter"
COOKIE_MAX_AGE = 2 * 365 * 24 * 3600


def address_block(ip: str | None) -> str:
    """``203.0.113.5`` → ``203.0.113.5``; ``2001:db8:1:2:a:b:c:d`` → ``2001:db8:1:2::/64``.

    An IPv4 address written as IPv6 (``::ffff:203.0.113.5``) is the IPv4 address. Anything that
    is not an address gives "" (no block: it matches nothing and nobody).
    """
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return ""
    if address.version == 6 and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if address.version == 4:
        return str(address)
    prefix = settings.RATE_LIMIT_IPV6_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def commenter_key(request) -> str:
    """This browser's key: the one its cookie carries, or a new one (remembered on the request,
    so ``remember`` sets it on the response)."""
    key = getattr(request, "_commenter_key", None)
    if key is None:
        key = known_key(request) or secrets.token_urlsafe(12)
        request._commenter_key = key
    return key


def known_key(request) -> str:
    """The key this browser's cookie carries, or "" (no cookie, a forged or expired one). Only
    reads: a reader who never commented is given no key (我的留言 shows them nothing)."""
    if COOKIE_NAME not in request.COOKIES:
        return ""
    try:
        key = request.get_signed_cookie(COOKIE_NAME, salt=COOKIE_SALT, max_age=COOKIE_MAX_AGE)
    except signing.BadSignature:
        return ""
    return key if _is_key(key) else ""


def remember(request, response) -> None:
    """Give the browser its key (again, so its two years run from its latest comment)."""
    key = getattr(request, "_commenter_key", None)
    if key:
        response.set_signed_cookie(
            COOKIE_NAME,
            key,
            salt=COOKIE_SALT,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )


def _is_key(value: str) -> bool:
    return 8 <= len(value) <= 32 and value.replace("-", "").replace("_", "").isalnum()
