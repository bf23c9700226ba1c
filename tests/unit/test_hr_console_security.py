"""HR console security: every route behind the login, CSRF on every POST, slowed-down failed logins,
escaped user text, sessions that expire, accounts made by the CLI only."""
from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_console import __main__ as console_cli
from hr_console.auth import AccountError, create_account
from hr_console.models import HrAccount, LoginAttempt
from tests.helpers.hr_console import NAME, PASSWORD, make_console

PUBLIC = {"login", "static"}  # the login page and its stylesheet


@pytest.fixture
def console(tmp_path, normalizer, topic_specs):
    return make_console(
        tmp_path, f"sqlite:///{tmp_path / 'kb.sqlite'}", normalizer, topic_specs, HR_LOGIN_DELAY_SECONDS="30"
    )


def _sample_path(rule) -> str:
    """The rule with each variable filled in (1 for numbers, a word otherwise)."""
    return re.sub(r"<(int:)?[a-z_]+>", lambda m: "1" if m.group(1) else "x", rule.rule)


def test_every_route_without_a_session_goes_to_the_login(console):
    rules = [r for r in console.app.url_map.iter_rules() if r.endpoint not in PUBLIC]
    assert len(rules) >= 15  # every page and action of the console is listed here
    for rule in rules:
        path = _sample_path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = console.client.open(path, method=method)
            assert response.status_code == 302, (method, path, response.status_code)
            assert response.headers["Location"].endswith("/login"), (method, path)


def test_a_post_without_csrf_token_is_refused(console):
    assert console.login().status_code == 302
    item_id = console.kb.record_unanswered("une question sans réponse ?", "web:a", "socketio", "out_of_scope", 0.4)
    for path in (f"/queue/{item_id}/dismiss", "/logout", "/privacy/erase", "/documents/upload"):
        response = console.client.post(path, data={})
        assert response.status_code == 400, path
        assert "formulaire a expiré" in response.get_data(as_text=True)
    assert console.kb.review_items("open")[0].id == item_id  # not dismissed
    assert console.client.post("/login", data={"name": NAME, "password": PASSWORD}).status_code == 400


def test_five_wrong_passwords_lock_the_account_for_a_while(console):
    for _ in range(4):
        assert console.login(password="mauvais mot de passe").status_code == 401
    response = console.login(password="mauvais mot de passe")
    assert response.status_code == 429
    # Locked: even the right password is refused until the delay (HR_LOGIN_DELAY_SECONDS=30) is over.
    response = console.login()
    assert response.status_code == 429
    assert re.search(r"Réessayez dans (2\d|30) seconde", response.get_data(as_text=True))
    with Session(console.kb.engine) as session:
        [attempt] = session.scalars(select(LoginAttempt)).all()
        assert attempt.failures == 5 and 25 < attempt.locked_until - time.time() <= 30
    # Another name, or the same name from another address, is not locked.
    assert console.login(name="rh.autre").status_code == 401
    other = console.client.post(
        "/login", data={"name": NAME, "password": PASSWORD, "csrf_token": console.csrf()},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    )
    assert other.status_code == 302


def test_the_lock_ends_and_doubles_at_each_new_failure(tmp_path, normalizer, topic_specs):
    console = make_console(
        tmp_path, f"sqlite:///{tmp_path / 'kb.sqlite'}", normalizer, topic_specs, HR_LOGIN_DELAY_SECONDS="1"
    )
    for _ in range(5):
        console.login(password="faux")
    time.sleep(1.1)
    before = time.time()
    assert console.login(password="faux").status_code == 429  # 6th failure: locked for 2 s
    after = time.time()
    with Session(console.kb.engine) as session:
        [attempt] = session.scalars(select(LoginAttempt)).all()
        assert attempt.failures == 6 and before + 2 <= attempt.locked_until <= after + 2
    time.sleep(2.1)
    assert console.login().status_code == 302
    with Session(console.kb.engine) as session:
        assert session.scalars(select(LoginAttempt)).all() == []  # a success clears the failures


def test_an_unknown_account_is_refused_like_a_wrong_password(console):
    response = console.login(name="personne")
    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect" in response.get_data(as_text=True)


def test_a_queued_script_is_shown_as_text(console):
    console.kb.record_unanswered("<script>alert('x')</script> congés ?", "web:a", "socketio", "out_of_scope", 0.3)
    console.login()
    page = console.client.get("/?status=all").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(" in page
    item_id = console.kb.review_items()[0].id
    page = console.client.get(f"/queue/{item_id}/answer").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_login_logout_and_session_expiry(tmp_path, normalizer, topic_specs):
    console = make_console(
        tmp_path, f"sqlite:///{tmp_path / 'kb.sqlite'}", normalizer, topic_specs, HR_SESSION_MINUTES="0.1"
    )
    response = console.login()
    logged_in = time.time()  # the session was issued before this
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert console.client.get("/").status_code == 200
    time.sleep(max(0.0, logged_in + 6.1 - time.time()))  # 0.1 minute after the login
    response = console.client.get("/", follow_redirects=True)
    assert response.request.path == "/login"
    assert "Votre session a expiré" in response.get_data(as_text=True)
    console.login()
    assert console.client.get("/audit").status_code == 200
    assert console.post("/logout", page="/audit").status_code == 302
    assert console.client.get("/audit").status_code == 302


def test_pages_are_french_with_landmarks_and_security_headers(console):
    console.login()
    for path in ("/", "/documents", "/faq", "/report", "/privacy", "/audit"):
        response = console.client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert '<html lang="fr">' in page and "<main" in page and "<h1>" in page and "<nav" in page
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    cookie = console.client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_accounts_come_from_the_cli_with_a_hashed_password(console, monkeypatch, capsys):
    url = str(console.kb.engine.url)
    monkeypatch.setenv("HR_PASSWORD", "un autre mot de passe long")
    assert console_cli.main(["users", "create", "rh.paul", "--url", url]) == 0
    assert console_cli.main(["users", "create", "rh.paul", "--url", url]) == 2
    assert "existe déjà" in capsys.readouterr().err
    monkeypatch.setenv("HR_PASSWORD", "court")
    assert console_cli.main(["users", "create", "rh.zoe", "--url", url]) == 2
    with Session(console.kb.engine) as session:
        stored = session.scalar(select(HrAccount.password_hash).where(HrAccount.name == "rh.paul"))
    assert stored.startswith("$argon2id$") and "long" not in stored
    assert console.login("rh.paul", "un autre mot de passe long").status_code == 302
    with pytest.raises(AccountError):
        create_account(console.kb.engine, " espace", "un mot de passe assez long")
