"""Fixtures of the unit tests that use Rasa's tracker store."""
from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain

from backoffice_career.settings import ROOT


@pytest.fixture(scope="module")
def rasa_domain():
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("postgres_url")
