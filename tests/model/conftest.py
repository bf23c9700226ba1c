"""The trained model, loaded once for the tests of this folder (a load takes about 30 s)."""
from __future__ import annotations

import pytest

from tests.helpers.faq import MODEL


@pytest.fixture(scope="session")
def batch_nlu():
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make model` (make test does it)")
    from hr.nlu_batch import BatchNlu

    return BatchNlu(MODEL)
