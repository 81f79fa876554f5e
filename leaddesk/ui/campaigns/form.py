"""The campaign editor form: layout and conversion between widgets and plain values only."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leaddesk.services.campaigns.service import CampaignRecord, CampaignStats
from leaddesk.store.enums import CampaignStatus
from leaddesk.ui import formatting
from leaddesk.ui.widgets import Card, FieldErrors, error_label, muted, section, title

#: ICP criteria edited as comma-separated lists, in the order shown.
ICP_KEYS = ("industries", "titles", "seniority", "company_sizes", "geographies", "keywords")


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _caption(text: str) -> QLabel:
    """Form captions share one width, so the two cards' fields line up."""
    label = QLabel(text)
    label.setFixedWidth(120)
    return label


class CampaignForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = title(self.tr("New campaign"))
        self.stats = muted()

        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Q3 fintech founders"))
        self.goal = QPlainTextEdit()
        self.goal.setPlaceholderText(self.tr("What should this campaign achieve?"))
        self.goal.setFixedHeight(64)
        self.status = QComboBox()
        for status in CampaignStatus:
            self.status.addItem(formatting.label(status.value), status.value)
        self.industry = QLineEdit()
        self.lead_source = QLineEdit()
        self.lead_source.setPlaceholderText(self.tr("import, linkedin, website…"))
        self.budget = QSpinBox()
        self.budget.setRange(0, 10_000_000)
        self.budget.setSingleStep(100)
        self.budget.setSuffix(self.tr(" credits"))
        self.budget.setGroupSeparatorShown(True)
        self.budget.lineEdit().setTextMargins(6, 0, 0, 0)  # style sheet padding misses it
        icp_captions = {
            "industries": self.tr("Industries"),
            "titles": self.tr("Job titles"),
            "seniority": self.tr("Seniority"),
            "company_sizes": self.tr("Company sizes"),
            "geographies": self.tr("Geographies"),
            "keywords": self.tr("Keywords"),
        }
        self.icp: dict[str, QLineEdit] = {}
        for key in ICP_KEYS:
            self.icp[key] = QLineEdit()
            self.icp[key].setPlaceholderText(self.tr("comma-separated"))

        errors = {key: error_label() for key in (
            "name", "goal", "status", "industry", "lead_source", "budget_credits", "icp")}
        general = error_label()
        self.errors = FieldErrors(errors, general)

        details = Card()
        form = QFormLayout(details)
        form.setContentsMargins(16, 14, 16, 14)
        form.setVerticalSpacing(6)
        form.setHorizontalSpacing(16)
        rows = [
            (self.tr("Name"), self.name, "name"),
            (self.tr("Goal"), self.goal, "goal"),
            (self.tr("Status"), self.status, "status"),
            (self.tr("Industry"), self.industry, "industry"),
            (self.tr("Lead source"), self.lead_source, "lead_source"),
            (self.tr("Budget"), self.budget, "budget_credits"),
        ]
        for caption, widget, field in rows:
            form.addRow(_caption(caption), widget)
            form.addRow("", errors[field])

        targeting = Card()
        icp_form = QFormLayout(targeting)
        icp_form.setContentsMargins(16, 14, 16, 14)
        icp_form.setVerticalSpacing(8)
        icp_form.setHorizontalSpacing(16)
        for key in ICP_KEYS:
            icp_form.addRow(_caption(icp_captions[key]), self.icp[key])
        icp_form.addRow("", errors["icp"])

        self.new_button = QPushButton(self.tr("New"))
        self.delete_button = QPushButton(self.tr("Delete"))
        self.delete_button.setProperty("danger", True)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setProperty("primary", True)
        self.save_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.stats)
        layout.addWidget(details)
        layout.addWidget(section(self.tr("Ideal customer profile")))
        layout.addWidget(targeting)
        layout.addWidget(general)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self._extra_icp: dict[str, Any] = {}
        self._loaded_values: dict[str, Any] = {}

    def load(self, campaign: CampaignRecord | None) -> None:
        """Show a campaign, or an empty form for a new one."""
        self.errors.clear()
        self.heading.setText(campaign.name if campaign else self.tr("New campaign"))
        self.name.setText(campaign.name if campaign else "")
        self.goal.setPlainText(campaign.goal if campaign else "")
        status = campaign.status if campaign else CampaignStatus.DRAFT.value
        self.status.setCurrentIndex(max(0, self.status.findData(status)))
        self.industry.setText(campaign.industry if campaign else "")
        self.lead_source.setText(campaign.lead_source if campaign else "")
        self.budget.setValue(campaign.budget_credits if campaign else 0)
        icp = dict(campaign.icp) if campaign else {}
        for key in ICP_KEYS:
            value = icp.pop(key, [])
            items = value if isinstance(value, list) else [str(value)] if value else []
            self.icp[key].setText(", ".join(str(v) for v in items))
        self._extra_icp = icp  # criteria this form does not edit are kept as they are
        self.delete_button.setEnabled(campaign is not None)
        self.stats.setVisible(campaign is not None)
        self.stats.setText(self.tr("Loading figures…") if campaign else "")
        self._loaded_values = self.values()

    def is_dirty(self) -> bool:
        """Whether the rep changed the form since it was loaded (a reload would lose it)."""
        return self.values() != self._loaded_values

    def values(self) -> dict[str, Any]:
        icp = dict(self._extra_icp)
        for key in ICP_KEYS:
            items = split_list(self.icp[key].text())
            if items:
                icp[key] = items
        return {
            "name": self.name.text(),
            "goal": self.goal.toPlainText(),
            "status": self.status.currentData(),
            "industry": self.industry.text(),
            "lead_source": self.lead_source.text(),
            "budget_credits": self.budget.value(),
            "icp": icp,
        }

    def field_widget(self, field: str) -> QWidget | None:
        widgets: dict[str, QWidget] = {
            "name": self.name, "goal": self.goal, "status": self.status,
            "industry": self.industry, "lead_source": self.lead_source,
            "budget_credits": self.budget,
        }
        return widgets.get(field)

    def set_stats(self, stats: CampaignStats) -> None:
        text = (self.tr("%1 leads · %2 messages").replace("%1", formatting.number(stats.leads))
                .replace("%2", formatting.number(stats.messages)))
        if stats.messages:
            text += self.tr(" (%1 sent, %2 waiting, %3 failed)").replace(
                "%1", formatting.number(stats.sent)).replace(
                "%2", formatting.number(stats.waiting)).replace(
                "%3", formatting.number(stats.failed))
        self.stats.setText(text)


