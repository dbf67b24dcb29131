"""Private servers for the fault tests: a Redis that a test may stop and start, a real Celery
worker on the test database, and what the tests share with the rollup tests' subprocesses.

The shared PostgreSQL and Redis are never stopped: other tests run on them. Without the
server binaries the tests are skipped and say so, except under CI, where that is a failure.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

from config.celery import app as celery_app

POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a worker or a server in another process needs PostgreSQL (SQLite is one process)",
)


def database_url_of_the_tests() -> str:
    """DATABASE_URL of the test database (pytest-django's test_<name>), for a subprocess."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def require(*binaries: str) -> None:
    missing = [name for name in binaries if not shutil.which(name) and not Path(name).exists()]
    if not missing:
        return
    message = f"fault tests need {', '.join(missing)}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, which must be installed in CI")
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds: float = 30.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


class PrivateRedis:
    """A redis-server of the test's own, on a free port, keeping nothing on disk."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, 10, "the private Redis to start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None
        assert not self._answers()


@pytest.fixture
def private_redis(tmp_path):
    require("redis-server")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def portal_on_private_redis(private_redis, settings):
    """The cache and the Celery broker of this process on the private Redis, as production
    has them on its own (REDIS_URL set: a real broker, no in-process tasks)."""
    settings.REDIS_URL = private_redis.url
    settings.CACHES = {
        "default": {
            "BACKEND": "infra.cache.DegradingRedisCache",
            "LOCATION": private_redis.url,
        }
    }
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "task_always_eager")}
    forget_broker_connections()  # the pools are bound to the old broker
    conf.update(broker_url=private_redis.url, task_always_eager=False)
    try:
        yield private_redis
    finally:
        forget_broker_connections()
        conf.update(saved)


def forget_broker_connections() -> None:
    """Drop this process's broker connection and producer pools (what Celery does after a
    fork), so that the next task sent connects to the broker the configuration now names."""
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class Worker:
    """`celery -A config worker --pool solo` on the test database and the private Redis."""

    def __init__(self, redis_url: str, log_path: Path, **environment: str):
        self.log_path = log_path
        self.log = log_path.open("a")
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("celery")), "-A", "config", "worker"]
            + ["--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle"]
            + ["--without-heartbeat"],
            cwd=settings.BASE_DIR,
            env={
                **os.environ,
                "DEBUG": "true",
                "DATABASE_URL": database_url_of_the_tests(),
                "REDIS_URL": redis_url,
                "CELERY_BROKER_URL": redis_url,
                **environment,
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log_path.read_text()

    def wait_until(self, condition, what: str, seconds: float = 60.0) -> None:
        def alive_and(condition=condition):
            assert self.process.poll() is None, self.output()
            return condition()

        wait_for(alive_and, seconds, what)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.log.close()

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no goodbye, no acknowledgement
        self.process.wait(10)
        self.log.close()


@pytest.fixture
def start_worker(tmp_path):
    workers = []

    def start(redis_url: str, **environment: str) -> Worker:
        worker = Worker(redis_url, tmp_path / f"worker-{len(workers)}.log", **environment)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.process.poll() is None:
            worker.stop()
