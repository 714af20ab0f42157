"""manage.py audit_roles --print-sql: the PostgreSQL roles that keep the audit trail out of
the running application's reach (LAW 22; docs/operations.md "Database privileges").

An owner role owns every table and runs the migrations; the web and worker processes log in
as a runtime role that owns nothing. On the audit tables the runtime role may only read and
append (and move a stream's head forward): it cannot UPDATE or DELETE audit rows, TRUNCATE,
or switch off the append-only triggers, since only a table's owner may alter it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

# table -> what the runtime role may do there (everything else: SELECT, INSERT, UPDATE, DELETE)
AUDIT_TABLES = {
    "core_auditevent": "SELECT, INSERT",
    "core_auditstreamhead": "SELECT, INSERT, UPDATE",
    "core_auditcheckpoint": "SELECT, INSERT",
}


def _ident(name: str) -> str:
    if not name.replace("_", "").isalnum() or not name[0].isalpha():
        raise CommandError(f"角色名只能由字母、数字和下划线组成：{name!r}")
    return name


def role_sql(owner: str, runtime: str, database: str) -> str:
    """The SQL a superuser runs once (and again after each release's migrations)."""
    owner, runtime, database = _ident(owner), _ident(runtime), _ident(database)
    lines = [
        f"-- run as a superuser: psql -d {database} -f roles.sql; then set both passwords with \\password",
        "DO $$ BEGIN",
        f"  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') THEN"
        f" CREATE ROLE {owner} LOGIN; END IF;",
        f"  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{runtime}') THEN"
        f" CREATE ROLE {runtime} LOGIN; END IF;",
        "END $$;",
        f"ALTER ROLE {runtime} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {owner};",
        f"GRANT CONNECT ON DATABASE {database} TO {owner}, {runtime};",
        f"GRANT USAGE ON SCHEMA public TO {runtime};",
        "-- the owner role owns every table, sequence and function (migrations run as it)",
        "DO $$ DECLARE r record; BEGIN",
        "  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP",
        f"    EXECUTE format('ALTER TABLE public.%I OWNER TO {owner}', r.tablename);",
        "  END LOOP;",
        "  FOR r IN SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public' LOOP",
        f"    EXECUTE format('ALTER SEQUENCE public.%I OWNER TO {owner}', r.sequence_name);",
        "  END LOOP;",
        "  FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace",
        "           WHERE n.nspname = 'public' AND p.proname LIKE 'anxin\\_%' LOOP",
        f"    EXECUTE format('ALTER FUNCTION %s OWNER TO {owner}', r.fn);",
        "  END LOOP;",
        "END $$;",
        "-- the runtime role owns nothing: full DML on application tables ...",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {runtime};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {runtime};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {runtime};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {runtime};",
        "-- ... but on the audit trail only read and append",
    ]
    for table, allowed in AUDIT_TABLES.items():
        lines.append(f"REVOKE ALL ON {table} FROM {runtime};")
        lines.append(f"GRANT {allowed} ON {table} TO {runtime};")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = (
        "Print the SQL that creates the owner and runtime PostgreSQL roles: the runtime role "
        "may only read and append the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("--print-sql", action="store_true", help="print the SQL (the only mode)")
        parser.add_argument("--owner", default="anxin_owner", help="role that owns the tables and migrates")
        parser.add_argument("--runtime", default="anxin_app", help="role of the web and worker processes")
        parser.add_argument("--database", default="", help="database name (default: the configured one)")

    def handle(self, *args, **opts):
        if not opts["print_sql"]:
            raise CommandError("请加 --print-sql：本命令只打印 SQL，由数据库超级用户执行。")
        database = opts["database"] or (
            connection.settings_dict["NAME"] if connection.vendor == "postgresql" else "anxin"
        )
        self.stdout.write(role_sql(opts["owner"], opts["runtime"], str(database)))
