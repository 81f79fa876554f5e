"""The main window: sidebar, the four views, menus with shortcuts and a status bar.

The window is where the application's services are split up: each view receives only the
services it uses. Geometry, dock/toolbar state and the last view are kept in QSettings.
Only the lead table is built with the window: each other view (and its modules: the composer's
channels and templates, the credit charts) is built when first shown, and so are the team
dialogs.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

import leaddesk
from leaddesk.services.team.users import UserService
from leaddesk.store.change_feed import CREDIT_TABLES, Change
from leaddesk.store.enums import Role
from leaddesk.ui import demo_mark, formatting
from leaddesk.ui.change_hub import ChangeHub
from leaddesk.ui.composer.outbox_panel import OutboxRunner
from leaddesk.ui.leads.file_actions import LeadFileActions
from leaddesk.ui.leads.lead_work import LeadWorkServices
from leaddesk.ui.leads.view import Choice, LeadsView
from leaddesk.ui.operations import op
from leaddesk.ui.settings.actions import SessionActions
from leaddesk.ui.sidebar import Sidebar
from leaddesk.ui.templates.actions import MessageListActions

if TYPE_CHECKING:
    from leaddesk.services.app_services import AppServices
    from leaddesk.services.credits.pricing import Package
    from leaddesk.services.credits.records import Balance
    from leaddesk.ui.auth.team_connect import TeamConnectDialog
    from leaddesk.ui.campaigns.view import CampaignsView
    from leaddesk.ui.composer.view import ComposerView
    from leaddesk.ui.credits.view import CreditsView

VIEWS = ("leads", "campaigns", "composer", "credits", "outbox")


def lead_choices(services: AppServices) -> tuple[list[Choice], list[Choice]]:
    """The active users and the campaigns, for the leads view's owner and campaign pickers."""
    users = UserService(services.ctx).list(include_inactive=False)
    return (
        [(user.id, user.name or user.username) for user in users],
        [(campaign.id, campaign.name) for campaign in services.campaigns.list()],
    )


