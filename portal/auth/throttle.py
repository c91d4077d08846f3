"""Throttling with exponential back-off, per IP, per account and per (account, IP), kept
in the database so that every worker agrees.

Each counted attempt adds one to its bucket. From the ``free``-th attempt on, the key is
blocked for ``base × 2^(n − free)``, at most ``cap``; a bucket left alone for ``window``
starts again from zero. Account keys are a hash of the email as typed, so an address
without an account is throttled exactly like one with an account.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.clock import aware
from portal.kit.i18n import _
from portal.models import ThrottleBucket


@dataclass(frozen=True)
class Rule:
    action: str
    free: int
    base: timedelta
    cap: timedelta
    window: timedelta

    def backoff(self, attempts: int) -> timedelta:
        if attempts < self.free:
            return timedelta(0)
        exponent = min(attempts - self.free, 20)
        return min(self.base * (2**exponent), self.cap)


# Sign-in counts failures; registration and reset count every request.
# Guessing one account's password from one address locks only that address out of that
# account, so nobody can lock the owner out from elsewhere.
SIGN_IN_SOURCE = Rule(
    "sign_in", 5, timedelta(seconds=30), timedelta(minutes=15), timedelta(hours=24)
)
SIGN_IN_IP = Rule("sign_in", 20, timedelta(seconds=30), timedelta(minutes=15), timedelta(hours=1))
# Guessing from many addresses: ten times the per-source allowance, then a lock for
# everyone, which the owner passes with the link mailed to the account (auth.signin).
SIGN_IN_ACCOUNT = Rule("sign_in", 50, timedelta(minutes=1), timedelta(hours=1), timedelta(hours=24))
# At most one unlock mail an hour per account, however often it is locked.
UNLOCK_MAIL = Rule("unlock_mail", 1, timedelta(hours=1), timedelta(hours=1), timedelta(hours=1))
REGISTER_IP = Rule("register", 10, timedelta(minutes=1), timedelta(hours=1), timedelta(hours=1))
RESET_IP = Rule("reset", 10, timedelta(minutes=1), timedelta(hours=1), timedelta(hours=1))
RESET_ACCOUNT = Rule("reset", 3, timedelta(minutes=5), timedelta(hours=1), timedelta(hours=1))


def ip_key(ip: str | None) -> str:
    return f"ip:{ip or 'unknown'}"[:100]


def account_key(email: str) -> str:
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def source_key(email: str, ip: str | None) -> str:
    """One account tried from one address."""
    pair = f"{email.strip().lower()}\n{ip or 'unknown'}"
    return "source:" + hashlib.sha256(pair.encode()).hexdigest()


def _bucket(session: Session, rule: Rule, key: str) -> ThrottleBucket | None:
    statement = (
        select(ThrottleBucket)
        .where(ThrottleBucket.action == rule.action, ThrottleBucket.key == key)
        .with_for_update()
    )
    return session.exec(statement).first()


def wait_for(session: Session, rule: Rule, key: str, *, now: datetime) -> timedelta | None:
    """How long ``key`` must still wait, or None when it may try now."""
    bucket = _bucket(session, rule, key)
    if bucket is None or bucket.blocked_until is None:
        return None
    remaining = aware(bucket.blocked_until) - now
    return remaining if remaining > timedelta(0) else None


def _blocked(bucket: ThrottleBucket, now: datetime) -> bool:
    return bucket.blocked_until is not None and aware(bucket.blocked_until) > now


def hit(session: Session, rule: Rule, key: str, *, now: datetime) -> bool:
    """Count one attempt (a failure, for sign-in) against ``key``; True when this attempt
    blocked a key that was free until now."""
    bucket = _bucket(session, rule, key)
    if bucket is None:
        bucket = ThrottleBucket(action=rule.action, key=key, failures=0, last_failure_at=now)
        try:
            with session.begin_nested():
                session.add(bucket)
                session.flush()
        except IntegrityError:  # another worker created it first
            bucket = _bucket(session, rule, key)
            assert bucket is not None
    elif aware(bucket.last_failure_at) + rule.window <= now:
        bucket.failures = 0
        bucket.blocked_until = None
    was_blocked = _blocked(bucket, now)
    bucket.failures += 1
    bucket.last_failure_at = now
    delay = rule.backoff(bucket.failures)
    if delay:
        until = now + delay
        if bucket.blocked_until is None or aware(bucket.blocked_until) < until:
            bucket.blocked_until = until
    session.add(bucket)
    session.flush()
    return not was_blocked and _blocked(bucket, now)


def clear(session: Session, rule: Rule, key: str) -> None:
    bucket = _bucket(session, rule, key)
    if bucket is not None:
        session.delete(bucket)
        session.flush()


def wait_message(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return _("尝试次数过多，请等待 {minutes} 分钟后再试。").format(minutes=minutes)
