"""The window's answer to a database that cannot be opened at start: what is wrong, and the
ways out (try again, open another database, restore the latest backup, quit) instead of a
traceback. ``ask_about_fault`` returns the database URL to try next, or None to quit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.start_faults import FaultKind, StartFault, restore_latest_backup
from leaddesk.ui.widgets import muted, title

PickFile = Callable[[QWidget], str]

_TITLES = {
    FaultKind.CORRUPT: "The database file is damaged",
    FaultKind.SERVER_DOWN: "The database server does not answer",
    FaultKind.MISSING_FOLDER: "The database's folder does not exist",
    FaultKind.UNSUPPORTED_URL: "LeadDesk cannot use this database address",
    FaultKind.TOO_NEW: "This database is from a newer LeadDesk",
    FaultKind.UNREADABLE: "The database file cannot be opened",
}


def pick_database_file(parent: QWidget) -> str:
    path, _ = QFileDialog.getOpenFileName(
        parent, parent.tr("Open a LeadDesk database"), str(Path.home()),
        parent.tr("LeadDesk databases (*.db *.sqlite);;All files (*)"))
    return path


class StartFaultDialog(QDialog):
    """Shows one fault; after it closes, ``next_url`` is what to open next (None: quit)."""

    def __init__(self, fault: StartFault, backup_dir: Path,
                 pick_file: PickFile = pick_database_file,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fault, self._backup_dir, self._pick_file = fault, backup_dir, pick_file
        self.next_url: str | None = None
        self.setWindowTitle(self.tr("LeadDesk cannot open the database"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.addWidget(title(self.tr(_TITLES[fault.kind])))
        sentence = fault.reason[:1].upper() + fault.reason[1:]
        self.message = QLabel(sentence if sentence.endswith(".") else sentence + ".")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        backups = fault.backups(backup_dir)
        if fault.path is None:
            note = self.tr("Check the address with --db or $LEADDESK_DATABASE_URL, or open a "
                           "database file instead.")
        elif backups:
            note = self.tr("Latest backup: %1 (the current file is kept beside it).").replace(
                "%1", backups[0].name)
        else:
            note = self.tr("No backup of %1 in %2.").replace("%1", fault.path.name).replace(
                "%2", str(backup_dir))
        self.note = muted(note)
        layout.addWidget(self.note)
        self.error = QLabel()
        self.error.setObjectName("ErrorLabel")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.retry = QPushButton(self.tr("Try again"))
        self.open_other = QPushButton(self.tr("Open another database…"))
        self.restore = QPushButton(self.tr("Restore latest backup"))
        self.quit = QPushButton(self.tr("Quit"))
        self.restore.setEnabled(bool(backups))
        if not backups:
            self.restore.setToolTip(self.tr("No backup of this database was found"))
        self.retry.setDefault(True)
        self.retry.clicked.connect(lambda: self._next(fault.url))
        self.open_other.clicked.connect(self.choose_other)
        self.restore.clicked.connect(self.restore_backup)
        self.quit.clicked.connect(self.reject)
        row = QHBoxLayout()
        for button in (self.retry, self.open_other, self.restore):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.quit)
        layout.addLayout(row)

    def _next(self, url: str) -> None:
        self.next_url = url
        self.accept()

    def choose_other(self) -> None:
        path = self._pick_file(self)
        if path:
            self._next(f"sqlite:///{Path(path).resolve()}")

    def restore_backup(self) -> None:
        try:
            restore_latest_backup(self.fault, self._backup_dir)
        except OSError as exc:
            self.error.setText(self.tr("The backup could not be restored: %1").replace(
                "%1", str(exc)))
            self.error.show()
            return
        self._next(self.fault.url)


def ask_about_fault(
    fault: StartFault,
    backup_dir: Path,
    show: Callable[[QDialog], object] | None = None,
    pick_file: PickFile = pick_database_file,
) -> str | None:
    """Show the fault modally (``show`` drives it in tests); the URL to try next, or None."""
    dialog = StartFaultDialog(fault, backup_dir, pick_file)
    try:
        (show or QDialog.exec)(dialog)
        return dialog.next_url
    finally:
        dialog.deleteLater()
