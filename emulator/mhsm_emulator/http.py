"""Request helpers shared by route modules: JSON bodies, scopes from the URL, paging."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from .errors import bad_parameter
from .scopes import normalize_scope
from .state import get_state

SKIP_TOKEN = "$skiptoken"


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object.

    :raises ServiceError: 400 ``BadParameter`` when the body is missing, not UTF-8 JSON, or not an object.
    """
    raw = await request.read()
    if not raw.strip():
        raise bad_parameter("The request body is missing.")
    try:
        body = json.loads(raw.decode("utf-8"))
        # "\ud800"-style escapes decode to lone surrogates, which SQLite (UTF-8) cannot store: reject them here.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):
        # ValueError covers JSONDecodeError, UnicodeError and integers beyond Python's digit limit.
        raise bad_parameter("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise bad_parameter("The request body must be a JSON object.")
    return body


def scope_from_url(request: web.Request) -> str:
    """The normalised RBAC scope captured by a route's ``{scope}`` placeholder."""
    return normalize_scope(request.match_info.get("scope", ""))


def _encode_skip(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _decode_skip(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, _, number = text.partition(":")
        offset = int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_parameter("The $skiptoken is invalid.") from None
    if prefix != "offset" or offset < 0:
        raise bad_parameter("The $skiptoken is invalid.")
    return offset


def paginate(request: web.Request, items: Sequence[Any]) -> dict[str, Any]:
    """One page of ``items`` as ``{"value": [...]}`` plus an absolute ``nextLink`` when more remain.

    The next link keeps the request's query (``$filter`` etc.) and adds ``$skiptoken``; its host is the one the
    client used, so no new challenge is needed.
    """
    page_size = get_state(request).config.page_size
    offset = _decode_skip(request.query[SKIP_TOKEN]) if SKIP_TOKEN in request.query else 0
    page = list(items[offset : offset + page_size])
    body: dict[str, Any] = {"value": page}
    if offset + page_size < len(items):
        query = dict(request.query)
        query[SKIP_TOKEN] = _encode_skip(offset + page_size)
        body["nextLink"] = str(request.url.with_query(query))
    return body
