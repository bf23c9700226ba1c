"""The HR console's Flask application: login, sessions that expire, CSRF on every POST, security headers.

create_app() takes the settings and, in tests, the knowledge base and conversation store to use.
"""
from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta
from typing import Any

from flask import Flask, flash, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.knowledge.factory import open_knowledge_base
from backoffice_career.privacy.conversations import ConversationStore
from backoffice_career.settings import Settings, load_settings
from hr_console import audit
from hr_console.auth import Throttle, check_login
from hr_console.models import NAME_CHARS, create_console_schema
from hr_console.texts import texts

logger = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024
UPLOAD_MEGABYTES = 20
PUBLIC_ENDPOINTS = ("login", "static")
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'self'; form-action 'self'"


class LoginForm(FlaskForm):
    name = StringField(validators=[DataRequired(), Length(max=NAME_CHARS)])
    password = PasswordField(validators=[DataRequired(), Length(max=1000)])


def create_app(
    settings: Settings | None = None,
    kb: KnowledgeBase | None = None,
    conversations: ConversationStore | None = None,
    config: dict[str, Any] | None = None,
) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    secret = settings.hr_session_secret
    if not secret:
        logger.warning("HR_SESSION_SECRET is empty: a key made now; HR sessions end when the console restarts")
        secret = secrets.token_urlsafe(32)
    app.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",  # a link to the console from another site (a mail) keeps the session
        SESSION_COOKIE_SECURE=settings.hr_cookie_secure,
        # The server ends a session after HR_SESSION_MINUTES (_require_login); the cookie outlives it by a
        # minute, so that the browser still presents it and the login page says that the session expired.
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.hr_session_minutes + 1),
        MAX_CONTENT_LENGTH=UPLOAD_MEGABYTES * MEGABYTE + MEGABYTE,  # the file and the form around it
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    app.config.update(config or {})
    kb = kb or open_knowledge_base(settings)
    create_console_schema(kb.engine)
    app.extensions["hr"] = {
        "settings": settings,
        "kb": kb,
        "conversations": conversations or ConversationStore.from_url(settings.tracker_db_url),
        "throttle": Throttle(settings.hr_login_max_failures, settings.hr_login_delay_seconds),
    }
    app.before_request(_require_login)  # before CSRFProtect's check: no session, no page, whatever the method
    CSRFProtect(app)
    _register_handlers(app)
    app.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    app.add_url_rule("/logout", "logout", logout, methods=["POST"])
    from hr_console import views, views_more

    views.register(app)
    views_more.register(app)
    return app


def hr() -> dict[str, Any]:
    from flask import current_app

    extensions: dict[str, Any] = current_app.extensions["hr"]
    return extensions


def account() -> str:
    return str(g.get("account", ""))


def record(action: str, target: str = "") -> None:
    audit.record(hr()["kb"].engine, account(), action, target)


def _require_login() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    name, issued = session.get("account"), session.get("issued")
    lifetime = hr()["settings"].hr_session_minutes * 60
    if not name or not isinstance(issued, (int, float)) or time.time() - issued > lifetime:
        if name:
            flash(texts()["login"]["expired"], "info")
        session.pop("account", None)
        session.pop("issued", None)
        return redirect(url_for("login"))
    g.account = name
    return None


def _register_handlers(app: Flask) -> None:
    @app.context_processor
    def _texts() -> dict[str, Any]:
        return {"t": texts(), "account": g.get("account")}

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        return _error_page(texts()["errors"]["csrf"], 400)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
        return _error_page(texts()["documents"]["too_large"], 413)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        return _error_page(texts()["errors"].get(code, texts()["errors"]["other"]), code)


def _error_page(message: str, code: int) -> tuple[str, int]:
    return render_template("error.html", message=message, code=code), code


def login() -> Any:
    form = LoginForm()
    t = texts()["login"]
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(t["failed"], "error")
            return render_template("login.html", form=form), 400
        result = check_login(
            hr()["kb"].engine, form.name.data or "", form.password.data or "", request.remote_addr or "",
            hr()["throttle"],
        )
        if not result.ok:
            if result.wait_seconds > 0:
                flash(t["locked"].format(seconds=int(result.wait_seconds) + 1), "error")
                return render_template("login.html", form=form), 429
            flash(t["failed"], "error")
            return render_template("login.html", form=form), 401
        session.clear()  # no state from before the login survives it
        session.permanent = True
        session["account"], session["issued"] = form.name.data, time.time()
        g.account = form.name.data
        record("login")
        return redirect(url_for("queue"))
    return render_template("login.html", form=form)


def logout() -> Response:
    record("logout")
    session.clear()
    flash(texts()["login"]["logged_out"], "info")
    return redirect(url_for("login"))
