"""Fixtures starting the fake provider servers of tests/fakes for one test each."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.tls import TestCertificates, make_certificates
from tests.fakes.twilio_spec import SPEC_MISSING_REASON, spec_available

DATA = Path(__file__).resolve().parents[2] / "unit" / "channels" / "data"


@pytest.fixture(autouse=True)
def _no_thread_left_behind() -> Iterator[None]:
    """Every fake server must be stopped, with its threads, by the end of its test."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2
    while (left := set(threading.enumerate()) - before) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not left, f"threads left running: {sorted(t.name for t in left)}"


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> TestCertificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def twilio_server() -> Iterator[object]:
    if not spec_available():
        pytest.skip(SPEC_MISSING_REASON)
    from tests.fakes.twilio_server import FakeTwilioServer

    with FakeTwilioServer() as server:
        yield server


@pytest.fixture
def sample_messages() -> dict[str, bytes]:
    """The stored real-looking messages (replies, bounces, out-of-office) by file stem."""
    return {path.stem: path.read_bytes() for path in sorted(DATA.glob("*.eml"))}
