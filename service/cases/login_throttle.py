"""Login throttling: growing waits per address and per account, counted atomically, never a lock-out.

Three counts are kept in `login_throttles`:
- the address (IPv6: its /64), over all usernames: after `LOGIN_ADDRESS_FREE_FAILURES` failures it waits
  1 s, 2 s, 4 s … up to `LOGIN_ADDRESS_MAX_DELAY_SECONDS` before each further try (stops spraying);
- the username, over all addresses: after `LOGIN_ACCOUNT_FREE_FAILURES` failures, an address that has
  itself failed on this username waits 1 s, 2 s, 4 s … up to `LOGIN_ACCOUNT_MAX_DELAY_SECONDS` (short)
  after its own last failure. An address that never failed on the account is not held back, and the
  wait is measured per address, so guesses from elsewhere can delay the right password by at most the
  short maximum and can never take its turn;
- the username from the address, which records which failures a later success forgives.
An attempt is counted as a failure before its password is checked, in a transaction holding the rows'
locks, so concurrent attempts cannot pass the limit; a success then resets the username, and removes
from the address the failures made on that username (the user's own typos). Counts are forgotten after
`LOGIN_FORGET_SECONDS` without a failure.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from service.cases.errors import Throttled
from service.models import LoginThrottle

ADDRESS, ACCOUNT, PAIR = "address", "account", "pair"


@dataclass(frozen=True)
class Rules:
    address_free: int
    address_max_delay: int
    account_free: int
    account_max_delay: int
    forget: int

    @classmethod
    def from_config(cls, config) -> Rules:
        return cls(config.LOGIN_ADDRESS_FREE_FAILURES, config.LOGIN_ADDRESS_MAX_DELAY_SECONDS,
                   config.LOGIN_ACCOUNT_FREE_FAILURES, config.LOGIN_ACCOUNT_MAX_DELAY_SECONDS,
                   config.LOGIN_FORGET_SECONDS)


def growing_delay(failures: int, free: int, cap: int) -> timedelta:
    """No wait while `failures < free`; then 1 s, doubling with each further failure, at most `cap`."""
    if failures < free:
        return timedelta(0)
    return timedelta(seconds=min(cap, 2 ** min(failures - free, 40)))


def address_key(remote_addr: str) -> str:
    """The address a count belongs to: IPv4 as is, IPv6 by its /64 (one host owns a whole /64)."""
    try:
        ip = ipaddress.ip_address((remote_addr or "").strip())
    except ValueError:
        return (remote_addr or "unknown")[:64]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _keys(username: str, remote_addr: str) -> dict[str, str]:
    address = address_key(remote_addr)
    return {ADDRESS: address, ACCOUNT: username[:64], PAIR: f"{username[:64]} {address}"}


def _locked_rows(session: Session, keys: dict[str, str], now: datetime, rules: Rules) -> dict[str, LoginThrottle]:
    """The three rows, created if missing, locked (PostgreSQL FOR UPDATE; SQLite holds the write lock)."""
    values = [{"scope": scope, "key": key, "failures": 0} for scope, key in sorted(keys.items())]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(LoginThrottle).values(values).on_conflict_do_nothing(index_elements=["scope", "key"]))
    rows = session.scalars(
        select(LoginThrottle).where(tuple_(LoginThrottle.scope, LoginThrottle.key).in_(list(keys.items())))
        .order_by(LoginThrottle.scope, LoginThrottle.key).with_for_update()
    ).all()
    by_scope = {row.scope: row for row in rows}
    forget_before = now - timedelta(seconds=rules.forget)
    for row in by_scope.values():
        if row.last_failure_at is not None and row.last_failure_at < forget_before:
            row.failures, row.last_failure_at, row.blocked_until = 0, None, None
    return by_scope


def _wait(rows: dict[str, LoginThrottle], now: datetime, rules: Rules) -> timedelta:
    address, account, pair = rows[ADDRESS], rows[ACCOUNT], rows[PAIR]
    waits = [timedelta(0)]
    if address.blocked_until is not None:
        waits.append(address.blocked_until - now)
    if pair.last_failure_at is not None:
        delay = growing_delay(account.failures, rules.account_free, rules.account_max_delay)
        waits.append(pair.last_failure_at + delay - now)
    return max(waits)


def claim_attempt(session: Session, username: str, remote_addr: str, now: datetime, rules: Rules) -> None:
    """Count this attempt as a failure before the password is checked, or refuse it with Throttled."""
    rows = _locked_rows(session, _keys(username, remote_addr), now, rules)
    wait = _wait(rows, now, rules)
    if wait > timedelta(0):
        seconds = math.ceil(wait.total_seconds())
        raise Throttled(f"登录尝试过于频繁，请 {seconds} 秒后再试", retry_after=seconds)
    for row in rows.values():
        row.failures += 1
        row.last_failure_at = now
    address = rows[ADDRESS]
    delay = growing_delay(address.failures, rules.address_free, rules.address_max_delay)
    address.blocked_until = now + delay if delay else None


def forgive(session: Session, username: str, remote_addr: str, now: datetime, rules: Rules) -> None:
    """After a success: reset the username, take its failures from this address off the address's count."""
    rows = _locked_rows(session, _keys(username, remote_addr), now, rules)
    address, pair = rows[ADDRESS], rows[PAIR]
    address.failures = max(0, address.failures - pair.failures)
    if address.failures < rules.address_free:
        address.blocked_until = None
    session.delete(rows[ACCOUNT])
    session.delete(pair)
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - timedelta(seconds=rules.forget)))
