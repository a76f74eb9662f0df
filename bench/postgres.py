"""What the benchmarks share: a PostgreSQL database of their own, made fresh for a run, and production settings."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
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


def production_environment(base: dict[str, str], *, name: str, workdir: Path, database_url: str) -> dict[str, str]:
    """`base` with the platform's production settings (DEBUG=False, a fresh key) on plain HTTP, on `database_url`,
    with files and the search index under `workdir`."""
    return {
        **base,
        "DEBUG": "False",
        "SECRET_KEY": f"{name}-{secrets.token_hex(24)}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(workdir / "media"),
        "SEARCH_INDEX_DIR": str(workdir / "index"),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONUNBUFFERED": "1",
    }
