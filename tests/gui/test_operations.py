"""The background-operation API: results, errors, progress and cancel reach the GUI thread."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread

from leaddesk.ui import operations
from leaddesk.ui.operations import Cancelled, OpContext, op


def test_success_is_delivered_on_the_gui_thread(qtbot) -> None:
    worker_threads: list[object] = []
    results: list[tuple[int, bool]] = []

    def work() -> int:
        worker_threads.append(QThread.currentThread())
        return 42

    gui_thread = QCoreApplication.instance().thread()
    op(work).success(lambda r: results.append((r, QThread.currentThread() is gui_thread))).run()
    qtbot.waitUntil(lambda: bool(results))
    assert results == [(42, True)]
    assert worker_threads[0] is not gui_thread


def test_failure_goes_to_the_callback_or_the_default_handler(qtbot) -> None:
    def boom() -> None:
        raise ValueError("bad input")

    seen: list[BaseException] = []
    op(boom).failure(seen.append).run()
    qtbot.waitUntil(lambda: bool(seen))
    assert isinstance(seen[0], ValueError)

    default: list[BaseException] = []
    operations.set_default_failure_handler(default.append)
    op(boom).run()
    qtbot.waitUntil(lambda: bool(default))
    assert str(default[0]) == "bad input"


def test_progress_and_finished(qtbot) -> None:
    reports: list[operations.Progress] = []
    finished: list[bool] = []

    def work(ctx: OpContext) -> str:
        for i in range(1, 4):
            ctx.progress(i, 3, "step")
        return "done"

    results: list[str] = []
    (
        op(work, context=True)
        .progress(reports.append)
        .success(results.append)
        .finished(lambda: finished.append(True))
        .run()
    )
    qtbot.waitUntil(lambda: bool(finished))
    assert results == ["done"]
    assert reports[-1].done == 3 and reports[-1].total == 3


def test_cancel_stops_the_work_and_delivers_nothing(qtbot) -> None:
    started, release = threading.Event(), threading.Event()
    results: list[object] = []
    finished: list[bool] = []

    def work(ctx: OpContext) -> str:
        started.set()
        release.wait(5)
        ctx.check()
        return "not wanted"

    operation = (
        op(work, context=True)
        .success(results.append)
        .failure(results.append)
        .finished(lambda: finished.append(True))
        .run()
    )
    assert started.wait(5)
    operation.cancel()
    release.set()
    qtbot.waitUntil(lambda: bool(finished))
    assert results == []
    assert operation.is_cancelled and operation.is_done


def test_nothing_is_delivered_to_a_deleted_parent(qtbot) -> None:
    release = threading.Event()
    results: list[object] = []
    parent = QObject()
    operation = op(lambda: release.wait(5), parent=parent).success(results.append).run()
    shiboken6.delete(parent)
    release.set()
    qtbot.waitUntil(lambda: operation.is_done)
    assert results == []


def test_an_operation_runs_once(qtbot) -> None:
    operation = op(lambda: 1).run()
    with pytest.raises(RuntimeError):
        operation.run()
    qtbot.waitUntil(lambda: operation.is_done)


def test_cancelled_raised_by_check_is_not_a_failure(qtbot) -> None:
    failures: list[BaseException] = []

    def work() -> None:
        raise Cancelled

    operation = op(work).failure(failures.append).run()
    qtbot.waitUntil(lambda: operation.is_done)
    assert failures == []
