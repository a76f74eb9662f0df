"""What the benchmarks share about PostgreSQL: a database of their own, made fresh for a run."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit


def fresh_database(name: str, *, server_variable: str) -> str:
    """Drop and create database `name` on the server in `server_variable` (default: the local one); its URL."""
    import psycopg
    from psycopg import sql

    server = os.environ.get(server_variable, "postgres://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
