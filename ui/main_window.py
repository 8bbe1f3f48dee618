"""Main window: navigation on the left, one page per area, status bar with user and database."""

from __future__ import annotations

import logging

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.changes import Changes
from app.domain.roles import ROLE_LABELS, Role, may
from app.domain.scan_codes import ScanKind
from app.errors import AppError
from app.services import home as dash
from app.services import staff
from app.services.auth import SignedIn
from app.services.backup import get_backup_status
from app.services.catalogue import secrecy_review_queue
from app.services.loans import approval_queue, list_overdue
from app.services.locations import ScanTarget
from app.services.settings import get_settings
from app.services.statistics import get_overview
from ui.changes import ChangeBus, ChangeTracker
from ui.context import AppContext
from ui.dialogs.about import AboutDialog
from ui.pages.archives import ArchivesPage
from ui.pages.audit import AuditPage
from ui.pages.customers import CustomersPage
from ui.pages.disposition import DispositionPage
from ui.pages.home import HomePage
from ui.pages.inspections import InspectionsPage
from ui.pages.loans import LoansPage
from ui.pages.locations import LocationsPage
from ui.pages.privacy import PrivacyPage
from ui.pages.settings import SettingsPage
from ui.pages.staff import StaffPage
from ui.pages.statistics import StatisticsPage
from ui.scanner import ScanRouter

log = logging.getLogger(__name__)

# (key, title, what the area will hold) in navigation order.
AREAS: list[tuple[str, str, str]] = [
    ("home", "工作台", ""),
    (
        "customers",
        "客户",
        "客户登记、校验、查重和检索（姓名、拼音首字母、档号、电话或证件号精确匹配）将在此处提供。",
    ),
    ("archives", "档案", "案卷与文件、档号、保管期限、密级与卷内目录、备考表将在此处提供。"),
    ("locations", "库位", "库房、密集架、保险柜位置，上架、移库和二维码标签将在此处提供。"),
    ("loans", "借阅", "查阅、借出申请与审批、归还和借阅登记簿将在此处提供。"),
    ("inspections", "检查", "半年定期检查、温湿度记录、扫码清点和修复任务将在此处提供。"),
    ("disposition", "鉴定销毁", ""),
    ("statistics", "统计", ""),
    ("privacy", "个人信息", ""),  # issue 18
    ("audit", "审计", ""),  # Ctrl+0
    ("staff", "人员", ""),  # issue 20: by the 前往 menu
    ("settings", "设置", ""),
]

# What each page shows, so a write that changed one of these kinds refreshes it (issue 21): the
# visible page at once, the others when next shown. 工作台 is refreshed by the window itself; a
# page without ``refresh_after_change`` is reloaded through its ``refresh()``. Every write records
# an audit entry, so 审计 follows every write (its reads write nothing, so it never feeds itself).
WATCHES: dict[str, Changes] = {
    "home": Changes.of(
        "customers",
        "volumes",
        "places",
        "loans",
        "inspections",
        "incidents",
        "audit",
        "settings",
        "accounts",
        "staff",
        "privacy",
    ),
    "customers": Changes.of("customers", "volumes"),
    "archives": Changes.of("customers", "volumes", "places", "loans", "inspections", "incidents"),
    "locations": Changes.of("volumes", "places", "loans", "inspections"),
    "loans": Changes.of("customers", "volumes", "loans", "accounts"),
    # the schedule, sessions, expected volumes (places, loans), checklist and limits (settings)
    "inspections": Changes.of("volumes", "places", "loans", "inspections", "settings"),
    # holdings, use, loans, inspections (the 统计 page, whichever module builds it)
    "statistics": Changes.of(
        "customers", "volumes", "places", "loans", "inspections", "incidents", "settings", "staff"
    ),
    "audit": Changes.of("audit", "incidents"),
    "staff": Changes.of("staff", "accounts", "places", "loans", "customers", "inspections"),
    "privacy": Changes.of("customers", "volumes", "privacy"),
    "disposition": Changes.of("disposition", "volumes", "loans", "inspections"),
}
# Pages whose own refresh on show covers the stale changes (no second reload when shown).
REFRESHED_WHEN_SHOWN = ("home", "loans", "inspections", "statistics")

