"""Demo data is an admin's act on an empty database (or one made by ``leaddesk demo``)."""

from __future__ import annotations

import pytest

from leaddesk.services import demo
from leaddesk.services.app_services import AppServices
from leaddesk.services.context import Actor, ServiceContext
from leaddesk.services.errors import PermissionDeniedError
from leaddesk.services.team.users import UserService
from leaddesk.store.enums import Role


def test_demo_refuses_a_database_that_holds_real_leads(app: AppServices) -> None:
    app.leads.create({"first_name": "Real", "email": "real@customer.example"})
    with pytest.raises(PermissionDeniedError, match="holds real leads"):
        demo.populate(app, 10)
    assert app.credits.balance().available == 0
    assert not app.credits.is_demo_database()


def test_demo_runs_again_on_a_demo_database(app: AppServices) -> None:
    demo.populate(app, 10)
    assert app.credits.is_demo_database()
    demo.populate(app, 10)  # a demo database may take more demo data


def test_demo_refuses_a_non_admin(app: AppServices) -> None:
    rep = UserService(app.ctx).add("rep", "Rita Rep", Role.REP.value, password="rep-secret-123")
    as_rep = AppServices(ServiceContext(app.store, Actor(rep.id, rep.name, Role.REP)))
    with pytest.raises(PermissionDeniedError, match="only an admin"):
        demo.populate(as_rep, 10)
    assert as_rep.credits.balance().available == 0
    assert not app.credits.is_demo_database()
