"""Real Spark clusters on this machine, started from the pyspark distribution.

:func:`standalone_cluster` starts a standalone master and one worker (1 core, 1 GiB)
as two JVM processes; :func:`connect_server` starts a Spark Connect server (local[1]).
Both are context managers that stop their JVMs (the whole process group) even when
the body fails. :func:`java_missing` says why no JVM can start, for a skip.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

#: Seconds a JVM may take to open its port (a loaded 2-core machine is slow).
START_TIMEOUT = 120.0


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def java_missing() -> str | None:
    """Why Spark cannot start here (no pyspark, no Java), or ``None``."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "the spark extra (pyspark) is not installed"
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return None
    if shutil.which("java") is None:
        return "Java is absent (no java on PATH and no JAVA_HOME): a Spark cluster needs Java 17+"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cluster_env() -> dict[str, str]:
    """The environment of the JVMs and of drivers talking to them."""
    return {
        **os.environ,
        "SPARK_HOME": str(spark_home()),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
        "PYSPARK_DRIVER_PYTHON": sys.executable,
        "SPARK_NO_DAEMONIZE": "1",
    }


@contextmanager
def jvm(command: list[str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` in its own process group until the block ends; wait for ``port``."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=cluster_env(), start_new_session=True
        )
    try:
        _wait_for_port(process, port, log)
        yield process
    finally:
        _stop(process)


def _wait_for_port(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the JVM ended (code {process.returncode}):\n{_tail(log)}")
        with socket.socket() as s:
            s.settimeout(1)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise RuntimeError(f"no answer on port {port} after {START_TIMEOUT:.0f}s:\n{_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, SIGKILL after 20 s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextmanager
def standalone_cluster(folder: Path) -> Iterator[str]:
    """A standalone master and one worker (1 core, 1 GiB); yields ``spark://127.0.0.1:PORT``."""
    spark_class = str(spark_home() / "bin" / "spark-class")
    port, worker_port = free_port(), free_port()
    url = f"spark://127.0.0.1:{port}"
    (folder / "work").mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        stack.enter_context(
            jvm(
                [
                    spark_class,
                    "org.apache.spark.deploy.master.Master",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--webui-port",
                    str(free_port()),
                ],
                port,
                folder / "master.log",
            )
        )
        stack.enter_context(
            jvm(
                [
                    spark_class,
                    "org.apache.spark.deploy.worker.Worker",
                    url,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(worker_port),
                    "--webui-port",
                    str(free_port()),
                    "--cores",
                    "1",
                    "--memory",
                    "1g",
                    "--work-dir",
                    str(folder / "work"),
                ],
                worker_port,
                folder / "worker.log",
            )
        )
        yield url


@contextmanager
def connect_server(folder: Path) -> Iterator[str]:
    """A Spark Connect server (local[1], 768 MiB); yields ``sc://127.0.0.1:PORT``."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        str(spark_home() / "bin" / "spark-submit"),
        "--class",
        "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--master",
        "local[1]",
        "--driver-memory",
        "768m",
        "--conf",
        f"spark.connect.grpc.binding.port={port}",
        "--conf",
        "spark.connect.grpc.binding.address=127.0.0.1",
        "--conf",
        "spark.ui.enabled=false",
        "--conf",
        "spark.sql.session.timeZone=UTC",
        "--conf",
        "spark.driver.extraJavaOptions=-Duser.timezone=UTC",
        "--conf",
        f"spark.sql.warehouse.dir={folder / 'warehouse'}",
        "spark-internal",
    ]
    with jvm(command, port, folder / "connect.log"):
        yield f"sc://127.0.0.1:{port}"
