"""Small widgets every view uses: badges, cards, stat tiles, inline errors, optional dates, a
message bar and a progress strip with a Cancel; and the app-wide habits of windows and
dropdowns (Esc closes a secondary window, long names are elided, no generic button icons)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QProxyStyle,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleHintReturn,
    QStyleOption,
    QStyleOptionComboBox,
    QStyleOptionViewItem,
    QStylePainter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.errors import ValidationError
from leaddesk.ui import formatting

AnyIndex = QModelIndex | QPersistentModelIndex
#: A date edit at this, its minimum, means "no limit" (see :func:`optional_date_edit`).
NO_DATE = QDate(2000, 1, 1)


class BadgeDelegate(QStyledItemDelegate):
    """Paints a cell's text as a small coloured pill; the colour comes from ``key_role``."""

    def __init__(self, key_role: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key_role = key_role

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        key = index.data(self._key_role)
        if not key:
            super().paint(painter, option, index)
            return
        # Selection and alternating background first, without the text.
        plain = QStyleOptionViewItem(option)
        self.initStyleOption(plain, index)
        plain.text = ""
        style = plain.widget.style() if plain.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, plain.widget)
        fg, bg = formatting.badge_colours(str(key))
        metrics = QFontMetrics(option.font)
        width = metrics.horizontalAdvance(text) + 16
        height = metrics.height() + 4
        rect = QRectF(
            option.rect.x() + 6,
            option.rect.center().y() - height / 2 + 1,
            min(width, option.rect.width() - 12),
            height,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(bg))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(QColor(fg))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 20, max(size.height(), QFontMetrics(option.font).height() + 8))


def badge(text: str, key: str | None = None) -> QLabel:
    """A pill label coloured like the table badges."""
    fg, bg = formatting.badge_colours(key or text)
    label = QLabel(formatting.label(text))
    label.setObjectName("Badge")
    label.setStyleSheet(
        f"QLabel#Badge {{ color: {fg}; background: {bg}; border-radius: 9px;"
        " padding: 2px 9px; font-weight: 600; }"
    )
    label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return label


def set_badge(label: QLabel, text: str) -> None:
    fg, bg = formatting.badge_colours(text)
    label.setText(formatting.label(text))
    label.setStyleSheet(
        f"QLabel#Badge {{ color: {fg}; background: {bg}; border-radius: 9px;"
        " padding: 2px 9px; font-weight: 600; }"
    )


class Card(QFrame):
    """A white rounded panel (styled by the theme's ``QFrame[card="true"]``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("card", True)
        self.setFrameShape(QFrame.Shape.NoFrame)


class StatTile(Card):
    """A figure with a caption: balance, reserved, plan..."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(2)
        self.caption = QLabel(caption)
        self.caption.setProperty("role", "muted")
        self.value = QLabel("…")
        self.value.setProperty("role", "figure")
        self.note = QLabel("")
        self.note.setProperty("role", "muted")
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.note)

    def set(self, value: str, note: str = "") -> None:
        self.value.setText(value)
        self.note.setText(note)


def title(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "title")
    return label


def section(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "section")
    return label


def muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    return label


def optional_date_edit(any_text: str) -> QDateEdit:
    """A date edit with a calendar that starts at :data:`NO_DATE`, shown as ``any_text``."""
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setMinimumDate(NO_DATE)
    edit.setSpecialValueText(any_text)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(NO_DATE)
    return edit


def error_label() -> QLabel:
    """A red line under a form field, hidden until it has something to say."""
    label = QLabel()
    label.setProperty("role", "error")
    label.setWordWrap(True)
    label.hide()
    return label


_Button = QDialogButtonBox.StandardButton


def dialog_buttons(
    dialog: QDialog,
    accept: Callable[[], object],
    primary: QDialogButtonBox.StandardButton = _Button.Save,
    text: str = "",
    cancel: bool = True,
) -> QDialogButtonBox:
    """A form dialog's buttons: ``primary`` (styled as the main action, labelled ``text`` if
    given) runs ``accept``; Cancel, if there is one, rejects the dialog."""
    box = QDialogButtonBox(primary | _Button.Cancel if cancel else primary)
    button = box.button(primary)
    if text:
        button.setText(text)
    button.setProperty("primary", True)
    box.accepted.connect(accept)
    box.rejected.connect(dialog.reject)
    return box


