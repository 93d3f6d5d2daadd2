"""Parsing of the ``WWW-Authenticate`` challenge that Key Vault sends with a 401 response."""

import base64
import re
from collections.abc import Mapping
from typing import Optional
from urllib.parse import urlparse

# One ``key=value`` pair of a challenge; the value is either quoted (may contain spaces and commas)
# or a bare token running up to the next comma or whitespace. A key starts only where a word starts: without the
# look-behind a long run of key characters with no ``=`` is retried from every offset, which takes quadratic time
# (a 16 KB header took seconds), and the header comes from whichever host answered.
_PARAMETER = re.compile(r'(?<![A-Za-z0-9_\-])([A-Za-z0-9_\-]+)\s*=\s*(?:"([^"]*)"|([^,\s]*))')


def authority_key(url: str) -> str:
    """The lower-cased authority of a URL with the default HTTPS port dropped (``h:443`` equals ``h``).

    :param str url: an absolute URL
    :rtype: str
    """
    netloc = urlparse(url).netloc.lower()
    return netloc[: -len(":443")] if netloc.endswith(":443") else netloc


def _decode_claims(encoded: str) -> str:
    """Decode a base64url ``claims`` value whose padding the service strips.

    :param str encoded: the value of the challenge's ``claims`` parameter
    :returns: the decoded claims (a JSON document)
    :rtype: str
    :raises ValueError: when the value is not base64url-encoded UTF-8
    """
    padded = encoded + "=" * (-len(encoded) % 4)
    return base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")


class HttpChallenge:
    """A parsed bearer challenge: scheme, parameters and what the client derives from them.

    :param str request_uri: the URL of the request that was challenged
    :param str challenge_header: the value of the response's ``WWW-Authenticate`` header
    :param response_headers: all headers of the challenging response (kept for callers that need them)
    :type response_headers: ~collections.abc.Mapping[str, str] or None
    :raises ValueError: when the request URL is not absolute, the header is empty, or it names neither
        ``authorization`` nor ``authorization_uri``
    """

    def __init__(
        self, request_uri: str, challenge_header: str, response_headers: Optional[Mapping[str, str]] = None
    ) -> None:
        parsed_uri = urlparse(request_uri)
        if not parsed_uri.netloc:
            raise ValueError("request_uri must be an absolute URI")
        self.source_authority: str = parsed_uri.netloc
        self.source_uri: str = request_uri
        self.response_headers: Optional[Mapping[str, str]] = response_headers

        if not challenge_header or not challenge_header.strip():
            raise ValueError("Challenge cannot be empty")
        header = challenge_header.strip()
        scheme, _, parameter_text = header.partition(" ")
        self.scheme: str = scheme
        self._parameters: dict[str, str] = {
            key.lower(): quoted if quoted else bare for key, quoted, bare in _PARAMETER.findall(parameter_text)
        }
        if not self.get_authorization_server():
            raise ValueError("Invalid challenge parameters")

        encoded_claims = self._parameters.get("claims")
        self.claims: Optional[str] = _decode_claims(encoded_claims) if encoded_claims else None

        # The tenant is the first path segment of the authority URL: https://login.../<tenant>/...
        authority_path = urlparse(self.get_authorization_server()).path
        self.tenant_id: Optional[str] = authority_path.strip("/").split("/")[0] or None

    def get_value(self, key: str) -> Optional[str]:
        """Return the value of a challenge parameter, or None when the challenge lacks it.

        :param str key: the parameter name (case-insensitive)
        :rtype: str or None
        """
        return self._parameters.get(key.lower())

    def get_authorization_server(self) -> str:
        """Return the ``authorization`` (or ``authorization_uri``) parameter, or an empty string.

        :rtype: str
        """
        return self._parameters.get("authorization") or self._parameters.get("authorization_uri") or ""

    def get_resource(self) -> str:
        """Return the ``resource`` parameter, or an empty string.

        :rtype: str
        """
        return self._parameters.get("resource", "")

    def get_scope(self) -> str:
        """Return the ``scope`` parameter, or an empty string when the challenge names a resource instead.

        :rtype: str
        """
        return self._parameters.get("scope", "")

    def is_bearer_challenge(self) -> bool:
        """Whether the challenge's scheme is ``Bearer``.

        :rtype: bool
        """
        return self.scheme.lower() == "bearer"
