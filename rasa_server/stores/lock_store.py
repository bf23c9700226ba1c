"""A Redis lock store that is safe across processes (several Sanic workers or replicas).

endpoints.yml: lock_store: {type: rasa_server.stores.lock_store.AtomicRedisLockStore, url: 127.0.0.1, port: 6379, db: 1}

Rasa 3.6's RedisLockStore keeps a ticket list per conversation and updates it by reading it,
changing it and writing it back: two workers receiving messages of one conversation at the same
moment can both believe they hold the lock, and one turn overwrites the other in the tracker
store (seen in tests/e2e/test_scale_out.py). This store takes one Redis lock per conversation
instead (SET NX PX to take it, a Lua compare-and-delete to release it: redis-py's Lock).
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from redis.exceptions import LockError as RedisLockError

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.02


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config=None, **kwargs) -> None:
        # Rasa builds custom lock stores from the endpoints.yml entry (url, port, db, key_prefix...).
        if endpoint_config is not None:
            kwargs = dict(endpoint_config.kwargs, host=endpoint_config.url or "localhost", **kwargs)
        super().__init__(**kwargs)

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[None, None]:
        mutex = self.red.lock(f"{self.key_prefix}mutex:{conversation_id}", timeout=lock_lifetime)
        deadline = time.monotonic() + lock_lifetime
        while not mutex.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise LockError(f"Could not lock conversation '{conversation_id}' within {lock_lifetime} s.")
            await asyncio.sleep(POLL_SECONDS)
        try:
            yield None
        finally:
            try:
                mutex.release()
            except RedisLockError:
                logger.warning("lock of conversation %r expired before its message was handled", conversation_id)