_STAFF = (Role.ARCHIVIST, Role.APPROVER)
_READERS = (Role.ARCHIVIST, Role.APPROVER, Role.AUDITOR)
# Areas only some roles work in (三员分立): page class, the roles, what the others are told.
GATED: dict[str, tuple[type[QWidget], tuple[Role, ...], str]] = {
    "customers": (
        CustomersPage,
        _STAFF,
        QT_TRANSLATE_NOOP(
            "MainWindow", "您的角色不能查看客户信息（三员分立：系统管理员和审计员不接触客户资料）。"
        ),
    ),
    "archives": (
        ArchivesPage,
        _READERS,
        QT_TRANSLATE_NOOP(
            "MainWindow", "您的角色不能查看档案目录（三员分立：系统管理员不接触档案内容）。"
        ),
    ),
    "locations": (
        LocationsPage,
        _READERS,
        QT_TRANSLATE_NOOP(
            "MainWindow", "您的角色不能查看库位（三员分立：系统管理员不接触档案内容）。"
        ),
    ),
    "loans": (
        LoansPage,
        _STAFF,
        QT_TRANSLATE_NOOP(
            "MainWindow", "您的角色不办理查阅借阅（三员分立：系统管理员和审计员不接触档案内容）。"
        ),
    ),
    "inspections": (
        InspectionsPage,
        (Role.ARCHIVIST,),
        QT_TRANSLATE_NOOP(
            "MainWindow",
            "库房检查、清点扫码、温湿度登记和修复任务由档案管理员办理"
            "（三员分立：系统管理员和审计员不接触档案实体）。",
        ),
    ),
    "staff": (
        StaffPage,
        (Role.ADMIN, Role.ARCHIVIST, Role.AUDITOR),
        QT_TRANSLATE_NOOP(
            "MainWindow",
            "人员档案、保密协议和培训由系统管理员登记；您的保密协议与培训情况显示在工作台上。",
        ),
    ),
    "privacy": (
        PrivacyPage,
        _STAFF,
        QT_TRANSLATE_NOOP(
            "MainWindow",
            "个人信息的到期处理、删除申请和对外提供由档案管理员和审批人办理（三员分立）。",
        ),
    ),
    "disposition": (
        DispositionPage,
        _READERS,
        QT_TRANSLATE_NOOP(
            "MainWindow",
            "鉴定、销毁清册和冻结由档案管理员、审批人办理，审计员核查"
            "（三员分立：系统管理员和安全保密员不接触档案内容）。",
        ),
    ),
    "audit": (
        AuditPage,
        (Role.AUDITOR,),
        QT_TRANSLATE_NOOP(
            "MainWindow", "审计记录只由审计员查看（三员分立）。所有操作均已在后台记录。"
        ),
    ),
}


