"""Process-wide cache of Key Vault challenges, keyed by host.

Every client in the process shares it, so a second client for a host that already answered a challenge
skips the unauthenticated probe request.
"""

import threading
from typing import Optional

from .http_challenge import HttpChallenge, authority_key

_cache: dict[str, HttpChallenge] = {}
_lock = threading.Lock()


def _get_cache_key(url: str) -> str:
    return authority_key(url)


def get_challenge_for_url(url: str) -> Optional[HttpChallenge]:
    """Return the cached challenge for the URL's host, or None.

    :param str url: any URL on the host
    :rtype: HttpChallenge or None
    :raises ValueError: when ``url`` is empty
    """
    if not url:
        raise ValueError("URL cannot be None")
    with _lock:
        return _cache.get(_get_cache_key(url))


def set_challenge_for_url(url: str, challenge: HttpChallenge) -> None:
    """Cache a challenge for the URL's host.

    :param str url: any URL on the host
    :param HttpChallenge challenge: the challenge the host answered with
    :raises ValueError: when ``url`` is empty, ``challenge`` is None, or the challenge came from another host
    """
    if not url:
        raise ValueError("URL cannot be empty")
    if not challenge:
        raise ValueError("Challenge cannot be empty")
    key = _get_cache_key(url)
    if key != _get_cache_key("https://" + challenge.source_authority):
        raise ValueError("Source URL and Challenge URL do not match")
    with _lock:
        _cache[key] = challenge


def remove_challenge_for_url(url: str, expected: Optional[HttpChallenge] = None) -> None:
    """Forget the challenge cached for the URL's host (no error when none is cached).

    :param str url: any URL on the host
    :param expected: forget the cached challenge only if it is this one (another request may have replaced it)
    :type expected: HttpChallenge or None
    :raises ValueError: when ``url`` is empty
    """
    if not url:
        raise ValueError("URL cannot be empty")
    key = _get_cache_key(url)
    with _lock:
        if expected is None or _cache.get(key) is expected:
            _cache.pop(key, None)


def clear() -> None:
    """Forget every cached challenge."""
    with _lock:
        _cache.clear()
