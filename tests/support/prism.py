"""Stoplight Prism (``prism proxy``) in front of a loopback server, for tests.

Prism validates every request (and the server's response) against an OpenAPI document; with
``--errors`` a request that breaks it is answered 422 (``application/problem+json``) and never
reaches the server. A request that passes with only warnings is forwarded and its response
carries an ``sl-violations`` header.

Where Prism is found, first hit wins:

- ``$LEADDESK_PRISM``: the ``prism`` executable (``.ci/prism.sh`` exports it);
- ``.cache/prism/node_modules/.bin/prism`` in this clone (where ``.ci/prism.sh`` installs it);
- ``prism`` on PATH.

Not found: tests using it skip, saying how to install it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ENV_PRISM = "LEADDESK_PRISM"
ROOT = Path(__file__).resolve().parents[2]
CACHED = ROOT / ".cache" / "prism" / "node_modules" / ".bin" / "prism"
SKIP_REASON = (
    f"Stoplight Prism not found (${ENV_PRISM}, {CACHED.relative_to(ROOT)} or `prism` on PATH): "
    "install it with `bash .ci/prism.sh` (npm install @stoplight/prism-cli@5)"
)
START_TIMEOUT = 30.0


def find_prism() -> str | None:
    """The ``prism`` executable, or ``None``."""
    configured = os.environ.get(ENV_PRISM)
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    if os.access(CACHED, os.X_OK):
        return str(CACHED)
    return shutil.which("prism")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PrismProxy:
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def prism_proxy(prism: str, spec: Path, upstream: str) -> Iterator[PrismProxy]:
    """``prism proxy --errors spec upstream`` on 127.0.0.1 and a free high port, until the
    block ends (its log in a temporary file, for failure messages)."""
    with tempfile.TemporaryDirectory(prefix="leaddesk-prism-") as tmp:
        log_path = Path(tmp) / "prism.log"
        for _attempt in range(3):  # the free port may be taken before Prism binds it
            port = _free_port()
            with log_path.open("w", encoding="utf-8") as log:
                proc = subprocess.Popen(
                    [prism, "proxy", "-h", "127.0.0.1", "-p", str(port), "--errors",
                     str(spec), upstream],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            try:
                if _wait_listening(proc, port):
                    yield PrismProxy(f"http://127.0.0.1:{port}", log_path)
                    return
            finally:
                _stop(proc)
        raise RuntimeError(f"prism proxy did not start:\n{log_path.read_text()[-2000:]}")


def _wait_listening(proc: subprocess.Popen[bytes], port: int) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return True
        time.sleep(0.05)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
