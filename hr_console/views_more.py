"""The FAQ batch, report, privacy and audit-log pages."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask, abort, flash, redirect, render_template, request, send_file, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired, Length

from backoffice_career.knowledge.db import ReviewItem
from backoffice_career.privacy.erasure import erase_sender
from backoffice_career.privacy.masking import mask_clean_text
from hr.faq import FaqInputError
from hr_console import audit
from hr_console.app import hr, record
from hr_console.faq_jobs import FaqJobs
from hr_console.texts import texts

SENDER_CHARS = 255
DEFAULT_REPORT_DAYS = 30


class FaqForm(FlaskForm):
    questions = FileField(validators=[FileRequired()])


class EraseForm(FlaskForm):
    sender = HiddenField(validators=[DataRequired(), Length(max=SENDER_CHARS)])
    confirm = BooleanField(validators=[DataRequired()])


def _jobs() -> FaqJobs:
    state = hr()
    if "faq_jobs" not in state:
        state["faq_jobs"] = FaqJobs(state["settings"], state["kb"])
    jobs: FaqJobs = state["faq_jobs"]
    return jobs


def faq() -> Any:
    form = FaqForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(texts()["faq"]["no_file"], "error")
            return render_template("faq.html", form=form), 400
        try:
            file = form.questions.data
            job = _jobs().start(file.read(), secure_filename(file.filename or "") or "questions.csv")
        except FaqInputError as exc:
            flash(str(exc), "error")
            return render_template("faq.html", form=form), 400
        record("faq", f"{job.total} question(s), job {job.id}")
        return redirect(url_for("faq_job", job_id=job.id))
    return render_template("faq.html", form=form)


def faq_job(job_id: str) -> str:
    job = _jobs().get(job_id) or abort(404)
    return render_template("faq_job.html", job=job)


def faq_download(job_id: str) -> Response:
    job = _jobs().get(job_id)
    if job is None or job.output is None or not job.output.is_file():
        abort(404)
    return send_file(job.output, mimetype="text/csv", as_attachment=True, download_name="reponses.csv")


def _period() -> tuple[date, date]:
    today = datetime.utcnow().date()
    try:
        start = date.fromisoformat(request.args.get("from", ""))
    except ValueError:
        start = today - timedelta(days=DEFAULT_REPORT_DAYS)
    try:
        end = date.fromisoformat(request.args.get("to", ""))
    except ValueError:
        end = today
    return (start, end) if start <= end else (end, start)


def report() -> str:
    start, end = _period()
    return render_template("report.html", start=start, end=end)


def report_view() -> Response:
    """The analytics report of hr/report.py, its per-day figures and open questions cut to the period."""
    from hr.report import collect, render

    start, end = _period()
    state = hr()
    data = collect(state["kb"].engine, state["conversations"], state["kb"].normalizer)
    for name in ("messages_per_day", "conversations_per_day", "fallback_rate_per_day"):
        setattr(data, name, {d: v for d, v in getattr(data, name).items() if start <= d <= end})
    data.open_items = [i for i in data.open_items if start <= i.asked_at.date() <= end]
    data.total_messages = sum(data.messages_per_day.values())
    response = Response(render(data), mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
    )
    return response


def _conversation(sender: str) -> tuple[list[dict[str, str]], list[ReviewItem]]:
    state = hr()
    lines = []
    for event in state["conversations"].events(sender):
        text = event.data.get("text") if event.type_name in ("user", "bot") else None
        if text:
            when = datetime.utcfromtimestamp(event.timestamp).strftime("%Y-%m-%d %H:%M")
            lines.append({"who": event.type_name, "when": when, "text": mask_clean_text(str(text))})
    items = [i for i in state["kb"].review_items() if i.sender_id == sender]
    return lines, items


def privacy() -> str:
    sender = request.args.get("sender", "").strip()[:SENDER_CHARS]
    lines, items = _conversation(sender) if sender else ([], [])
    form = EraseForm(sender=sender)
    return render_template("privacy.html", sender=sender, lines=lines, items=items, form=form)


def erase() -> Any:
    form = EraseForm()
    t = texts()["privacy"]
    if not form.validate_on_submit():
        flash(t["confirm_needed"], "error")
        sender = (form.sender.data or "")[:SENDER_CHARS]
        return redirect(url_for("privacy", sender=sender) if sender else url_for("privacy"))
    state = hr()
    sender = form.sender.data or ""
    counts = erase_sender(
        sender, state["kb"].engine, state["conversations"], lambda: state["kb"].normalizer,
        state["settings"].exports_dir,
    )
    record("erase", audit.sender_reference(sender))
    flash(t["erased"].format(count=sum(counts.values())), "info")
    return redirect(url_for("privacy"))


def audit_log() -> str:
    return render_template("audit.html", entries=audit.entries(hr()["kb"].engine))


def register(app: Flask) -> None:
    app.add_url_rule("/faq", "faq", faq, methods=["GET", "POST"])
    app.add_url_rule("/faq/<job_id>", "faq_job", faq_job)
    app.add_url_rule("/faq/<job_id>/download", "faq_download", faq_download)
    app.add_url_rule("/report", "report", report)
    app.add_url_rule("/report/view", "report_view", report_view)
    app.add_url_rule("/privacy", "privacy", privacy)
    app.add_url_rule("/privacy/erase", "erase", erase, methods=["POST"])
    app.add_url_rule("/audit", "audit_log", audit_log)
