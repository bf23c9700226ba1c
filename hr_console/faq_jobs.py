"""FAQ batch jobs of the console: the CSV of `make faq`, answered in a background thread, progress polled.

The answered file goes to EXPORTS_DIR with its date in its name (erasure and retention delete it).
"""
from __future__ import annotations

import secrets
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backoffice_career.knowledge.base import KnowledgeBase
from backoffice_career.privacy.outputs import dated_path
from backoffice_career.settings import Settings
from hr.faq import FaqInputError, answer_questions, load_messages, read_questions, review_min_confidence, write_answers
from hr.nlu_batch import BATCH_SIZE

RUNNING, DONE, FAILED = "running", "done", "failed"


@dataclass
class FaqJob:
    id: str
    total: int
    done: int = 0
    status: str = RUNNING
    error: str = ""
    output: Path | None = None
    answered: int = 0


@dataclass
class FaqJobs:
    """The jobs of this process; one NLU model, loaded at the first job."""

    settings: Settings
    kb: KnowledgeBase
    jobs: dict[str, FaqJob] = field(default_factory=dict)
    _nlu: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, job_id: str) -> FaqJob | None:
        return self.jobs.get(job_id)

    def start(self, data: bytes, filename: str) -> FaqJob:
        """Reads the CSV now (FaqInputError: a French message naming `filename`) and answers it in a thread."""
        messages = load_messages()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "questions.csv"
            path.write_bytes(data)
            try:
                source = read_questions(path, messages)
            except FaqInputError as exc:
                raise FaqInputError(str(exc).replace(str(path), filename)) from None
        if not self.settings.rasa_model.is_file():
            raise FaqInputError(messages["errors"]["model_missing"].format(path=self.settings.rasa_model))
        job = FaqJob(secrets.token_hex(8), len(source.questions))
        self.jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, source, messages), daemon=True).start()
        return job

    def _model(self) -> Any:
        from hr.nlu_batch import BatchNlu

        with self._lock:
            if self._nlu is None:
                self._nlu = BatchNlu(self.settings.rasa_model)
            return self._nlu

    def _run(self, job: FaqJob, source: Any, messages: dict[str, Any]) -> None:
        try:
            nlu = self._model()
            minimum = review_min_confidence(self.settings, messages)
            rows = []
            for start in range(0, job.total, BATCH_SIZE):
                batch = source.questions[start : start + BATCH_SIZE]
                rows += answer_questions(batch, nlu, self.kb, minimum, messages, progress=False, settings=self.settings)
                job.done = len(rows)
            output = dated_path(self.settings.exports_dir, f"faq-{job.id}", "csv")
            output.parent.mkdir(parents=True, exist_ok=True)
            write_answers(output, rows, source)
            job.output, job.answered, job.status = output, sum(r["status"] == "answered" for r in rows), DONE
        except Exception as exc:  # shown to HR on the progress page; the console keeps running
            job.status, job.error = FAILED, str(exc)
