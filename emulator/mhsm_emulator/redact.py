"""Keeps secrets out of log output: bearer tokens, JWTs, SAS signatures, account keys and the identity secret.

:class:`RedactingFilter` rewrites each record's final text (message and traceback) before any handler formats
it. The CLI puts it on its stderr handler (so every library's records pass through it); the in-process runner
puts it on the emulator's own loggers and aiohttp's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "REDACTED"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization header values, whatever the scheme.
    (re.compile(r"(?i)\b(bearer|pop|basic)\s+[A-Za-z0-9\-._~+/=]+"), rf"\1 {REDACTED}"),
    # Anything shaped like a JWT (header.payload[.signature], base64url of a JSON object).
    (re.compile(r"\beyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]*(\.[A-Za-z0-9_\-]*)?"), REDACTED),
    # SAS signatures and account keys, in query strings, connection strings and JSON.
    (re.compile(r"(?i)\b(sig|signature|accountkey|x-identity-header|access_token)(%3D|=|\"?\s*:\s*\"?)[^&;\s\"',]+"),
     rf"\1\2{REDACTED}"),
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with tokens, signatures, keys and the given literal ``secrets`` replaced by ``REDACTED``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts a record's message and traceback text in place (it never drops records).

    :param secrets: literal values to redact as well (e.g. the identity header secret); more may be added
        later with :meth:`add_secret`.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = {s for s in secrets if s}

    def add_secret(self, secret: str) -> None:
        """Redact this literal value too."""
        if secret:
            self._secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's text by its redacted form; always keep the record."""
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler's own error reporting
            return True
        record.msg = redact(message, self._secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self._secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self._secrets)
        return True


EMULATOR_LOGGERS = (
    "mhsm_emulator",
    "mhsm_emulator.middleware",
    "mhsm_emulator.access",
    "mhsm_emulator.backup_jobs",
    "mhsm_emulator.identity_endpoint",
    "mhsm_emulator.listener",
    "aiohttp.server",
    "aiohttp.web",
    "aiohttp.access",
)
"""Loggers the in-process runner guards (a logger's filters only see records logged on that very logger)."""


def install_on_loggers(filter_: RedactingFilter, names: Iterable[str] = EMULATOR_LOGGERS) -> None:
    """Add ``filter_`` to the named loggers (once each)."""
    for name in names:
        logger = logging.getLogger(name)
        if filter_ not in logger.filters:
            logger.addFilter(filter_)


def install_on_handlers(filter_: RedactingFilter, handlers: Iterable[logging.Handler]) -> None:
    """Add ``filter_`` to handlers: every record they emit, from any logger, is redacted."""
    for handler in handlers:
        if filter_ not in handler.filters:
            handler.addFilter(filter_)


SHARED_FILTER = RedactingFilter()
"""The filter every emulator in this process uses; each server adds its identity secret to it."""
