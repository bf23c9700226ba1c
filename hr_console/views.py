"""The review queue and the documents pages."""
from __future__ import annotations

from typing import Any

from flask import Flask, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from backoffice_career.knowledge.db import REVIEW_ANSWERED, REVIEW_DISMISSED, REVIEW_OPEN, ReviewItem
from backoffice_career.knowledge.errors import KnowledgeBaseUnavailable
from backoffice_career.review.delivery import deliver_answer
from backoffice_career.review.queue import ReviewError
from hr_console import documents
from hr_console.app import hr, record
from hr_console.grouping import group_items
from hr_console.texts import texts

STATUSES = (REVIEW_OPEN, REVIEW_ANSWERED, REVIEW_DISMISSED)
ANSWER_CHARS = 5000


class AnswerForm(FlaskForm):
    answer = TextAreaField(validators=[DataRequired(), Length(max=ANSWER_CHARS)])


class UploadForm(FlaskForm):
    document = FileField(validators=[FileRequired()])


def _items(status: str | None, channel: str | None) -> list[ReviewItem]:
    items = hr()["kb"].review_items(status or None)
    if channel:
        items = [i for i in items if (i.channel or "") == channel]
    return sorted(items, key=lambda i: (i.asked_at, i.id), reverse=True)  # newest first


def queue() -> str:
    status = request.args.get("status", REVIEW_OPEN)
    status = status if status in STATUSES else ""
    channel = request.args.get("channel", "")[:100]
    kb = hr()["kb"]
    channels = sorted({i.channel for i in kb.review_items() if i.channel})
    groups = group_items(_items(status, channel), kb.normalizer)
    return render_template(
        "queue.html", groups=groups, status=status, channel=channel, statuses=STATUSES, channels=channels
    )


def _group_of(item_id: int) -> tuple[ReviewItem, list[ReviewItem]]:
    """The item and the open items grouped with it (itself first)."""
    kb = hr()["kb"]
    items = _items(REVIEW_OPEN, None)
    for group in group_items(items, kb.normalizer):
        ids = [i.id for i in group.items]
        if item_id in ids:
            item = group.items[ids.index(item_id)]
            return item, [item] + [i for i in group.items if i.id != item_id]
    abort(404)


def answer(item_id: int) -> Any:
    item, group = _group_of(item_id)
    form = AnswerForm()
    kb = hr()["kb"]
    if form.validate_on_submit():
        try:
            document_id = kb.answer_review_item(item.id, form.answer.data or "")
        except ReviewError:
            flash(texts()["queue"]["cannot"], "error")
            return redirect(url_for("queue"))
        others = kb.review.share_answer([i.id for i in group[1:]], document_id)
        for done in [item.id, *others]:
            deliver_answer(kb.engine, kb.config, done, settings=hr()["settings"])
        record("answer", f"#{', #'.join(str(i) for i in [item.id, *others])} → document {document_id}")
        flash(texts()["queue"]["answered"].format(count=1 + len(others)), "info")
        return redirect(url_for("queue"))
    try:
        passages = kb.search(item.question, limit=3)
    except KnowledgeBaseUnavailable:
        passages = []
    status = 400 if request.method == "POST" else 200
    return render_template("answer.html", item=item, group=group, form=form, passages=passages), status


def _close(item_id: int, action: str) -> Response:
    kb = hr()["kb"]
    try:
        if action == "dismiss":
            kb.dismiss_review_item(item_id)
        else:
            kb.review.reopen_review_item(item_id)
    except ReviewError:
        flash(texts()["queue"]["cannot"], "error")
        return redirect(url_for("queue"))
    record(action, f"#{item_id}")
    flash(texts()["queue"][f"{action}ed" if action == "dismiss" else "reopened"], "info")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("queue"))


def _same_site(url: str | None) -> bool:
    return bool(url) and str(url).startswith(request.host_url)


def dismiss(item_id: int) -> Response:
    return _close(item_id, "dismiss")


def reopen(item_id: int) -> Response:
    return _close(item_id, "reopen")


def document_list() -> str:
    return render_template("documents.html", documents=documents.list_documents(hr()["kb"]), form=UploadForm())


def document_detail(document_id: int) -> str:
    document = documents.get_document(hr()["kb"], document_id) or abort(404)
    return render_template("document.html", document=document)


def _ingest_normalizer() -> Any:
    """The normaliser with spaCy's parser (sentences), loaded at the first upload or removal."""
    from backoffice_career.knowledge.factory import build_normalizer

    state = hr()
    if "ingest_normalizer" not in state:
        state["ingest_normalizer"] = build_normalizer(state["settings"])
    return state["ingest_normalizer"]


def upload() -> Any:
    form = UploadForm()
    t = texts()["documents"]
    if not form.validate_on_submit():
        flash(t["no_file"], "error")
        return redirect(url_for("document_list"))
    file = form.document.data
    try:
        name = documents.upload(
            hr()["kb"], hr()["settings"], _ingest_normalizer(), file.filename or "", file.read(), t
        )
    except documents.DocumentRefused as exc:
        flash(str(exc), "error")
        return render_template("documents.html", documents=documents.list_documents(hr()["kb"]), form=form), 400
    record("upload", name)
    flash(t["uploaded"].format(name=name), "info")
    return redirect(url_for("document_list"))


def remove(document_id: int) -> Response:
    t = texts()["documents"]
    try:
        title = documents.remove(hr()["kb"], hr()["settings"], _ingest_normalizer(), document_id, t)
    except documents.DocumentRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("document_list"))
    record("remove", f"{title} (#{document_id})")
    flash(t["removed"].format(title=title), "info")
    return redirect(url_for("document_list"))


def register(app: Flask) -> None:
    app.add_url_rule("/", "queue", queue)
    app.add_url_rule("/queue/<int:item_id>/answer", "answer", answer, methods=["GET", "POST"])
    app.add_url_rule("/queue/<int:item_id>/dismiss", "dismiss", dismiss, methods=["POST"])
    app.add_url_rule("/queue/<int:item_id>/reopen", "reopen", reopen, methods=["POST"])
    app.add_url_rule("/documents", "document_list", document_list)
    app.add_url_rule("/documents/<int:document_id>", "document_detail", document_detail)
    app.add_url_rule("/documents/upload", "upload", upload, methods=["POST"])
    app.add_url_rule("/documents/<int:document_id>/remove", "remove", remove, methods=["POST"])
