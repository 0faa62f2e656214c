"""Per-test PostgreSQL databases on the cluster named by EVENTCODER_TEST_POSTGRES_URL.

`.ci/postgres.sh` starts such a cluster; each test gets a uniquely named database, dropped by a
finalizer, so tests never see each other's rows and can run in any order.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit


def database_url(admin_url: str, dbname: str) -> str:
    """The admin URL with its database name replaced by `dbname` (user, host, port kept)."""
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def create_database(admin_url: str, prefix: str = "ectest") -> str:
    """Create an empty database with a unique name and return its URL."""
    import psycopg
    from psycopg import sql

    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:  # CREATE DATABASE cannot run in a transaction
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(admin_url, name)


def drop_database(admin_url: str, url: str) -> None:
    """Drop the database of `url`, closing any connection a test left open (FORCE, PostgreSQL 13+)."""
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def fresh_database(request, admin_url: str) -> str:
    """A new, empty database for this test; a finalizer drops it afterwards."""
    url = create_database(admin_url)
    request.addfinalizer(lambda: drop_database(admin_url, url))
    return url
