"""Internal helpers shared by the public clients: client base, challenge authentication, backup helpers.

Nothing here is public API; the names below are the ones tests and the public clients import.
"""

from . import http_challenge_cache as HttpChallengeCache  # a module used as a namespace
from .challenge_auth_policy import ChallengeAuthPolicy
from .folder_url import BackupLocation, parse_folder_url
from .http_challenge import HttpChallenge

__all__ = ["BackupLocation", "ChallengeAuthPolicy", "HttpChallenge", "HttpChallengeCache", "parse_folder_url"]
