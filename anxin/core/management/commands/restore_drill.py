"""manage.py restore_drill: back up, restore into a fresh database, and prove the copy whole
(R-Q-5; docs/operations.md "Restore drill").

1. ``pg_dump -Fc`` of the database, and a tarball of the uploads (MEDIA_ROOT) and, when the
   setting exists, the audit checkpoint directory (ANXIN_AUDIT_CHECKPOINT_DIR);
2. ``createdb`` a fresh database and ``pg_restore`` the dump into it; unpack the tarball apart;
3. run ``verify_audit`` against the restored database;
4. compare the row count of every table, and the list and sizes of the files;
5. drop the drill database (``--keep`` keeps it for a look).

Exits non-zero on any mismatch or failure, naming it. PostgreSQL only: the SQLite trial is
backed up with ``sqlite3 .backup`` (see docs/operations.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def _conn_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _conn_args(db: dict) -> list[str]:
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


def _url(db: dict, name: str) -> str:
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{name}"


def _run(cmd: list[str], env: dict) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise CommandError(f"{cmd[0]} 失败 / failed: {done.stderr.strip()[:2000]}")


def _counts(db: dict, name: str) -> dict[str, int]:
    import psycopg
    from psycopg import sql

    kwargs = {"host": db.get("HOST") or None, "port": db.get("PORT") or None, "user": db.get("USER") or None}
    if db.get("PASSWORD"):
        kwargs["password"] = db["PASSWORD"]
    with psycopg.connect(dbname=name, **kwargs) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {
            t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
            for t in tables
        }


def _files(root: Path) -> dict[str, int]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.stat().st_size for p in root.rglob("*") if p.is_file()}


class Command(BaseCommand):
    help = "Back up, restore into a fresh database, verify the audit chain and compare row counts."

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="where to write the dump and tarball (default: a temporary dir)")
        parser.add_argument("--keep", action="store_true", help="keep the drill database and files")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError(
                "恢复演练需要 PostgreSQL（DATABASE_URL）。SQLite 试用版请按运维文档用 sqlite3 .backup 备份。"
            )
        for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
            if shutil.which(tool) is None:
                raise CommandError(f"找不到 {tool}：请安装 PostgreSQL 客户端工具（postgresql-client）。")
        db = settings.DATABASES["default"]
        source = db["NAME"]
        env = _conn_env(db)
        workdir = Path(opts["dir"] or tempfile.mkdtemp(prefix="anxin-drill-"))
        workdir.mkdir(parents=True, exist_ok=True)
        target = f"{source}_drill_{os.getpid()}"[:63]
        started = time.monotonic()

        # 1. back up: the database, then the files
        dump = workdir / "anxin.dump"
        connection.close()  # the dump sees only committed data; hold no transaction open
        before = _counts(db, source)
        _run(["pg_dump", "-Fc", "--no-owner", *_conn_args(db), "-f", str(dump), source], env)
        dirs = {"media": Path(settings.MEDIA_ROOT)}
        checkpoints = getattr(settings, "ANXIN_AUDIT_CHECKPOINT_DIR", None)
        if checkpoints:
            dirs["audit_checkpoints"] = Path(checkpoints)
        tarball = workdir / "files.tar.gz"
        with tarfile.open(tarball, "w:gz") as tar:
            for label, path in dirs.items():
                if path.is_dir():
                    tar.add(path, arcname=label)
        self.stdout.write(f"备份完成 / backed up: {dump.name} ({dump.stat().st_size} B), {tarball.name}")

        # 2. restore into a fresh database, and the files apart
        problems: list[str] = []
        _run(["createdb", *_conn_args(db), target], env)
        try:
            _run(
                ["pg_restore", "--no-owner", "--exit-on-error", *_conn_args(db), "-d", target, str(dump)], env
            )
            restored_files = workdir / "restored"
            with tarfile.open(tarball, "r:gz") as tar:
                tar.extractall(restored_files, filter="data")
            for label, path in dirs.items():
                if _files(path) != _files(restored_files / label):
                    problems.append(f"文件不一致 / files differ: {label}")

            # 3. the audit chain of the restored copy
            verify = subprocess.run(
                [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "verify_audit"],
                env={**env, "DATABASE_URL": _url(db, target)},
                capture_output=True,
                text=True,
            )
            if verify.returncode != 0:
                problems.append(f"verify_audit: {(verify.stderr or verify.stdout).strip()[:1000]}")
            else:
                self.stdout.write(verify.stdout.strip())

            # 4. row counts, table by table
            after = _counts(db, target)
            for table in sorted(set(before) | set(after)):
                if before.get(table) != after.get(table):
                    problems.append(
                        f"行数不一致 / rows differ: {table} {before.get(table)} → {after.get(table)}"
                    )
            self.stdout.write(
                f"已比较 {len(before)} 张表的行数 / compared row counts of {len(before)} tables"
            )
        finally:
            if not opts["keep"]:
                subprocess.run(
                    ["dropdb", "--if-exists", *_conn_args(db), target], env=env, capture_output=True
                )
                if not opts["dir"]:
                    shutil.rmtree(workdir, ignore_errors=True)
        took = time.monotonic() - started
        if problems:
            raise CommandError("恢复演练失败 / restore drill failed:\n" + "\n".join(problems))
        self.stdout.write(f"恢复演练通过 / restore drill passed in {took:.1f}s (restored as {target})")
