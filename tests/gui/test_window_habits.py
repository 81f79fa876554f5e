"""App-wide habits: file dialogs open where the user keeps files and remember the last folder,
Esc closes secondary windows, dropdowns elide long names, dialog buttons carry no generic
icons."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QStandardPaths, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QStyle

from leaddesk.services.app_services import AppServices
from leaddesk.ui import file_dialogs, formatting, widgets
from leaddesk.ui.leads.duplicates_dialog import DuplicatesDialog


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "habits.ini"), QSettings.Format.IniFormat)


def _answer_file_dialog(qtbot, choose: Path, seen: list[Path]) -> None:
    """When the modal file dialog is up: note the folder it opened in, choose ``choose``."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, answer)
            return
        seen.append(Path(dialog.directory().absolutePath()))
        dialog.selectFile(str(choose))
        dialog.accept()

    QTimer.singleShot(0, answer)


def test_first_dialogs_open_in_downloads_or_documents(settings: QSettings) -> None:
    downloads = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    home = Path.home()
    opening, saving = file_dialogs.start_folder(False, settings), file_dialogs.start_folder(
        True, settings)
    assert opening == (Path(downloads) if Path(downloads).is_dir() else home)
    assert saving == (Path(documents) if Path(documents).is_dir() else home)


def test_the_folder_chosen_is_where_the_next_dialog_opens(qtbot, tmp_path: Path,
                                                          settings: QSettings) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    seen: list[Path] = []
    _answer_file_dialog(qtbot, exports / "leads.csv", seen)
    chosen = file_dialogs.save_file(None, "Export leads", "leads.csv", "CSV (*.csv)", settings)
    assert chosen == exports / "leads.csv"
    assert seen == [file_dialogs.start_folder(True, QSettings(str(tmp_path / "x.ini"),
                                                              QSettings.Format.IniFormat))]
    assert file_dialogs.start_folder(False, settings) == exports

    source = exports / "in.csv"
    source.write_text("email\nx@example.org\n", encoding="utf-8")
    _answer_file_dialog(qtbot, source, seen)
    assert file_dialogs.open_file(None, "Import leads", "CSV (*.csv)", settings) == source
    assert seen[-1] == exports

    exports.rename(tmp_path / "gone")  # a remembered folder that went away is not used
    assert file_dialogs.start_folder(True, settings) != exports


def test_a_long_name_does_not_stretch_a_dropdown(qtbot) -> None:
    combo = widgets.elided_combo()
    qtbot.addWidget(combo)
    combo.addItem("Anyone")
    short = combo.sizeHint().width()
    long_name = "Bea Fischer-Montgomery-Abernathy, Regional Director EMEA & APAC " * 2
    combo.addItem(long_name)
    combo.setCurrentIndex(1)
    assert combo.sizeHint().width() == short
    assert combo.toolTip() == long_name  # the whole name, where the box shows it elided
    combo.show()
    qtbot.waitExposed(combo)
    assert not combo.grab().isNull()  # paints the elided text without error
    assert combo.view().textElideMode() == Qt.TextElideMode.ElideMiddle


def test_dialog_buttons_have_no_generic_icons(qtbot, qapp) -> None:
    widgets.plain_dialog_buttons(qapp)
    widgets.plain_dialog_buttons(qapp)  # twice is once
    assert isinstance(qapp.style(), widgets.PlainButtonsStyle)
    assert qapp.style().styleHint(QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons) == 0
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                           | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert all(button.icon().isNull() for button in box.buttons())


def test_esc_closes_the_pipeline_window(qtbot, window) -> None:
    board = window.file_actions.open_pipeline()
    qtbot.waitUntil(board.is_loaded, timeout=20_000)
    assert board.isWindow() and board.isVisible()
    board.activateWindow()
    qtbot.keyClick(board, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not board.isVisible())
    assert window.isVisible()


def test_labels_read_as_people_write_them() -> None:
    assert formatting.label("linkedin_url") == "LinkedIn URL"
    assert formatting.label("edited linkedin_url, status") == "Edited LinkedIn URL, status"
    assert formatting.label("follow_up") == "Follow up"
    assert formatting.label("sms") == "SMS"
    assert [formatting.plural(n, "lead") for n in (0, 1, 2, 1500)] == [
        "0 leads", "1 lead", "2 leads", "1,500 leads"]
    assert formatting.plural(2, "company", "companies") == "2 companies"


def test_duplicate_groups_show_names_not_keys(qtbot, app: AppServices) -> None:
    for email in ("bea@summit.example", "b.fischer@summit.example"):
        app.leads.create({"first_name": "Bea", "last_name": "Fischer", "email": email,
                          "company": "Summit Systems"})
    dialog = DuplicatesDialog(app.duplicates, app.leads, app.lead_changes)
    qtbot.addWidget(dialog)
    for rule, box in dialog.rule_boxes.items():
        box.setChecked(rule == "name_company")
    dialog.scan()
    qtbot.waitUntil(lambda: dialog.result is not None and dialog.scan_button.isEnabled())
    top = dialog.tree.topLevelItem(0)
    assert top.text(0) == "Name + company: Bea Fischer · Summit Systems"
    assert top.text(1) == "2 leads"
    assert dialog.status_label.text().startswith("1 group of duplicates.")
    assert "|" not in top.text(0)
