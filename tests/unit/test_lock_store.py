"""rasa_server/stores/lock_store.py against the tests' Redis: one holder at a time, across processes."""
from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid

from rasa_server.stores.lock_store import AtomicRedisLockStore
from tests.helpers.services import redis_params

REDIS = redis_params(db=1)


def _worker(prefix: str, conversation: str, log, rounds: int) -> None:
    store = AtomicRedisLockStore(key_prefix=prefix, **REDIS)

    async def run():
        for _ in range(rounds):
            async with store.lock(conversation):
                log.append(("in", time.monotonic()))
                await asyncio.sleep(0.02)
                log.append(("out", time.monotonic()))

    asyncio.run(run())


def test_only_one_process_holds_a_conversation_at_a_time():
    prefix, conversation = f"test{uuid.uuid4().hex[:8]}", "same-user"
    with multiprocessing.Manager() as manager:
        log = manager.list()
        workers = [multiprocessing.Process(target=_worker, args=(prefix, conversation, log, 10)) for _ in range(3)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        assert [w.exitcode for w in workers] == [0, 0, 0]
        entries = sorted(log, key=lambda e: e[1])
    # Never two "in" without an "out" between them.
    assert [kind for kind, _ in entries] == ["in", "out"] * 30


def test_other_conversations_are_not_blocked():
    store = AtomicRedisLockStore(key_prefix=f"test{uuid.uuid4().hex[:8]}", **REDIS)

    async def run():
        async with store.lock("a"):
            async with store.lock("b"):
                return True

    assert asyncio.run(asyncio.wait_for(run(), 5))


def test_built_from_an_endpoints_file_entry_as_rasa_does():
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    config = EndpointConfig.from_dict(
        {
            "type": "rasa_server.stores.lock_store.AtomicRedisLockStore",
            "url": REDIS["host"],
            "port": REDIS["port"],
            "db": 1,
            "key_prefix": "abc",
        }
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.red.ping()