class MainWindow(QMainWindow):
    """The signed-in workspace. Emits ``sign_out_requested`` and ``lock_requested``."""

    sign_out_requested = Signal()
    quit_requested = Signal()
    lock_requested = Signal()
    change_password_requested = Signal()
    policy_changed = Signal()
    restore_switch_requested = Signal(str)  # a verified restored database, waiting beside

    def __init__(self, context: AppContext, session: SignedIn) -> None:
        super().__init__()
        self._context = context
        self._session = session
        self._allow_close = False
        self.setObjectName("MainWindow")
        self.change_bus = ChangeBus(session.store, self)
        self._build_ui()
        self._build_actions()
        self._route_scans()
        self._watch_changes()
        self.retranslate_ui()
        self._restore_geometry()

    # -- construction -------------------------------------------------------------------
    def _build_ui(self) -> None:
        settings = get_settings(session=self._session, clock=self._context.clock)
        self.organisation = settings.organisation
        self.nav = QListWidget(objectName="navigation")
        self.nav.setMaximumWidth(160)
        self.nav.setStyleSheet(
            "QListWidget { font-size: 12pt; } QListWidget::item { padding: 8px; }"
        )
        self.pages = QStackedWidget(objectName="pages")
        self.page_by_key: dict[str, QWidget] = {}
        for key, title, _description in AREAS:
            page: QWidget
            if key == "home":
                home = HomePage(
                    self._session.actor,
                    f"{self.organisation.fonds_name}（全宗号 {self.organisation.fonds_code}）",
                    self._context.clock.now(),
                    get_backup_status(session=self._session, clock=self._context.clock),
                )
                home.backup_requested.connect(self.open_backup)
                home.area_requested.connect(self.show_area)
                page = home
            elif key in GATED:
                page = self._gated_page(key)
            elif key == "settings":
                settings_page = SettingsPage(self._context, self._session)
                settings_page.change_password_requested.connect(self.change_password_requested)
                settings_page.policy_changed.connect(self.policy_changed)
                settings_page.backup_requested.connect(self.open_backup)
                page = settings_page
            elif key == "statistics":
                page = StatisticsPage(self._context, self._session)
            else:  # every area has its page; a new one is wired here
                raise KeyError(f"no page for the area {key!r}")
            self.page_by_key[key] = page
            self.pages.addWidget(page)
            QListWidgetItem(self.tr(title), self.nav).setData(Qt.ItemDataRole.UserRole, key)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.nav.currentRowChanged.connect(self._area_shown)
        self.nav.setCurrentRow(0)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        # the audit chain failed its sign-in check: admin and auditor must know (issue 9)
        self.audit_warning = QLabel(objectName="audit_warning")
        self.audit_warning.setWordWrap(True)
        self.audit_warning.setStyleSheet(
            "QLabel { background: #fde2e1; color: #8a1c1c; padding: 8px; font-weight: bold; }"
        )
        self.audit_warning.setVisible(bool(self._session.audit_warning))
        outer.addWidget(self.audit_warning)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        outer.addLayout(row, 1)
        self.setCentralWidget(central)
        actor = self._session.actor
        roles = "、".join(ROLE_LABELS[r] for r in sorted(actor.roles, key=list(Role).index))
        self.user_label = QLabel(objectName="status_user")
        self.user_label.setText(f"{actor.display_name}（{actor.username}）· {roles}")
        self.db_label = QLabel(objectName="status_db")
        server = self._context.location.server()
        if server is None:
            self.db_label.setText(self._context.location.display())
        else:  # the server, the database and the login, not a URL
            self.db_label.setText(
                self.tr("PostgreSQL 服务器 {0} · 数据库 {1} · 登录 {2}").format(*server)
            )
        self.db_label.setToolTip(self._context.location.display())
        self.statusBar().addWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.db_label)

    def _build_actions(self) -> None:
        menu_file = self.menuBar().addMenu("")
        self.menu_file = menu_file
        self.action_lock = QAction(self, shortcut=QKeySequence("Ctrl+L"))
        self.action_lock.triggered.connect(self.lock_requested)
        self.action_sign_out = QAction(self, shortcut=QKeySequence("Ctrl+Shift+L"))
        self.action_sign_out.triggered.connect(self.sign_out_requested)
        self.action_quit = QAction(self, shortcut=QKeySequence.StandardKey.Quit)
        self.action_quit.triggered.connect(self.close)
        menu_file.addActions([self.action_lock, self.action_sign_out])
        # the incident register (R45): whoever may read it, from any area
        self.action_incidents = QAction(self, shortcut=QKeySequence("Ctrl+Shift+I"))
        self.action_incidents.triggered.connect(self.show_incidents)
        self.action_incidents.setVisible(may(self._session.actor.roles, "incident.read"))
        menu_file.addAction(self.action_incidents)
        menu_file.addSeparator()
        menu_file.addAction(self.action_quit)
        self.menu_go = self.menuBar().addMenu("")
        self.area_actions: list[QAction] = []
        for row, (_key, title, _desc) in enumerate(AREAS):
            action = QAction(self.tr(title), self)
            if row < 10:  # Ctrl+1 … Ctrl+9, then Ctrl+0 for the tenth area; the rest by menu
                action.setShortcut(QKeySequence(f"Ctrl+{(row + 1) % 10}"))
            action.triggered.connect(lambda _=False, r=row: self.nav.setCurrentRow(r))
            self.menu_go.addAction(action)
            self.area_actions.append(action)
        self.menu_account = self.menuBar().addMenu("")
        self.action_password = QAction(self)
        self.action_password.triggered.connect(self.change_password_requested)
        self.menu_account.addAction(self.action_password)
        self.action_settings = QAction(self, shortcut=QKeySequence("Ctrl+,"))
        self.action_settings.triggered.connect(lambda: self.show_area("settings"))
        self.menu_account.addAction(self.action_settings)
        self.menu_help = self.menuBar().addMenu("")
        self.action_guide = QAction(self, shortcut=QKeySequence("F1"))
        self.action_guide.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.action_guide.triggered.connect(self.show_guide)
        self.action_shortcuts = QAction(self)
        self.action_shortcuts.triggered.connect(self.show_shortcuts)
        self.action_about = QAction(self)
        self.action_about.triggered.connect(lambda: AboutDialog(self).exec())
        self.menu_help.addActions([self.action_guide, self.action_shortcuts])
        self.menu_help.addSeparator()
        self.menu_help.addAction(self.action_about)

    def retranslate_ui(self) -> None:
        """Set every visible string."""
        self.setWindowTitle(self.tr("档案室 - {0}").format(self.organisation.organisation_name))
        self.menu_file.setTitle(self.tr("文件(&F)"))
        self.action_lock.setText(self.tr("锁定窗口"))
        self.action_sign_out.setText(self.tr("退出登录"))
        self.action_quit.setText(self.tr("退出程序"))
        self.action_incidents.setText(self.tr("泄密/丢失事件登记簿…"))
        self.menu_go.setTitle(self.tr("转到(&G)"))
        self.menu_account.setTitle(self.tr("账户(&A)"))
        self.action_password.setText(self.tr("修改密码…"))
        self.action_settings.setText(self.tr("设置…"))
        self.menu_help.setTitle(self.tr("帮助(&H)"))
        self.action_guide.setText(self.tr("操作指南"))
        self.action_shortcuts.setText(self.tr("快捷键"))
        self.action_about.setText(self.tr("关于档案室"))
        if self._session.audit_warning:
            self.audit_warning.setText(
                self.tr(
                    "审计记录校验失败：{0} 请立即通知审计员，并用 archive-room check 做完整校验。"
                ).format(self._session.audit_warning)
            )

    def show_guide(self) -> None:
        """帮助 → 操作指南 (F1): the operator's guide, with its screenshots."""
        from ui.dialogs.help import GuideDialog

        GuideDialog(self).exec()

    def show_shortcuts(self) -> None:
        """帮助 → 快捷键: every shortcut of the menus, and the keys the desks use."""
        from ui.dialogs.help import ShortcutsDialog

        ShortcutsDialog(self, self.shortcut_rows()).exec()

    def shortcut_rows(self) -> list[tuple[str, str, str]]:
        """(menu, command, keys) of every menu action that has a shortcut, in menu order."""
        rows = []
        for menu in (self.menu_file, self.menu_go, self.menu_account, self.menu_help):
            for action in menu.actions():
                keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
                if keys and action.isVisible():
                    rows.append((menu.title().split("(")[0], action.text(), keys))
        return rows

    def show_incidents(self) -> None:
        """The incident register (R45)."""
        from ui.dialogs.incidents import IncidentRegisterDialog

        IncidentRegisterDialog(self, self._context, self._session).exec()

    def _gated_page(self, key: str) -> QWidget:
        """The area's page for roles that work there; a note saying why for everyone else."""
        page_class, roles, why = GATED[key]
        if any(self._session.actor.has(role) for role in roles):
            return page_class(self._context, self._session)
        note = QLabel(self.tr(why), objectName=f"page_{key}")
        note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        note.setMargin(12)
        return note

    # -- scanner (R24) --------------------------------------------------------------------
    def _route_scans(self) -> None:
        """A code scanned into any search box jumps to what it names."""
        if not isinstance(self.page_by_key.get("locations"), LocationsPage):
            return  # roles that see no locations get no scan routing
        self.scan_router = ScanRouter(self._session, self._context.clock, self)
        self.scan_router.scanned.connect(self.open_scanned)
        self.scan_router.rejected.connect(lambda m: self.statusBar().showMessage(m, 10_000))
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scan_router)

    def open_scanned(self, target: ScanTarget) -> None:
        """Show a scanned volume in 档案 (unless 库位 is open), a box or place in 库位."""
        locations = self.page_by_key["locations"]
        assert isinstance(locations, LocationsPage)
        archives = self.page_by_key.get("archives")
        if (
            target.kind is ScanKind.VOLUME
            and self.current_area() != "locations"
            and isinstance(archives, ArchivesPage)
        ):
            self.show_area("archives")
            archives.search.setText(target.code)
            archives.refresh()  # a scan opens the volume at once
            return
        self.show_area("locations")
        locations.handle_scan(target)

    # -- change notification (issue 21) ----------------------------------------------------
    def _watch_changes(self) -> None:
        """Each page that shows a kind of object refreshes when a write changes that kind."""
        self.trackers: dict[str, ChangeTracker] = {}
        for key, watched in WATCHES.items():
            page = self.page_by_key.get(key)
            if key == "home":
                refresh = lambda _c: self.refresh_home()  # noqa: E731
            elif hasattr(page, "refresh_after_change"):
                refresh = page.refresh_after_change  # type: ignore[union-attr]
            elif hasattr(page, "refresh"):
                refresh = lambda _c, p=page: p.refresh()  # type: ignore[misc]  # noqa: E731
            else:
                continue  # a note for roles that do not work there
            tracker = ChangeTracker(watched, refresh, lambda p=page: self._page_visible(p))
            self.trackers[key] = tracker
            own = getattr(page, "own_changes_shown", None)
            if own is not None:  # the page shows its own writes at once (the 检查 scanner)
                own.connect(tracker.absorb)
        self.change_bus.changed.connect(self.apply_changes)

    def _page_visible(self, page: QWidget | None) -> bool:
        return page is not None and self.isVisible() and self.pages.currentWidget() is page

    def apply_changes(self, changes: Changes) -> None:
        """Refresh (or mark stale) every page that shows a changed kind."""
        if self._session.store.closed:
            return
        for tracker in self.trackers.values():
            tracker.notify(changes)

    def showEvent(self, event: QShowEvent) -> None:
        """Shown again (after a lock): the visible page catches up on what changed."""
        super().showEvent(event)
        tracker = self.trackers.get(self.current_area()) if hasattr(self, "trackers") else None
        if tracker is not None and not self._session.store.closed:
            tracker.shown()

    # -- backup (issue 10) ----------------------------------------------------------------
    def open_backup(self) -> None:
        """Show 备份与恢复; a confirmed restore is handed to the session controller."""
        from ui.dialogs.backup import BackupDialog

        dialog = BackupDialog(self._context, self._session, self)
        dialog.restore_ready.connect(self.restore_switch_requested)
        dialog.exec()
        home = self.page_by_key.get("home")
        if isinstance(home, HomePage) and not self._session.store.closed:
            status = get_backup_status(session=self._session, clock=self._context.clock)
            home.show_backup(status)

    # -- navigation ---------------------------------------------------------------------
    def show_area(self, key: str) -> None:
        """Switch to the area ``key``."""
        keys = [k for k, _t, _d in AREAS]
        self.nav.setCurrentRow(keys.index(key))

    def _area_shown(self, row: int) -> None:
        key = AREAS[row][0] if 0 <= row < len(AREAS) else ""
        tracker = self.trackers.get(key) if hasattr(self, "trackers") else None
        if tracker is not None:
            if key in REFRESHED_WHEN_SHOWN:
                tracker.stale = Changes()  # refreshed below in any case
            elif not self._session.store.closed:
                tracker.shown()
        if key == "home":
            self.refresh_home()
        elif key == "inspections" and isinstance(
            self.page_by_key.get("inspections"), InspectionsPage
        ):
            self.page_by_key["inspections"].refresh()  # type: ignore[attr-defined]
        elif key == "disposition" and isinstance(
            self.page_by_key.get("disposition"), DispositionPage
        ):
            self.page_by_key["disposition"].refresh()  # type: ignore[attr-defined]
        elif key == "loans" and isinstance(self.page_by_key.get("loans"), LoansPage):
            self.page_by_key["loans"].refresh()  # type: ignore[attr-defined]
        elif key == "statistics" and isinstance(self.page_by_key.get("statistics"), StatisticsPage):
            self.page_by_key["statistics"].refresh()  # type: ignore[attr-defined]

    def refresh_home(self) -> None:
        """Fill every card of the home screen from the current state (each role its own)."""
        home = self.page_by_key.get("home")
        if not isinstance(home, HomePage) or self._session.store.closed:
            return
        session, clock = self._session, self._context.clock
        for key, fill in (
            (
                "accounts",
                lambda: home.show_accounts(dash.get_account_overview(session=session, clock=clock)),
            ),
            (
                "security",
                lambda: home.show_security(
                    dash.list_security_notes(
                        session=session, clock=clock, audit_warning=session.audit_warning
                    )
                ),
            ),
            ("chain", lambda: home.show_chain(dash.get_chain_status(session=session, clock=clock))),
            (
                "alarms",
                lambda: home.show_alarms(dash.list_recent_alarms(session=session, clock=clock)),
            ),
            ("queue", lambda: home.show_queue(approval_queue(session=session, clock=clock))),
            (
                "overdue",
                lambda: home.show_overdue(list_overdue(session=session, clock=clock, limit=200)),
            ),
            ("inspections", self._fill_inspections_due),
            ("tasks", self._fill_tasks),
            (
                "review",
                lambda: home.show_review(secrecy_review_queue(session=session, clock=clock)),
            ),
            (
                "appraisal",
                lambda: home.show_appraisal(dash.list_appraisal_due(session=session, clock=clock)),
            ),
            ("privacy", self._fill_privacy),
            ("backup", lambda: home.show_backup(get_backup_status(session=session, clock=clock))),
            # staff (issue 20)
            (
                "papers",
                lambda: home.show_papers(staff.get_my_compliance(session=session, clock=clock)),
            ),
            (
                "filing",
                lambda: home.show_filing(staff.get_filing_status(session=session, clock=clock)),
            ),
            (
                "staff",
                lambda: home.show_staff(staff.list_compliance_notes(session=session, clock=clock)),
            ),
            (
                "access_review",
                lambda: home.show_access_review(staff.get_review_due(session=session, clock=clock)),
            ),
            (
                "statistics",
                lambda: home.show_statistics(get_overview(session=session, clock=clock)),
            ),
        ):
            if home.card(key) is None:
                continue
            try:
                fill()
            except AppError as exc:
                log.warning("home card %s not refreshed: %s", key, exc.code)
                home.show_unavailable(key)

    def _fill_privacy(self) -> None:
        """The 个人信息 card: overdue customers' requests, the 到期处理 queue, open requests."""
        from app.services import privacy

        home = self.page_by_key["home"]
        assert isinstance(home, HomePage)
        session, clock = self._session, self._context.clock
        requests = privacy.list_subject_requests(session=session, clock=clock, open_only=True)
        home.show_privacy(
            [r for r in requests if r.overdue],
            len(privacy.list_storage_due(session=session, clock=clock)),
            len(privacy.list_erasure_requests(session=session, clock=clock, open_only=True)),
        )

    def _fill_inspections_due(self) -> None:
        from app.services.inspections import list_inspection_schedule

        home = self.page_by_key["home"]
        assert isinstance(home, HomePage)
        home.show_inspections_due(
            list_inspection_schedule(session=self._session, clock=self._context.clock)
        )

    def _fill_tasks(self) -> None:
        """The 待办任务 card: repair tasks, and 机密/绝密 volumes in ordinary places (R22)."""
        from app.services.inspections import list_open_tasks
        from app.services.locations import list_must_move

        home = self.page_by_key["home"]
        assert isinstance(home, HomePage)
        tasks = list_open_tasks(session=self._session, clock=self._context.clock, limit=200)
        must_move = 0
        if may(self._session.actor.roles, "location.read"):
            must_move = len(list_must_move(session=self._session, clock=self._context.clock))
        home.show_tasks(tasks, must_move)

    def current_area(self) -> str:
        """Key of the visible area."""
        return AREAS[self.nav.currentRow()][0]

    # -- geometry -----------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 720)

    def save_geometry(self) -> None:
        """Remember size and position."""
        QSettings().setValue("main_window/geometry", self.saveGeometry())

    def close_for_sign_out(self) -> None:
        """Close without asking (the controller signs out)."""
        self._allow_close = True
        from ui.tasks import task_registry

        task_registry().cancel_all()  # no result of this session is shown after it (the
        # controller has waited for the workers; a window closed directly drops them too)
        self.change_bus.detach()
        self.trackers = {}  # they refer to the window: no cycle keeps it after sign-out
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window signs out and quits."""
        self.save_geometry()
        if not self._allow_close:
            self._allow_close = True
            self.quit_requested.emit()
        event.accept()
