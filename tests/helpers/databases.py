"""Throwaway PostgreSQL databases on the tests' server (tests/helpers/services.py)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from sqlalchemy import inspect, text

from backoffice_career.knowledge.db import make_engine
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


def rows_holding(url: str, word: str) -> list:
    """Every row of every table of the database at `url` that holds `word` anywhere (any case)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [
                (table, tuple(row))
                for table in inspect(engine).get_table_names()
                for row in connection.execute(text(f"SELECT * FROM {table}"))
                if word.lower() in str(tuple(row)).lower()
            ]
    finally:
        engine.dispose()
