from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cpv3.infrastructure.settings import get_settings

ERROR_NOT_AUTHENTICATED = "Not authenticated"
ERROR_INVALID_CREDENTIALS = "Could not validate credentials"
ERROR_ADMIN_REQUIRED = "Administrator privileges required"

CLAIM_SUBJECT = "sub"
CLAIM_EMAIL = "email"
CLAIM_ADMIN = "adm"
HASH_SCHEME = "scrypt"
SCRYPT_COST = 2**14
SCRYPT_BLOCK_SIZE = 8
SCRYPT_PARALLELISM = 1
SALT_BYTES = 16

bearer_scheme = HTTPBearer(auto_error=False)


@dataclass(frozen=True, slots=True)
class AuthenticatedUser:
    """Identity carried by a verified access JWT; no database round trip needed."""

    id: uuid.UUID
    email: str
    is_admin: bool


def create_access_token(user_id: uuid.UUID, email: str, is_admin: bool) -> str:
    """Sign a short-lived access JWT for the given user."""
    settings = get_settings()
    issued_at = datetime.now(UTC)
    claims = {
        CLAIM_SUBJECT: str(user_id),
        CLAIM_EMAIL: email,
        CLAIM_ADMIN: is_admin,
        "iat": issued_at,
        "exp": issued_at + timedelta(minutes=settings.access_token_ttl_minutes),
    }
    signing_key = settings.jwt_secret.get_secret_value()
    return jwt.encode(claims, signing_key, algorithm=settings.jwt_algorithm)


def decode_access_token(raw: str) -> AuthenticatedUser:
    """Verify signature and expiry, then map the claims to an `AuthenticatedUser`."""
    settings = get_settings()
    try:
        claims = jwt.decode(
            raw, settings.jwt_secret.get_secret_value(), algorithms=[settings.jwt_algorithm]
        )
        return AuthenticatedUser(
            id=uuid.UUID(claims[CLAIM_SUBJECT]),
            email=claims[CLAIM_EMAIL],
            is_admin=bool(claims.get(CLAIM_ADMIN, False)),
        )
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail=ERROR_INVALID_CREDENTIALS,
            headers={"WWW-Authenticate": "Bearer"},
        ) from exc


async def get_current_user(
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
) -> AuthenticatedUser:
    """Dependency: the user of the bearer JWT, or 401."""
    if credentials is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail=ERROR_NOT_AUTHENTICATED,
            headers={"WWW-Authenticate": "Bearer"},
        )
    return decode_access_token(credentials.credentials)


async def require_admin(
    current_user: AuthenticatedUser = Depends(get_current_user),
) -> AuthenticatedUser:
    """Dependency: like `get_current_user`, but only for administrators."""
    if not current_user.is_admin:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=ERROR_ADMIN_REQUIRED)
    return current_user


def hash_password(plain: str) -> str:
    """CPU-bound scrypt hash; call it through `anyio.to_thread.run_sync` from async code."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(
        plain.encode(), salt=salt, n=SCRYPT_COST, r=SCRYPT_BLOCK_SIZE, p=SCRYPT_PARALLELISM
    )
    return f"{HASH_SCHEME}${salt.hex()}${digest.hex()}"


def verify_password(plain: str, hashed: str) -> bool:
    """Constant-time check of `plain` against a value produced by `hash_password`."""
    scheme, _, rest = hashed.partition("$")
    salt_hex, _, digest_hex = rest.partition("$")
    if scheme != HASH_SCHEME or not salt_hex or not digest_hex:
        return False
    candidate = hashlib.scrypt(
        plain.encode(),
        salt=bytes.fromhex(salt_hex),
        n=SCRYPT_COST,
        r=SCRYPT_BLOCK_SIZE,
        p=SCRYPT_PARALLELISM,
    )
    return hmac.compare_digest(candidate, bytes.fromhex(digest_hex))
