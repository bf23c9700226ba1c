"""Fixtures of the patch tests: Rasa as shipped around each test, a message processor, a database that is down."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy.engine.url import make_url

from launcher.ports import free_port
from rasa_server.patches import uninstall_all
from tests.helpers.tcp_proxy import TcpProxy


@pytest.fixture(autouse=True)
def rasa_as_shipped():
    """Each test installs the patches it tests, on Rasa's own code, and takes them off afterwards."""
    uninstall_all()
    yield
    uninstall_all()


@pytest.fixture
def new_processor(monkeypatch):
    """A MessageProcessor made by Rasa's own constructor, minus the trained model it would load:
    the tests' messages fail at the tracker store, before anything needs a model."""
    from rasa.core.lock_store import InMemoryLockStore
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.core.processor import MessageProcessor

    def build(domain, tracker_store):
        metadata = SimpleNamespace(domain=domain, assistant_id="tests", model_id="no-model")
        monkeypatch.setattr(MessageProcessor, "_load_model", staticmethod(lambda _path: ("no-model", metadata, None)))
        nlg = TemplatedNaturalLanguageGenerator(domain.responses)
        return MessageProcessor("no-model.tar.gz", tracker_store, InMemoryLockStore(), nlg)

    return build


@pytest.fixture
def unreachable_sql_store(postgres_url, rasa_domain):
    """Rasa's SQLTrackerStore on a real PostgreSQL database, reached through a proxy that is then cut."""
    from rasa.core.tracker_store import SQLTrackerStore

    url = make_url(postgres_url)
    proxy = TcpProxy((url.host, url.port or 5432), free_port()).start()
    store = SQLTrackerStore(
        rasa_domain, dialect="postgresql", host="127.0.0.1", port=proxy.port, db=url.database,
        username=url.username, password=url.password,
    )
    proxy.stop()
    yield store
    store.engine.dispose()
