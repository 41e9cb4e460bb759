"""Login throttling stops guessing and spraying without ever locking out the right password."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from service.cases.login_throttle import address_key, growing_delay
from tests.conftest import PASSWORD

ATTACKER, OFFICE = "10.9.9.66", "10.1.1.7"


def _login(app, username: str, password: str, addr: str, path: str = "/api/v1/session"):
    client = app.test_client()
    if path.startswith("/api/"):
        return client.post(path, json={"username": username, "password": password},
                           environ_overrides={"REMOTE_ADDR": addr})
    return client.post(path, data={"username": username, "password": password}, environ_overrides={"REMOTE_ADDR": addr})


def test_growing_delay_is_free_then_doubles_up_to_the_cap():
    assert [growing_delay(n, 3, 10).total_seconds() for n in range(0, 9)] == [0, 0, 0, 1, 2, 4, 8, 10, 10]
    assert growing_delay(10**6, 3, 900) == timedelta(seconds=900)


def test_ipv6_addresses_count_by_their_slash_64():
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert address_key("::ffff:10.1.1.7") == "10.1.1.7" and address_key("10.1.1.7") == "10.1.1.7"


def test_spraying_80_passwords_over_20_usernames_from_one_address_is_throttled(app, users, clock):
    names = [f"user{i:02d}" for i in range(17)] + ["designer", "leader", "admin"]
    statuses, waits = [], []
    for attempt in range(80):
        response = _login(app, names[attempt % 20], f"guess-{attempt}", ATTACKER)
        statuses.append(response.status_code)
        if response.status_code == 429:
            waits.append(int(response.headers["Retry-After"]))
        clock.advance(seconds=1)  # one guess a second: paced, not a burst
    assert statuses[:10] == [401] * 10
    assert statuses.count(401) <= 16 and statuses.count(429) >= 64, statuses
    assert max(waits) >= 60  # the waits grow
    assert _login(app, "designer", PASSWORD, OFFICE).status_code == 200  # the spray locked nobody out


def test_guessing_one_account_gets_growing_waits_but_its_user_logs_in_from_elsewhere_at_once(app, users, clock):
    statuses = []
    for attempt in range(100):
        statuses.append(_login(app, "designer", f"guess-{attempt}", ATTACKER).status_code)
        clock.advance(seconds=2)
    assert statuses[:5] == [401] * 5 and statuses.count(401) < 20, statuses
    assert _login(app, "designer", PASSWORD, OFFICE).status_code == 200
    assert _login(app, "designer", PASSWORD, OFFICE, path="/login").status_code == 302  # the page too


def test_a_user_who_mistyped_waits_at_most_the_short_delay_while_being_guessed_at(app, users, clock, svc):
    assert _login(app, "designer", "my-typo", OFFICE).status_code == 401
    clock.advance(seconds=1)
    for attempt in range(200):
        _login(app, "designer", f"guess-{attempt}", f"10.9.{attempt // 100}.{attempt % 100}")  # many addresses
    limit = svc.config.LOGIN_ACCOUNT_MAX_DELAY_SECONDS
    response = _login(app, "designer", PASSWORD, OFFICE)
    if response.status_code == 429:
        assert int(response.headers["Retry-After"]) <= limit
        clock.advance(seconds=int(response.headers["Retry-After"]))
        response = _login(app, "designer", PASSWORD, OFFICE)
    assert response.status_code == 200


def test_the_attackers_own_next_guess_waits_while_the_right_password_from_elsewhere_passes(app, users, clock):
    for attempt in range(5):
        assert _login(app, "designer", f"guess-{attempt}", ATTACKER).status_code == 401
    refused = _login(app, "designer", PASSWORD, ATTACKER)  # even the right password waits at the guessing address
    assert refused.status_code == 429 and refused.json["code"] == "too_many_attempts"
    assert 1 <= int(refused.headers["Retry-After"]) <= 30
    assert _login(app, "designer", PASSWORD, OFFICE).status_code == 200
    clock.advance(seconds=int(refused.headers["Retry-After"]))
    assert _login(app, "designer", "guess-5", ATTACKER).status_code == 401


def test_five_wrong_passwords_then_the_right_one_after_the_short_wait_succeeds(app, users, clock):
    for _ in range(5):
        assert _login(app, "handler", "nope", OFFICE).status_code == 401
    assert _login(app, "handler", PASSWORD, OFFICE).status_code == 429
    clock.advance(seconds=1)
    assert _login(app, "handler", PASSWORD, OFFICE).status_code == 200


def test_a_success_resets_the_count(app, users, clock):
    for _ in range(4):
        assert _login(app, "handler", "nope", OFFICE).status_code == 401
    assert _login(app, "handler", PASSWORD, OFFICE).status_code == 200
    for _ in range(5):
        assert _login(app, "handler", "nope", OFFICE).status_code == 401  # counted afresh
    assert _login(app, "handler", "nope", OFFICE).status_code == 429


def test_a_success_forgives_the_users_own_typos_on_the_shared_office_address(app, users, clock):
    for name in ("handler", "handler2", "supervisor", "supervisor2", "leader"):
        for _ in range(3):  # 15 typos behind one office address, more than the address allows
            assert _login(app, name, "typo", OFFICE).status_code in (401, 429)
        clock.advance(seconds=40)
        assert _login(app, name, PASSWORD, OFFICE).status_code == 200
    assert _login(app, "intake", PASSWORD, OFFICE).status_code == 200


def test_an_insiders_own_logins_do_not_clear_the_spraying_of_others(app, users, clock):
    statuses = []
    for round_ in range(8):
        for name in ("designer", "leader", "admin"):
            statuses.append(_login(app, name, f"guess-{round_}", ATTACKER).status_code)
        clock.advance(seconds=2)
        _login(app, "handler", PASSWORD, ATTACKER)  # the insider logs in as himself in between
        clock.advance(seconds=2)
    assert statuses.count(429) >= 8, statuses


def test_counts_are_forgotten_after_a_quiet_day(app, users, clock, svc):
    for attempt in range(12):
        _login(app, f"ghost{attempt}", "x", ATTACKER)
    assert _login(app, "ghost99", "x", ATTACKER).status_code == 429
    clock.advance(seconds=svc.config.LOGIN_FORGET_SECONDS + 1)
    assert _login(app, "ghost99", "x", ATTACKER).status_code == 401


def test_the_login_page_answers_429_with_retry_after(app, users):
    for _ in range(5):
        assert _login(app, "handler", "nope", OFFICE, path="/login").status_code == 401
    response = _login(app, "handler", PASSWORD, OFFICE, path="/login")
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert "秒后再试" in response.get_data(as_text=True)


@pytest.mark.parametrize("concurrency", [30])
def test_concurrent_guesses_cannot_pass_the_limit(app, users, svc, concurrency):
    barrier = threading.Barrier(concurrency)
    statuses: list[int] = []
    lock = threading.Lock()

    def guess(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/session", json={"username": "designer", "password": f"guess-{n}"},
                               environ_overrides={"REMOTE_ADDR": ATTACKER})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * svc.config.LOGIN_ACCOUNT_FREE_FAILURES \
        + [429] * (concurrency - svc.config.LOGIN_ACCOUNT_FREE_FAILURES)
