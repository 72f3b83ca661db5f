"""Real processes for the fault tests: a Redis server, an SMTP server, a Celery worker.

Each one runs for real (a ``redis-server`` process, an aiosmtpd server on a socket, a
``celery worker`` subprocess) so a test can stop, kill or hold it where production would
fail: Redis going down, a worker killed in the middle of a batch, a mail server that
stops answering. tests/faults/conftest.py turns them into fixtures.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    """A TCP port nobody listens on now (the OS picks it; the caller binds it next)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(condition, *, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


# --- Redis ------------------------------------------------------------------------------


class RedisServer:
    """A ``redis-server`` of this test alone: no persistence, on 127.0.0.1 and a free port.

    ``stop()`` (SIGTERM) and ``kill()`` (SIGKILL) bring it down; ``start()`` brings it back
    on the same port, empty.
    """

    def __init__(self, directory: Path, *, port: int | None = None) -> None:
        self.directory = Path(directory)
        self.port = port or free_port()
        self._process: subprocess.Popen | None = None
        self._log = self.directory / f"redis-{self.port}.log"

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, *, timeout: float = 10) -> RedisServer:
        if self.running:
            return self
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 (fixed command, our arguments)
                [
                    REDIS_SERVER,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.directory),
                ],
                cwd=self.directory,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not _wait(self.ping, timeout=timeout):
            self.kill()
            raise RuntimeError(f"redis-server did not answer PING on {self.port}: {self.log()}")
        return self

    def ping(self) -> bool:
        if not self.running:
            return False
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, *, timeout: float = 10) -> None:
        """SIGTERM, then wait for the process to end."""
        self._end(signal.SIGTERM, timeout=timeout)

    def kill(self, *, timeout: float = 10) -> None:
        """SIGKILL, then wait for the process to end."""
        self._end(signal.SIGKILL, timeout=timeout)

    def _end(self, sig: signal.Signals, *, timeout: float) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)

    def log(self) -> str:
        return self._log.read_text(errors="replace") if self._log.exists() else ""


# --- SMTP -------------------------------------------------------------------------------


class SmtpServer:
    """An SMTP server (aiosmtpd) on 127.0.0.1 and a free port that keeps what it receives.

    Every accepted message is parsed into an ``email.message.EmailMessage`` with two more
    attributes, ``envelope_from`` and ``envelope_recipients`` (the RCPT TO addresses), and
    appended to ``messages``.

    ``hold_after(n)``: once ``n`` messages were accepted, the next DATA is not answered
    (its handler waits) so the test can kill the sender in the middle of a batch;
    ``release()`` then has every held handler answer 451 (try again later): a held message
    is never counted as delivered. After ``release()`` messages are accepted again.
    """

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._messages: list[EmailMessage] = []
        self._hold_after: int | None = None
        self._held = 0
        self._release = threading.Event()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    @property
    def held(self) -> int:
        """How many DATA commands are waiting (or waited) unanswered."""
        with self._lock:
            return self._held

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.release()
        with contextlib.suppress(AssertionError, RuntimeError):
            self.controller.stop()

    def hold_after(self, count: int) -> None:
        with self._lock:
            self._hold_after = count
            self._release.clear()

    def release(self) -> None:
        with self._lock:
            self._hold_after = None
            self._release.set()

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        """The messages once at least ``count`` were accepted; TimeoutError otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._messages) >= count, timeout):
                raise TimeoutError(f"{len(self._messages)} messages received, {count} expected")
            return list(self._messages)

    def wait_held(self, count: int = 1, timeout: float = 30) -> None:
        """Until ``count`` DATA commands are held unanswered; TimeoutError otherwise."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._held >= count, timeout):
                raise TimeoutError(
                    f"{self._held} messages held, {count} expected ({len(self._messages)} accepted)"
                )

    # Called by the handler, in the server's event loop.
    def _should_hold(self) -> bool:
        with self._changed:
            if self._hold_after is None or len(self._messages) < self._hold_after:
                return False
            self._held += 1
            self._changed.notify_all()
            return True

    def _accept(self, envelope) -> None:
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        message.envelope_from = envelope.mail_from
        message.envelope_recipients = list(envelope.rcpt_tos)
        with self._changed:
            self._messages.append(message)
            self._changed.notify_all()


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.server._should_hold():
            # Waits in a thread, so the event loop keeps serving other connections.
            await asyncio.get_running_loop().run_in_executor(None, self.server._release.wait)
            return "451 4.3.0 Held by the test, try again later"
        self.server._accept(envelope)
        return "250 Message accepted for delivery"


# --- Celery worker ----------------------------------------------------------------------


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL (django-environ) for the database of ``settings_dict``."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


class WorkerProcess:
    """``celery -A cos_portal worker`` as a real subprocess in its own process group."""

    def __init__(self, *, env: dict[str, str], log_path: Path, concurrency: int = 1) -> None:
        self.log_path = Path(log_path)
        self.name = f"faults-{os.getpid()}-{self.log_path.stem}@127.0.0.1"
        celery = Path(sys.executable).with_name("celery")
        command = [str(celery)] if celery.exists() else [sys.executable, "-m", "celery"]
        pool = ["--pool=solo"] if concurrency == 1 else ["--pool=prefork", f"-c{concurrency}"]
        command += ["-A", "cos_portal", "worker", *pool, "--loglevel=INFO", "--hostname", self.name]
        # No gossip, mingle or heartbeat: the worker talks to the broker only for its tasks.
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 (our interpreter's celery, fixed arguments)
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    def wait_ready(self, timeout: float = 60) -> WorkerProcess:
        if not _wait(lambda: " ready." in self.log() or not self.running, timeout=timeout):
            self.kill()
            raise TimeoutError(f"the worker was not ready in {timeout} s:\n{self.log()[-4000:]}")
        if not self.running:
            raise RuntimeError(f"the worker stopped while starting:\n{self.log()[-4000:]}")
        return self

    def kill(self) -> None:
        """SIGKILL to the whole process group (the worker and any pool child)."""
        self._signal(signal.SIGKILL)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM (warm shutdown), SIGKILL if it has not ended within ``timeout``."""
        self._signal(signal.SIGTERM, timeout=timeout)

    def _signal(self, sig: signal.Signals, *, timeout: float = 10) -> None:
        if self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, sig)
        try:
            self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
