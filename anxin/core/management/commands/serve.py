"""manage.py serve: the web server (gunicorn) and the task worker (Huey consumer) together,
as `make run` starts them. Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

# gunicorn's access log: time, method, path, status, duration. Never the client address
# (%(h)s, X-Forwarded-For), the query string, the referer or the user agent: the public report
# and emergency URLs (/s/…, /api/v1/public/…) must not tie a reporter to an address.
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(L)ss'


class Command(BaseCommand):
    help = "Serve the app with gunicorn and run the Huey task consumer alongside."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "2"))

    def handle(self, *args, host, port, workers, **opts):
        bindir = os.path.dirname(sys.executable)
        web = [
            os.path.join(bindir, "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--timeout",
            "120",
            "--access-logfile",
            "-",
            "--access-logformat",
            ACCESS_LOG_FORMAT,
        ]
        worker = [sys.executable, "manage.py", "run_huey", "--quiet"]
        procs = [subprocess.Popen(web), subprocess.Popen(worker)]  # noqa: S603
        self.stdout.write(
            self.style.SUCCESS(f"安心校园 Anxin: http://{host}:{port}/  (web + task worker; Ctrl-C stops)")
        )

        def stop(*_):
            for p in procs:
                if p.poll() is None:
                    p.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        finally:
            stop()
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        codes = [p.returncode for p in procs]
        if any(c not in (0, -signal.SIGTERM, -signal.SIGINT) for c in codes):
            raise SystemExit(1)
