"""The detail panel's list items: a message (with Open), a task (with Done and Snooze) and a
timeline entry. Every text wraps or elides inside the card, so no width clips it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.activity import ActivityRecord
from leaddesk.services.leads.tasks import TaskRecord
from leaddesk.services.messaging.messages import MessageRecord
from leaddesk.ui import formatting
from leaddesk.ui.widgets import Card, badge, muted

#: Snooze choices: the label and how far the due time moves from now.
SNOOZE_CHOICES = (
    ("1 hour", dt.timedelta(hours=1)),
    ("Tomorrow", dt.timedelta(days=1)),
    ("Next week", dt.timedelta(days=7)),
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("LeadDetailPanel", text)


def clear_layout(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.deleteLater()


def layout_texts(layout: QVBoxLayout) -> list[str]:
    """Each row of a list as one line of text (what a screen reader or a test reads)."""
    lines = []
    for i in range(layout.count()):
        widget = layout.itemAt(i).widget()
        labels = widget.findChildren(QLabel) if widget else []
        if labels:
            lines.append(" ".join(label.text() for label in labels if label.text()))
    return lines


def _small_button(text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.setProperty("role", "small")
    button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return button


def item_card(heading: str, state: QLabel | None, when: str, summary: str) -> Card:
    """One message or task: its kind in bold, a state badge and a date on top, the summary
    below, wrapped (a long word is broken by the label, never cut at the card's edge)."""
    row = Card()
    layout = QVBoxLayout(row)
    layout.setContentsMargins(10, 8, 10, 8)
    layout.setSpacing(2)
    top = QHBoxLayout()
    kind = QLabel(heading)
    kind.setProperty("role", "strong")
    top.addWidget(kind)
    if state is not None:
        top.addWidget(state)
    top.addStretch(1)
    date_label = muted(when)
    date_label.setWordWrap(False)
    top.addWidget(date_label)
    layout.addLayout(top)
    line = muted(summary)
    line.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    layout.addWidget(line)
    return row


def _actions(card: Card) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(6)
    row.addStretch(1)
    layout = card.layout()
    assert isinstance(layout, QVBoxLayout)
    layout.addLayout(row)
    return row


def message_card(message: MessageRecord, open_message: Callable[[MessageRecord], None]) -> Card:
    lines = message.body.strip().splitlines()
    card = item_card(
        formatting.channel_label(message.channel),
        badge(message.state),
        formatting.date(message.sent_at or message.created_at),
        message.subject or (lines[0] if lines else ""),
    )
    button = _small_button(_tr("Open"), _tr("Read the message and its timeline"))
    button.setObjectName("OpenMessage")
    button.clicked.connect(lambda: open_message(message))
    _actions(card).addWidget(button)
    return card


def task_card(
    task: TaskRecord,
    now: dt.datetime,
    complete: Callable[[TaskRecord], None],
    snooze: Callable[[TaskRecord, dt.datetime], None],
) -> Card:
    """A task; an open one has Done and a Snooze menu."""
    state = None
    if task.done:
        state = badge(_tr("Done"), "done")
    elif task.overdue(now):
        state = badge(_tr("Overdue"), "failed")
    if task.done:
        when = formatting.date(task.done_at)
    elif task.due_at is not None:
        when = _tr("due %1").replace("%1", formatting.date_time(task.due_at))
    else:
        when = ""
    card = item_card(formatting.channel_label(task.kind), state, when, task.title)
    if task.done:
        return card
    row = _actions(card)
    snooze_button = _small_button(_tr("Snooze"), _tr("Move the due time later"))
    snooze_button.setObjectName("SnoozeTask")
    menu = QMenu(snooze_button)
    for text, delta in SNOOZE_CHOICES:
        action = menu.addAction(_tr(text))
        action.setData(delta)
        action.triggered.connect(
            lambda _=False, d=delta: snooze(task, dt.datetime.now(dt.UTC) + d))
    snooze_button.setMenu(menu)
    done = _small_button(_tr("Done"), _tr("Mark the task done"))
    done.setObjectName("CompleteTask")
    done.clicked.connect(lambda: complete(task))
    row.addWidget(snooze_button)
    row.addWidget(done)
    return card


def activity_row(entry: ActivityRecord) -> QWidget:
    """A timeline entry: the date above its text, so neither is squeezed at a narrow width."""
    row = QWidget()
    layout = QVBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 4)
    layout.setSpacing(0)
    when = muted(formatting.date_time(entry.created_at))
    what = QLabel(formatting.label(entry.summary or entry.action))
    what.setWordWrap(True)
    what.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    what.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    layout.addWidget(when)
    layout.addWidget(what)
    return row
