"""Password hashing with argon2id (argon2-cffi), and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from portal.kit.i18n import _

_hasher = PasswordHasher()
# Verified when the account does not exist, so that a wrong email costs as much time as a
# wrong password and the response time does not tell whether an account exists.
_DUMMY_HASH = _hasher.hash("portal-dummy-password")

MAX_LENGTH = 1024


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_error(password: str, *, min_length: int, email: str | None = None) -> str | None:
    """Why ``password`` may not be used, in Chinese; None when it may."""
    if len(password) < min_length:
        return _("密码至少需要 {min_length} 个字符").format(min_length=min_length)
    if len(password) > MAX_LENGTH:
        return _("密码不能超过 {MAX_LENGTH} 个字符").format(MAX_LENGTH=MAX_LENGTH)
    if email and password.strip().lower() == email.strip().lower():
        return _("密码不能与邮箱相同")
    if len(set(password)) < 4:
        return _("密码过于简单，请混用不同的字符")
    return None
