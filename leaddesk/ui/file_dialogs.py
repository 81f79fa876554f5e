"""Every file dialog of the window: it opens where the user keeps files (the folder they used
last, else Downloads for a file to read and Documents for one to write), never in the folder the
program happened to start in, and remembers the folder chosen for next time."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

#: The QSettings key of the folder the last file was opened from or saved in.
LAST_FOLDER_KEY = "files/last_folder"

_Location = QStandardPaths.StandardLocation


def start_folder(for_saving: bool, settings: QSettings | None = None) -> Path:
    """The folder a dialog opens in: the last one used while it exists, else the user's
    Documents (saving) or Downloads (opening), else their home."""
    settings = settings if settings is not None else QSettings()
    last = settings.value(LAST_FOLDER_KEY, "", str)
    if last and Path(last).is_dir():
        return Path(last)
    wanted = _Location.DocumentsLocation if for_saving else _Location.DownloadLocation
    for location in (wanted, _Location.HomeLocation):
        folder = QStandardPaths.writableLocation(location)
        if folder and Path(folder).is_dir():
            return Path(folder)
    return Path.home()


def remember_folder(path: Path, settings: QSettings | None = None) -> None:
    settings = settings if settings is not None else QSettings()
    settings.setValue(LAST_FOLDER_KEY, str(path.parent))


def open_file(parent: QWidget | None, caption: str, filters: str,
              settings: QSettings | None = None) -> Path | None:
    """Ask for a file to read; None when the user cancels."""
    path, _chosen = QFileDialog.getOpenFileName(
        parent, caption, str(start_folder(False, settings)), filters
    )
    if not path:
        return None
    remember_folder(Path(path), settings)
    return Path(path)


def save_file(parent: QWidget | None, caption: str, file_name: str, filters: str,
              settings: QSettings | None = None) -> Path | None:
    """Ask where to write ``file_name`` (suggested in the start folder); None on cancel."""
    path, _chosen = QFileDialog.getSaveFileName(
        parent, caption, str(start_folder(True, settings) / file_name), filters
    )
    if not path:
        return None
    remember_folder(Path(path), settings)
    return Path(path)
