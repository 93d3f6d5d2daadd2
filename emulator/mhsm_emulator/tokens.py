"""Access tokens: ES256-signed JWTs with audience, tenant, expiry and the caller's object id."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .identities import Principal

SIGNING_KEY_FILE = "token-signing-key.pem"
_ALGORITHM = "ES256"
_LEEWAY_SECONDS = 5
VERIFIED_CACHE_SIZE = 1024
"""How many verified tokens :meth:`TokenIssuer.verify` remembers (least recently used ones are forgotten)."""


class TokenError(Exception):
    """A bearer token was rejected; the message says why (never contains the token)."""


@dataclass(frozen=True)
class IssuedToken:
    """A minted token and its expiry (epoch seconds)."""

    token: str
    expires_on: int


@dataclass(frozen=True)
class VerifiedCaller:
    """What a valid token says about its bearer."""

    object_id: str
    client_id: str
    tenant_id: str
    issuer: str
    claims: dict[str, Any]


def issuer_for(tenant_id: str) -> str:
    """The ``iss`` claim for a tenant (v1 token form, like managed identity tokens)."""
    return f"https://sts.windows.net/{tenant_id}/"


class TokenIssuer:
    """Mints and verifies tokens with one EC P-256 key.

    :param key_file: PEM file holding the signing key (created if missing); ``None`` keeps a fresh key in memory.
    :param tenant_id: tenant put in and required from tokens.
    """

    def __init__(self, key_file: Path | None, tenant_id: str, *, cache_size: int = VERIFIED_CACHE_SIZE) -> None:
        self.tenant_id = tenant_id
        self._key = _load_or_create_key(key_file)
        self._public_key = self._key.public_key()
        self._cache_size = cache_size
        # (whole token string, audiences) -> (caller, iat, nbf, exp) of a token that passed every check.
        self._verified: OrderedDict[tuple[str, tuple[str, ...]], tuple[VerifiedCaller, Any, Any, int]] = OrderedDict()
        self._verified_lock = threading.Lock()
        self.signature_checks = 0
        """How many tokens had their signature checked (the rest came from the cache; for tests and benchmarks)."""

    def issue(
        self,
        principal: Principal,
        audience: str,
        lifetime: int = 3600,
        *,
        now: float | None = None,
        extra_claims: dict[str, Any] | None = None,
    ) -> IssuedToken:
        """Mint a token for ``principal`` valid for ``audience`` during ``lifetime`` seconds (may be negative)."""
        issued_at = int(now if now is not None else time.time())
        expires_on = issued_at + lifetime
        claims: dict[str, Any] = {
            "aud": audience,
            "iss": issuer_for(self.tenant_id),
            "iat": issued_at,
            "nbf": issued_at - 1,
            "exp": expires_on,
            "tid": self.tenant_id,
            "oid": principal.object_id,
            "sub": principal.object_id,
            "appid": principal.client_id,
            "idtyp": "app",
            "uti": uuid.uuid4().hex,
        }
        claims.update(extra_claims or {})
        token = jwt.encode(claims, self._key, algorithm=_ALGORITHM)
        return IssuedToken(token=token, expires_on=expires_on)

    def verify(self, token: str, audiences: list[str]) -> VerifiedCaller:
        """Check signature, audience (one of ``audiences``), expiry and tenant; raise :class:`TokenError`.

        A token that passed is remembered, keyed on the whole token string (so any other string, a forged or
        altered token included, is checked in full), and its signature, audience, issuer and tenant are not checked
        again; its times (``exp``, ``nbf``, ``iat``, with the same leeway) are checked at every use, so it is
        refused once expired, exactly as a first use would be.
        """
        key = (token, tuple(audiences))
        with self._verified_lock:
            entry = self._verified.get(key)
            if entry is not None:
                self._verified.move_to_end(key)
        if entry is not None:
            caller, issued_at, not_before, expires = entry
            try:
                _check_times(issued_at, not_before, expires)
            except jwt.ExpiredSignatureError:
                with self._verified_lock:
                    self._verified.pop(key, None)
                raise TokenError("The access token has expired.") from None
            except jwt.PyJWTError as exc:
                raise TokenError(f"Token validation failed: {type(exc).__name__}.") from None
            return caller
        caller = self._verify_signed(token, audiences)
        claims = caller.claims
        with self._verified_lock:
            self._verified[key] = (caller, claims.get("iat"), claims.get("nbf"), int(claims["exp"]))
            while len(self._verified) > self._cache_size:
                self._verified.popitem(last=False)
        return caller

    def _verify_signed(self, token: str, audiences: list[str]) -> VerifiedCaller:
        self.signature_checks += 1
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._public_key,
                algorithms=[_ALGORITHM],
                audience=audiences,
                issuer=issuer_for(self.tenant_id),
                leeway=_LEEWAY_SECONDS,
                options={"require": ["exp", "aud", "iss", "oid", "tid"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenError("The access token has expired.") from exc
        except jwt.InvalidAudienceError as exc:
            raise TokenError(f"Invalid audience. Expected one of: {', '.join(audiences)}.") from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenError("Invalid issuer.") from exc
        except jwt.InvalidSignatureError as exc:
            raise TokenError("Token signature validation failed.") from exc
        except jwt.PyJWTError as exc:
            raise TokenError(f"Token validation failed: {type(exc).__name__}.") from exc
        if not isinstance(claims.get("aud"), str):
            # Entra tokens carry one audience; a list could smuggle ours in next to another resource.
            raise TokenError(f"Invalid audience. Expected one of: {', '.join(audiences)}.")
        if claims.get("tid") != self.tenant_id:
            raise TokenError("Invalid tenant.")
        oid = claims.get("oid")
        if not isinstance(oid, str) or not oid:
            raise TokenError("The token carries no object id.")
        return VerifiedCaller(
            object_id=oid,
            client_id=str(claims.get("appid", "")),
            tenant_id=self.tenant_id,
            issuer=str(claims["iss"]),
            claims=claims,
        )


def _check_times(issued_at: Any, not_before: Any, expires: int) -> None:
    """PyJWT's time checks (same order, leeway and errors) for a token whose other checks already passed."""
    now = time.time()
    if issued_at is not None and int(issued_at) > now + _LEEWAY_SECONDS:
        raise jwt.ImmatureSignatureError("The token is not yet valid (iat)")
    if not_before is not None and int(not_before) > now + _LEEWAY_SECONDS:
        raise jwt.ImmatureSignatureError("The token is not yet valid (nbf)")
    if expires <= now - _LEEWAY_SECONDS:
        raise jwt.ExpiredSignatureError("Signature has expired")


def _load_or_create_key(key_file: Path | None) -> ec.EllipticCurvePrivateKey:
    if key_file is not None and key_file.exists():
        loaded = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{key_file} does not hold an EC private key")
        return loaded
    key = ec.generate_private_key(ec.SECP256R1())
    if key_file is not None:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = key_file.with_name(key_file.name + f".tmp{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        os.replace(tmp, key_file)
    return key