class FieldErrors:
    """Inline errors of a form, by field name; a ValidationError names the field to show."""

    def __init__(self, labels: dict[str, QLabel], fallback: QLabel) -> None:
        self._labels = labels
        self._fallback = fallback

    def show(self, field: str, message: str) -> None:
        self.clear()
        target = self._labels.get(field)
        if target is None:
            target = self._fallback
            message = f"{formatting.label(field)}: {message}" if field else message
        target.setText(message)
        target.show()

    def show_error(self, exc: BaseException) -> None:
        """A refused save: a ValidationError beside its field, anything else as the general
        message."""
        if isinstance(exc, ValidationError):
            self.show(exc.field, exc.message)
        else:
            self.show("", str(exc))

    def clear(self) -> None:
        for label in (*self._labels.values(), self._fallback):
            label.clear()
            label.hide()

    def shown(self) -> dict[str, str]:
        """Field name -> message for the errors on screen (tests read this)."""
        out = {f: lbl.text() for f, lbl in self._labels.items() if not lbl.isHidden()}
        if not self._fallback.isHidden():
            out[""] = self._fallback.text()
        return out


class MessageBar(QFrame):
    """A one-line notice above a view's content: errors of edits, confirmations."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self.text = QLabel()
        self.text.setWordWrap(True)
        close = QToolButton()
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        layout.addWidget(self.text, 1)
        layout.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_message(self, text: str, kind: str = "error", timeout_ms: int = 0) -> None:
        self.setProperty("kind", kind)
        for widget in (self, self.text):  # the label's colour depends on the bar's kind
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self.text.setText(text)
        self.show()
        if timeout_ms:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()


class ProgressStrip(QFrame):
    """A one-line strip for long work: what runs, a bar, and a Cancel that emits
    ``cancelRequested``. Hidden until ``begin``; the owner hides it with ``finish``."""

    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ProgressStrip")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.setSpacing(10)
        self.text = QLabel()
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.count = QLabel()
        self.count.setProperty("role", "muted")
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self._cancel)
        layout.addWidget(self.text)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.cancel_button)
        self._cancel_requested = False
        self.hide()

    def begin(self, text: str, cancellable: bool = True) -> None:
        """Show ``text`` with a busy bar until the first ``set_progress``."""
        self.text.setText(text)
        self.bar.setRange(0, 0)
        self.count.setText("")
        self.count.setMinimumWidth(0)
        self._cancel_requested = False
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(cancellable)
        self.show()

    def set_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(1, total))
        self.bar.setValue(min(done, max(1, total)))
        text = self.tr("%1 of %2")
        widest = text.replace("%1", formatting.number(total)).replace(
            "%2", formatting.number(total)
        )
        # As wide as the last count from the start: the bar does not jitter as digits grow.
        self.count.setMinimumWidth(self.count.fontMetrics().horizontalAdvance(widest) + 2)
        self.count.setText(
            text.replace("%1", formatting.number(done)).replace("%2", formatting.number(total))
        )

    def set_cancellable(self, cancellable: bool) -> None:
        self.cancel_button.setEnabled(cancellable and not self._cancel_requested)

    def finish(self) -> None:
        self.hide()

    def _cancel(self) -> None:
        self._cancel_requested = True
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText(self.tr("Cancelling…"))
        self.cancelRequested.emit()


# -- app-wide habits ------------------------------------------------------------------------------
#: Characters a dropdown of user data shows before it elides (names, views, templates).
COMBO_MIN_CHARS = 18


class ElidedComboBox(QComboBox):
    """Draws its current text elided with "…" where Qt would cut it off mid-letter; the whole
    text is its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.currentTextChanged.connect(self.setToolTip)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, field.width())
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


def elided_combo(min_chars: int = COMBO_MIN_CHARS) -> QComboBox:
    """A dropdown for user data: as wide as ``min_chars`` (a long name does not stretch the form
    it sits in), the current name elided at the end, the list's names elided in the middle."""
    combo = ElidedComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(min_chars)
    combo.view().setTextElideMode(Qt.TextElideMode.ElideMiddle)
    return combo


def close_on_escape(window: QWidget) -> QShortcut:
    """Esc closes a secondary window as it closes a dialog."""
    shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), window, window.close)
    shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
    return shortcut


class PlainButtonsStyle(QProxyStyle):
    """The app's style, minus the generic icons some platforms put on dialog buttons (a tick on
    OK, a red sign on Cancel): the app's buttons speak in words."""

    def styleHint(self, hint: QStyle.StyleHint, option: QStyleOption | None = None,
                  widget: QWidget | None = None,
                  returnData: QStyleHintReturn | None = None) -> int:
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 0
        return super().styleHint(hint, option, widget, returnData)


def plain_dialog_buttons(app: QApplication) -> None:
    """Turn dialog-button icons off app-wide (call after the theme; palette and sheet kept)."""
    if isinstance(app.style(), PlainButtonsStyle):
        return
    palette, sheet = app.palette(), app.styleSheet()
    app.setStyle(PlainButtonsStyle(app.style().name()))
    app.setPalette(palette)
    app.setStyleSheet(sheet)