class MainWindow(QMainWindow):
    #: A ``TeamSession`` from the connect dialog: the application moves to the team database.
    teamConnected = Signal(object)

    def __init__(
        self,
        services: AppServices,
        settings: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``settings``: where window state is remembered; None remembers nothing."""
        super().__init__(parent)
        self._leads = services.leads
        self._credits = services.credits
        self._services = services
        self._settings = settings
        self.users_dialog: QDialog | None = None
        self.team_dialog: TeamConnectDialog | None = None
        self.setWindowTitle("LeadDesk")
        self.setMinimumSize(760, 540)

        self.leads_view = LeadsView(
            services.leads, services.messages, services.activity,
            saved_views=services.saved_views, settings=settings,
            bulk=services.bulk_edit, lead_changes=services.lead_changes,
            choices=lambda: lead_choices(services),
            message_leads=self.message_leads, tasks=services.tasks,
            work=LeadWorkServices.of(services),
        )
        self.outbox_runner = OutboxRunner.for_services(services, parent=self)
        self.list_actions = MessageListActions(services, self)
        #: The views built so far (see :meth:`view`); the stack holds a placeholder for each other.
        self.views: dict[str, QWidget] = {"leads": self.leads_view}
        labels = (self.tr("Leads"), self.tr("Campaigns"), self.tr("Composer"), self.tr("Credits"),
                  self.tr("Outbox"))

        self.stack = QStackedWidget()
        self.stack.setObjectName("ViewArea")
        for name in VIEWS:
            self.stack.addWidget(self.views.get(name) or QWidget())
        self.sidebar = Sidebar(list(zip(VIEWS, labels, strict=True)))
        actor = services.ctx.actor
        self.sidebar.footer.setText(self.tr("Signed in as %1 (%2)").replace("%1", actor.name)
                                    .replace("%2", formatting.label(actor.role.value)))
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.balance_label = QLabel(self.tr("Balance: …"))
        self.balance_label.setObjectName("BalanceLabel")
        self.count_label = QLabel(self.tr("Leads: …"))
        self.count_label.setObjectName("LeadCountLabel")
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.balance_label)
        self.statusBar().setSizeGripEnabled(False)

        self._make_menus(labels)
        self.demo_mark = demo_mark.install(self, services)  # "Demo data — remove…" while marked
        self.sidebar.selected.connect(self._on_sidebar)
        self.leads_view.leadsChanged.connect(self.refresh_lead_count)
        self.leads_view.leadsChanged.connect(self.file_actions.refresh_pipeline)
        self.leads_view.model.totalChanged.connect(self._pipeline_follows)
        self.balance: Balance | None = None
        self.low_balance: str | None = None
        self.lead_count: int | None = None
        #: The store's commits (this process's and others'), coalesced, on the GUI thread.
        self.changes = ChangeHub(services.ctx.store, self)
        self.changes.changed.connect(self.on_changes)

        self._restore()
        self.refresh_balance()
        self.refresh_lead_count()

    # -- menus -----------------------------------------------------------------------------------
    def _make_menus(self, labels: tuple[str, ...]) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.new_lead_action = QAction(self.tr("&New lead…"), self)
        self.new_lead_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_lead_action.triggered.connect(self.new_lead)
        file_menu.addAction(self.new_lead_action)
        self.file_actions = LeadFileActions(
            self._services, self, current_query=lambda: self.leads_view.model.query
        )
        self.file_actions.leadsChanged.connect(self.leads_view.refresh)
        self.file_actions.leadsChanged.connect(self.refresh_lead_count)
        file_menu.addAction(self.file_actions.import_action)
        file_menu.addAction(self.file_actions.export_action)
        file_menu.addSeparator()
        self.session = SessionActions(self._services, self, self._settings)
        file_menu.addAction(self.session.sign_out_action)
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Q))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        self.undo_action = QAction(self.tr("&Undo"), self)
        self.undo_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Z))
        self.redo_action = QAction(self.tr("&Redo"), self)
        self.redo_action.setShortcut(
            QKeySequence(Qt.Modifier.CTRL | Qt.Modifier.SHIFT | Qt.Key.Key_Z)
        )
        self._wire_undo()
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.session.settings_action)
        if self.leads_view.bulk_actions is not None:
            edit_menu.addSeparator()
            edit_menu.addMenu(self.leads_view.bulk_actions.menu)

        view_menu = self.menuBar().addMenu(self.tr("&View"))
        group = QActionGroup(self)
        self.view_actions: dict[str, QAction] = {}
        for number, (name, label) in enumerate(zip(VIEWS, labels, strict=True), start=1):
            action = QAction(label, self)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, n=name: self.show_view(n))
            group.addAction(action)
            view_menu.addAction(action)
            self.view_actions[name] = action

        view_menu.addSeparator()
        view_menu.addAction(self.file_actions.pipeline_action)

        leads_menu = self.menuBar().addMenu(self.tr("&Leads"))
        leads_menu.addAction(self.leads_view.message_action)
        leads_menu.addSeparator()
        leads_menu.addAction(self.file_actions.duplicates_action)
        leads_menu.addSeparator()
        leads_menu.addActions([self.list_actions.templates_action,
                               self.list_actions.suppression_action])

        team_menu = self.menuBar().addMenu(self.tr("&Team"))
        self.users_action = QAction(self.tr("&Users…"), self)
        self.users_action.triggered.connect(self.open_users)
        self.users_action.setVisible(self._services.ctx.actor.role is Role.ADMIN)
        team_menu.addAction(self.users_action)
        self.team_action = QAction(self.tr("&Connect to team database…"), self)
        self.team_action.triggered.connect(self.connect_team)
        team_menu.addAction(self.team_action)

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        about = QAction(self.tr("&About LeadDesk"), self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.about)
        help_menu.addAction(about)

    def _wire_undo(self) -> None:
        """Undo and Redo of the lead table's stack, off while a bulk change, its undo or its
        redo is being written (a second one would start on leads still changing)."""
        stack = self.leads_view.undo_stack
        self.undo_action.triggered.connect(stack.undo)
        self.redo_action.triggered.connect(stack.redo)
        # slots of this window, so that they are disconnected before its children go
        for signal in (stack.indexChanged, stack.canUndoChanged, stack.canRedoChanged,
                       stack.undoTextChanged, stack.redoTextChanged):
            signal.connect(self._refresh_undo)
        if self.leads_view.bulk_actions is not None:
            self.leads_view.bulk_actions.busy.connect(self._refresh_undo)
        self._refresh_undo()

    def _refresh_undo(self, *_: object) -> None:
        stack, bulk = self.leads_view.undo_stack, self.leads_view.bulk_actions
        busy = bulk is not None and bulk.running
        self.undo_action.setEnabled(stack.canUndo() and not busy)
        self.redo_action.setEnabled(stack.canRedo() and not busy)
        self.undo_action.setText(self.tr("&Undo %1").replace("%1", stack.undoText())
                                 if stack.canUndo() else self.tr("&Undo"))
        self.redo_action.setText(self.tr("&Redo %1").replace("%1", stack.redoText())
                                 if stack.canRedo() else self.tr("&Redo"))

    def about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About LeadDesk"),
            self.tr("<b>LeadDesk</b> %1<br>A fast, offline-first desktop CRM for sales reps "
                    "and small teams.").replace("%1", leaddesk.__version__),
        )

    # -- team ------------------------------------------------------------------------------------
    def open_users(self) -> QDialog:
        """The admin's user screen (the service refuses anyone else's changes anyway)."""
        if self.users_dialog is None:
            from leaddesk.ui.auth.user_admin import UserAdminView

            dialog = QDialog(self)
            dialog.setWindowTitle(self.tr("Users"))
            dialog.resize(900, 480)
            layout = QVBoxLayout(dialog)
            dialog.view = UserAdminView(  # type: ignore[attr-defined]
                UserService(self._services.ctx), dialog)
            layout.addWidget(dialog.view)  # type: ignore[attr-defined]
            self.users_dialog = dialog
        else:
            self.users_dialog.view.refresh()  # type: ignore[attr-defined]
        self.users_dialog.open()
        return self.users_dialog

    def connect_team(self) -> TeamConnectDialog:
        from leaddesk.ui.auth.team_connect import TeamConnectDialog

        settings = self._settings if self._settings is not None else QSettings()
        dialog = TeamConnectDialog(settings, parent=self)
        dialog.connected.connect(self.teamConnected)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.team_dialog = dialog
        return dialog

    # -- views -----------------------------------------------------------------------------------
    def view(self, name: str) -> QWidget:
        """The view ``name``, built (in place of its placeholder) the first time it is asked for."""
        view = self.views.get(name)
        if view is None:
            view = self.views[name] = self._build_view(name)
            index = VIEWS.index(name)
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, view)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
        return view

    def _build_view(self, name: str) -> QWidget:
        """The campaigns, composer or credits view, its module imported now."""
        services = self._services
        if name == "campaigns":
            from leaddesk.ui.campaigns.view import CampaignsView

            return CampaignsView(services.campaigns)
        if name == "composer":
            from leaddesk.ui.composer.view import ComposerView

            composer = ComposerView(
                services.templates, services.leads, services.messages, services.credits,
                sender={"name": services.ctx.actor.name},
                compose=services.compose, runner=self.outbox_runner, views=services.saved_views,
                campaigns=services.campaigns,
            )
            self.list_actions.attach(composer)
            return composer
        if name == "outbox":
            from leaddesk.ui.outbox.view import outbox_view

            return outbox_view(services, self.outbox_runner)
        from leaddesk.ui.credits.view import CreditsView

        credits_view = CreditsView(services.credits, users=UserService(services.ctx))
        credits_view.creditsChanged.connect(self.refresh_balance)
        credits_view.creditsChanged.connect(self._refresh_composer_balance)
        return credits_view

    @property
    def campaigns_view(self) -> CampaignsView:
        return self.view("campaigns")  # type: ignore[return-value]

    @property
    def composer_view(self) -> ComposerView:
        return self.view("composer")  # type: ignore[return-value]

    @property
    def credits_view(self) -> CreditsView:
        return self.view("credits")  # type: ignore[return-value]

    def _refresh_composer_balance(self) -> None:
        """A composer not built yet reads the balance when it is."""
        if "composer" in self.views:
            self.composer_view.refresh_balance()

    def show_view(self, name: str) -> QWidget:
        view = self.view(name)
        self.stack.setCurrentWidget(view)
        self.sidebar.set_current(VIEWS.index(name))
        self.view_actions[name].setChecked(True)
        return view

    def current_view(self) -> str:
        return VIEWS[self.stack.currentIndex()]

    def _on_sidebar(self, row: int) -> None:
        if 0 <= row < len(VIEWS):
            self.show_view(VIEWS[row])

    def refresh_all(self) -> None:
        """Reload every view built so far and the status bar (after the data changed wholesale);
        a view built later loads the new data then."""
        for name in VIEWS:
            if name in self.views:
                self.views[name].refresh()  # type: ignore[attr-defined]
        self.refresh_balance()
        self.refresh_lead_count()

    def on_changes(self, change: Change) -> None:
        """Every built view that shows data reloads what ``change`` touches (a view built later
        loads fresh data anyway), and so does the status bar."""
        actions = self.file_actions
        for view in (*self.views.values(), actions.pipeline, actions.duplicates_dialog,
                     self.list_actions):
            reload = getattr(view, "on_changes", None)
            if reload is not None:
                reload(change)
        if change.touches(*CREDIT_TABLES):
            self.refresh_balance()
        if change.touches("leads"):
            self.refresh_lead_count()

    def _pipeline_follows(self) -> None:
        """The table showed a (maybe new) filter or view: an open board shows the same."""
        if self.file_actions.pipeline is not None:
            self.file_actions.pipeline.follow_query()

    def new_lead(self) -> None:
        self.show_view("leads")
        self.leads_view.new_lead()

    def message_leads(self, lead_ids: list[uuid.UUID]) -> None:
        """Open the composer on these leads (the first is previewed)."""
        self.composer_view.set_selection(lead_ids)
        self.show_view("composer")

    # -- status bar ------------------------------------------------------------------------------
    def refresh_balance(self) -> None:
        credits = self._credits

        def read() -> tuple[Balance, int, Package | None]:
            # The plan's label is read with the balance, off the GUI thread (prices are a read).
            balance = credits.balance()
            return balance, credits.low_balance_threshold(), credits.prices.packages.get(
                balance.plan)

        op(read, parent=self).success(lambda result: self._show_balance(*result)).run()

    def _show_balance(self, balance: Balance, threshold: int, plan: Package | None) -> None:
        self.balance = balance
        if balance.unlimited:
            self.balance_label.setText(self.tr("Credits: unlimited"))
        else:
            self.balance_label.setText(
                self.tr("Credits: %1").replace("%1", formatting.number(balance.available))
            )
        self.balance_label.setToolTip(
            self.tr("%1 reserved · plan %2").replace("%1", formatting.number(balance.reserved))
            .replace("%2", plan.label if plan else formatting.label(balance.plan))
        )
        # The low-balance warning (credits' threshold setting, on by default).
        self.low_balance = self._credits.low_balance_warning(balance, threshold)
        self.balance_label.setStyleSheet(
            f"color: {formatting.NEGATIVE}; font-weight: 600;" if self.low_balance else ""
        )
        if self.low_balance:
            self.balance_label.setText(self.balance_label.text() + self.tr(" — low balance"))
            self.balance_label.setToolTip(self.low_balance)

    def refresh_lead_count(self) -> None:
        leads = self._leads
        op(leads.count, parent=self).success(self._show_count).run()

    def _show_count(self, count: int) -> None:
        self.lead_count = count
        self.count_label.setText(self.tr("Leads: %1").replace("%1", formatting.number(count)))

    # -- remembered state ------------------------------------------------------------------------
    def _restore(self) -> None:
        settings = self._settings
        view = "leads"
        if settings is not None:
            geometry = settings.value("window/geometry")
            if isinstance(geometry, QByteArray) and not geometry.isEmpty():
                self.restoreGeometry(geometry)
            else:
                self.resize(1280, 800)
            state = settings.value("window/state")
            if isinstance(state, QByteArray) and not state.isEmpty():
                self.restoreState(state)
            splitter = settings.value("leads/splitter")
            if isinstance(splitter, QByteArray) and not splitter.isEmpty():
                self.leads_view.splitter.restoreState(splitter)
            header = settings.value("leads/header")
            if isinstance(header, QByteArray) and not header.isEmpty():
                self.leads_view.table.horizontalHeader().restoreState(header)
            stored = settings.value("window/view", "leads")
            view = stored if stored in VIEWS else "leads"
        else:
            self.resize(1280, 800)
        self.show_view(view)

    def save_state(self) -> None:
        if self._settings is None:
            return
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/state", self.saveState())
        self._settings.setValue("window/view", self.current_view())
        self._settings.setValue("leads/splitter", self.leads_view.splitter.saveState())
        self._settings.setValue(
            "leads/header", self.leads_view.table.horizontalHeader().saveState()
        )
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.outbox_runner.stop()  # no more looks; what is in hand finishes, the rest waits
        self.changes.stop()
        self.save_state()
        super().closeEvent(event)
