"""Templates… (Messages menu, and beside the composer's template picker): the list of
templates on the left, the chosen one's name, channel, subject and body on the right, and its
preview rendered live for a real lead with the channel's rules checked."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.leads.service import LeadRecord
from leaddesk.services.messaging.templates import TemplateRecord, TemplateService
from leaddesk.store.change_feed import Change
from leaddesk.ui import formatting
from leaddesk.ui.composer import rendering
from leaddesk.ui.operations import op
from leaddesk.ui.templates.model import TemplateListModel
from leaddesk.ui.widgets import FieldErrors, error_label, muted, section


class TemplatesDialog(QDialog):
    """``sample_lead`` gives the lead the preview is rendered for (read off the GUI thread;
    None: the raw template is checked). Emits ``templatesChanged`` after a save or delete."""

    templatesChanged = Signal()
    #: A load, save or delete finished (tests wait for it).
    settled = Signal()

    def __init__(
        self,
        templates: TemplateService,
        sample_lead: Callable[[], LeadRecord | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Templates"))
        self.resize(980, 620)
        self._service = templates
        self._sample_lead = sample_lead
        self.lead: LeadRecord | None = None
        self.current: TemplateRecord | None = None
        self.model = TemplateListModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setSpacing(3)  # rows a finger apart, as in the settings page list
        self.list.selectionModel().selectionChanged.connect(self._on_selected)
        self.new_button = QPushButton(self.tr("&New"))
        self.new_button.clicked.connect(self.new_template)
        self.delete_button = QPushButton(self.tr("&Delete"))
        self.delete_button.clicked.connect(self.delete_current)
        self.save_button = QPushButton(self.tr("&Save"))
        self.save_button.setProperty("primary", True)
        self.save_button.clicked.connect(self.save)

        self.name = QLineEdit()
        self.channel = QComboBox()
        for channel in rendering.CHANNELS:
            self.channel.addItem(formatting.channel_label(channel), channel)
        self.subject = QLineEdit()
        self.body = QPlainTextEdit()
        self.body.setPlaceholderText(self.tr("Hi {{ lead.first_name }}, …"))
        labels = {f: error_label() for f in ("name", "channel", "subject", "body")}
        self.status = muted()
        self.general_error = error_label()
        self.errors = FieldErrors(labels, self.general_error)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for caption, field, widget in ((self.tr("Name"), "name", self.name),
                                       (self.tr("Channel"), "channel", self.channel),
                                       (self.tr("Subject"), "subject", self.subject),
                                       (self.tr("Body"), "body", self.body)):
            form.addRow(caption, widget)
            form.addRow("", labels[field])

        self.preview_for = muted()
        self.preview_subject = QLabel()
        self.preview_subject.setProperty("role", "strong")
        self.preview_subject.setWordWrap(True)
        self.preview_body = QPlainTextEdit()
        self.preview_body.setReadOnly(True)
        self.preview_issues = QLabel()
        self.preview_issues.setWordWrap(True)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.delete_button)
        left_layout.addLayout(row)
        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addLayout(form, 1)
        editor_layout.addWidget(self.general_error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        editor_layout.addLayout(buttons)
        preview = QWidget()
        preview_layout = QVBoxLayout(preview)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        preview_layout.addWidget(section(self.tr("Preview")))
        preview_layout.addWidget(self.preview_for)
        preview_layout.addWidget(self.preview_subject)
        preview_layout.addWidget(self.preview_body, 1)
        preview_layout.addWidget(self.preview_issues)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (left, editor, preview):
            splitter.addWidget(widget)
        splitter.setSizes([230, 400, 350])
        splitter.setHandleWidth(14)  # air between the list, the editor and the preview
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(150)
        self._preview_timer.timeout.connect(self.render_preview)
        for signal in (self.name.textChanged, self.subject.textChanged, self.body.textChanged,
                       self.channel.currentIndexChanged):
            signal.connect(self._preview_timer.start)
        self.new_template()
        self.reload()
        self._load_sample()

    # -- loading -------------------------------------------------------------------------------
    def reload(self, select: uuid.UUID | None = None) -> None:
        service = self._service
        chosen = select or (self.current.id if self.current else None)
        (
            op(service.list, parent=self)
            .success(lambda templates: self._loaded(templates, chosen))
            .failure(self._failed)
            .run()
        )

    def _loaded(self, templates: list[TemplateRecord], chosen: uuid.UUID | None) -> None:
        self.model.set_templates(templates)
        row = self.model.row_of(chosen) if chosen else -1
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))
        elif self.current is not None:
            self.new_template()  # the one being edited is gone
        self.settled.emit()

    def on_changes(self, change: Change) -> None:
        """Templates written elsewhere (the CLI, a team-mate): list them again."""
        if change.touches("message_templates"):
            self.reload()

    def _load_sample(self) -> None:
        if self._sample_lead is None:
            return
        sample = self._sample_lead
        op(sample, parent=self).success(self._sample_arrived).failure(self._failed).run()

    def _sample_arrived(self, lead: LeadRecord | None) -> None:
        self.lead = lead
        self.render_preview()

    # -- editing -------------------------------------------------------------------------------
    def _on_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.list.selectionModel().selectedRows()
        template = self.model.record(rows[0].row()) if rows else None
        if template is not None:
            self.show_template(template)

    def show_template(self, template: TemplateRecord | None) -> None:
        self.current = template
        self.errors.clear()
        self.name.setText(template.name if template else "")
        index = self.channel.findData(template.channel if template else "email")
        self.channel.setCurrentIndex(max(index, 0))
        self.subject.setText(template.subject if template else "")
        self.body.setPlainText(template.body if template else "")
        self.delete_button.setEnabled(template is not None)
        self.status.setText("" if template else self.tr("A new template"))
        self.render_preview()

    def new_template(self) -> None:
        self.list.clearSelection()
        self.show_template(None)
        self.name.setFocus()

    def values(self) -> dict[str, Any]:
        return {"name": self.name.text(), "channel": self.channel.currentData(),
                "subject": self.subject.text(), "body": self.body.toPlainText()}

    def save(self) -> None:
        self.errors.clear()
        service, data, current = self._service, self.values(), self.current
        work = (lambda: service.update(current.id, data)) if current else (
            lambda: service.create(data))
        op(work, parent=self).success(self._saved).failure(self._refused).run()

    def _saved(self, template: TemplateRecord) -> None:
        self.current = template
        self.status.setText(self.tr("Saved %1.").replace("%1", template.name))
        self.templatesChanged.emit()
        self.reload(select=template.id)

    def delete_current(self) -> None:
        current, service = self.current, self._service
        if current is None:
            return
        (
            op(lambda: service.delete(current.id), parent=self)
            .success(lambda _r: self._deleted(current))
            .failure(self._refused)
            .run()
        )

    def _deleted(self, template: TemplateRecord) -> None:
        self.new_template()
        self.status.setText(self.tr("Deleted %1.").replace("%1", template.name))
        self.templatesChanged.emit()
        self.reload()

    def _refused(self, exc: BaseException) -> None:
        self.errors.show_error(exc)
        self.settled.emit()

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(str(exc))
        self.settled.emit()

    # -- preview -------------------------------------------------------------------------------
    def render_preview(self) -> rendering.Preview:
        channel = str(self.channel.currentData())
        self.subject.setEnabled(channel in rendering.SUBJECT_CHANNELS)
        result = rendering.preview(channel, self.subject.text(), self.body.toPlainText(),
                                   self.lead)
        self.preview_for.setText(
            self.tr("For %1").replace("%1", self.lead.full_name or self.lead.email)
            if self.lead is not None else self.tr("No lead to preview with; the text as typed"))
        self.preview_subject.setText(result.subject)
        self.preview_subject.setVisible(bool(result.subject))
        self.preview_body.setPlainText(result.error or result.body)
        issues = [i.text for i in result.issues]
        self.preview_issues.setText("\n".join(issues))
        self.preview_issues.setProperty("role", "error" if result.blocking else "muted")
        self.preview_issues.setVisible(bool(issues))
        return result
