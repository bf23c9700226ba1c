"""Throwaway PostgreSQL databases on the tests' server (tests/helpers/services.py)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from tests.helpers.services import postgres_admin_url


@contextmanager
def new_postgres_database():
    """A new, empty PostgreSQL database on the tests' server, dropped afterwards."""
    import psycopg2
    from psycopg2 import sql

    admin_url = postgres_admin_url()
    name = f"kb_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(admin_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()
