"""The detail panel's small forms: add a note, log a call/meeting/email with its outcome, add a
task. Each emits what the rep entered; the loader saves it and the panel shows the result."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCoreApplication, QDateTime, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.leads.contact_log import CONTACT_KINDS, OUTCOMES
from leaddesk.store.enums import TaskKind
from leaddesk.ui import formatting
from leaddesk.ui.widgets import Card, error_label


def _tr(text: str) -> str:
    return QCoreApplication.translate("LeadDetailPanel", text)


def _narrow(widget: QWidget) -> QWidget:
    """Let the layout shrink the widget below its text's width (no clipping of the panel)."""
    widget.setSizePolicy(QSizePolicy.Policy.Ignored, widget.sizePolicy().verticalPolicy())
    widget.setMinimumWidth(90)
    return widget


class _Form(Card):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(10, 8, 10, 8)
        self.grid.setHorizontalSpacing(6)
        self.grid.setVerticalSpacing(6)
        self.error = error_label()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def clear_error(self) -> None:
        self.error.clear()
        self.error.hide()


class NotesEditor(QWidget):
    """The lead's notes as text, and Edit notes… to change them in place; emits
    ``edited(text)`` on Save."""

    edited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = ""
        self.label = QLabel()
        self.label.setObjectName("LeadNotes")
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.editor = QPlainTextEdit()
        self.editor.setFixedHeight(120)
        self.edit_button = QPushButton(_tr("Edit notes"))
        self.save_button = QPushButton(_tr("Save notes"))
        self.cancel_button = QPushButton(_tr("Cancel"))
        self.edit_button.clicked.connect(lambda: self._editing(True))
        self.cancel_button.clicked.connect(lambda: self._editing(False))
        self.save_button.clicked.connect(self._save)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.label, 0, 0, 1, 3)
        grid.addWidget(self.editor, 1, 0, 1, 3)
        grid.addWidget(self.edit_button, 2, 2)
        grid.addWidget(self.cancel_button, 2, 1)
        grid.addWidget(self.save_button, 2, 2)
        grid.setColumnStretch(0, 1)
        self._editing(False)

    def show_notes(self, text: str) -> None:
        self.text = text
        self.label.setText(text or _tr("No notes yet."))
        self.label.setProperty("role", "" if text else "muted")
        self._editing(False)

    def _editing(self, on: bool) -> None:
        if on:
            self.editor.setPlainText(self.text)
        for widget in (self.editor, self.save_button, self.cancel_button):
            widget.setVisible(on)
        self.label.setVisible(not on)
        self.edit_button.setVisible(not on)

    def _save(self) -> None:
        text = self.editor.toPlainText().strip()
        self._editing(False)
        if text != self.text.strip():
            self.label.setText(text or _tr("No notes yet."))
            self.edited.emit(text)


class NoteForm(_Form):
    """Emits ``submitted(text)``."""

    submitted = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(_tr("Write a note about this lead…"))
        self.text.setFixedHeight(54)
        self.add_button = QPushButton(_tr("Add note"))
        self.add_button.clicked.connect(self._submit)
        self.grid.addWidget(self.text, 0, 0, 1, 2)
        self.grid.addWidget(self.error, 1, 0)
        self.grid.addWidget(self.add_button, 1, 1)

    def _submit(self) -> None:
        text = self.text.toPlainText().strip()
        if not text:
            self.show_error(_tr("Write the note first."))
            return
        self.clear_error()
        self.submitted.emit(text)

    def saved(self) -> None:
        self.text.clear()


class ContactLogForm(_Form):
    """Emits ``submitted(kind, outcome, notes)``."""

    submitted = Signal(str, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = QComboBox()
        for kind in CONTACT_KINDS:
            self.kind.addItem(formatting.channel_label(kind), kind)
        self.outcome = QComboBox()
        for outcome in OUTCOMES:
            self.outcome.addItem(formatting.label(outcome), outcome)
        self.notes = QLineEdit()
        self.notes.setPlaceholderText(_tr("What was said (optional)"))
        self.log_button = QPushButton(_tr("Log"))
        self.log_button.setToolTip(_tr("Record that this contact happened now"))
        self.log_button.clicked.connect(self._submit)
        self.notes.returnPressed.connect(self._submit)
        self.grid.addWidget(_narrow(self.kind), 0, 0)
        self.grid.addWidget(_narrow(self.outcome), 0, 1, 1, 2)
        self.grid.addWidget(_narrow(self.notes), 1, 0, 1, 2)
        self.grid.addWidget(self.log_button, 1, 2)
        self.grid.addWidget(self.error, 2, 0, 1, 3)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)

    def _submit(self) -> None:
        self.clear_error()
        self.submitted.emit(
            str(self.kind.currentData()), str(self.outcome.currentData()),
            self.notes.text().strip())

    def saved(self) -> None:
        self.notes.clear()


class TaskForm(_Form):
    """Emits ``submitted(kind, title, due_at)``."""

    submitted = Signal(str, str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLineEdit()
        self.title.setPlaceholderText(_tr("New task, e.g. Call back about pricing"))
        self.kind = QComboBox()
        for kind in TaskKind:
            self.kind.addItem(formatting.channel_label(kind.value), kind.value)
        self.due = QDateTimeEdit()
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("dd MMM yyyy HH:mm")
        self.reset_due()
        self.add_button = QPushButton(_tr("Add task"))
        self.add_button.clicked.connect(self._submit)
        self.title.returnPressed.connect(self._submit)
        self.due.setToolTip(_tr("When the task is due"))
        self.grid.addWidget(_narrow(self.title), 0, 0, 1, 2)
        self.grid.addWidget(_narrow(self.kind), 1, 0)
        self.grid.addWidget(_narrow(self.due), 1, 1)
        self.grid.addWidget(self.error, 2, 0)
        self.grid.addWidget(self.add_button, 2, 1, Qt.AlignmentFlag.AlignRight)
        self.grid.setColumnStretch(0, 2)
        self.grid.setColumnStretch(1, 3)

    def reset_due(self) -> None:
        """Due tomorrow at 09:00, local time."""
        tomorrow = QDateTime.currentDateTime().addDays(1)
        tomorrow.setTime(tomorrow.time().fromString("09:00", "HH:mm"))
        self.due.setDateTime(tomorrow)

    def due_at(self) -> dt.datetime:
        return self.due.dateTime().toPython().astimezone(dt.UTC)

    def _submit(self) -> None:
        title = self.title.text().strip()
        if not title:
            self.show_error(_tr("Name the task first."))
            return
        self.clear_error()
        self.submitted.emit(str(self.kind.currentData()), title, self.due_at())

    def saved(self) -> None:
        self.title.clear()
        self.reset_due()


def stack(*widgets: QWidget) -> QWidget:
    """Widgets one above the other, no margins."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(6)
    for widget in widgets:
        layout.addWidget(widget)
    return box
