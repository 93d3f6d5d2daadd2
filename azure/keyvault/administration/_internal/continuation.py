"""Continuation tokens for backup and restore operations.

A token is the base64 (standard alphabet) of the operation's status URL, the same plain-text format the
official package produces, so tokens move freely between processes, the sync and async clients and the two
packages. Nothing is pickled.
"""

from __future__ import annotations

import base64
from typing import NamedTuple
from urllib.parse import urlparse

MALFORMED_TOKEN_MESSAGE = (
    "The provided continuation_token is malformed. A valid token can be obtained from the "
    "operation poller's continuation_token() method"
)


class StatusLocation(NamedTuple):
    """Where a resumed operation's status lives."""

    status_url: str
    """The absolute status URL the token was made from."""
    job_id: str
    """The job id: the third ``/`` segment of the URL's path (``/backup/<jobId>/pending``)."""


def encode_continuation_token(status_url: str) -> str:
    """Make a continuation token from an operation status URL.

    :param str status_url: The URL of the operation's status (the ``Azure-AsyncOperation`` header).
    :returns: The token: base64 of the URL, ASCII.
    :rtype: str
    """
    return base64.b64encode(status_url.encode("utf-8")).decode("ascii")


def decode_continuation_token(continuation_token: str) -> StatusLocation:
    """Read a continuation token made by :func:`encode_continuation_token`.

    :param str continuation_token: The token.
    :returns: The status URL and the job id it names.
    :rtype: StatusLocation
    :raises binascii.Error: The token is not base64.
    :raises UnicodeDecodeError: The decoded token is not ASCII.
    :raises ValueError: The decoded URL has no job id segment.
    """
    # b64decode without validate=True, like the official package: stray characters are skipped, bad padding fails.
    status_url = base64.b64decode(continuation_token.encode("utf-8")).decode("ascii")
    segments = urlparse(status_url).path.split("/")
    if len(segments) < 3:
        raise ValueError(MALFORMED_TOKEN_MESSAGE)
    return StatusLocation(status_url, segments[2])
