"""The credits view at common window widths: the transaction filters move under their heading
when one line cannot hold them, rather than squeezing their text."""

from __future__ import annotations

from leaddesk.services.app_services import AppServices
from leaddesk.ui import theme
from leaddesk.ui.credits.view import CreditsView


def test_the_filters_wrap_under_the_heading_when_narrow(qtbot, app: AppServices) -> None:
    view = CreditsView(app.credits)
    view.setStyleSheet(theme.style_sheet())  # the app's sizes (the theme pads its controls)
    qtbot.addWidget(view)
    view.resize(1100, 760)
    view.show()
    qtbot.waitUntil(view.is_loaded)
    assert view.filters_inline is True
    view.resize(640, 640)  # as narrow as it goes
    qtbot.waitUntil(lambda: view.filters_inline is False)
    for combo in (view.filters.action_combo, view.filters.user_combo):
        assert combo.width() >= combo.minimumSizeHint().width()
    view.resize(1100, 760)
    qtbot.waitUntil(lambda: view.filters_inline is True)
    chart = view.usage_card.chart
    assert chart is not None and chart.height() >= chart.minimumHeight()
