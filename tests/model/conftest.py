"""The trained model, loaded once for the tests of this folder (a load takes about 30 s)."""
from __future__ import annotations

import pytest

from tests.helpers.bot_fixtures import require_model
from tests.helpers.faq import MODEL


@pytest.fixture(scope="session")
def batch_nlu():
    require_model()
    from hr.nlu_batch import BatchNlu

    return BatchNlu(MODEL)
