"""People who use LeadDesk and the business profile they sell for."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from leaddesk.store.base import Base, SyncedMixin
from leaddesk.store.enums import Plan, Role
from leaddesk.store.models.columns import enum_type


class User(SyncedMixin, Base):
    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(200))
    username: Mapped[str] = mapped_column(String(100), unique=True)
    email: Mapped[str] = mapped_column(String(320), default="", server_default="")
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"), default=Role.REP)
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    credit_plan: Mapped[Plan] = mapped_column(enum_type(Plan, "user_plan"), default=Plan.NONE)
    is_active: Mapped[bool] = mapped_column(default=True)
    manager_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    failed_logins: Mapped[int] = mapped_column(default=0)
    last_failed_login_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class BusinessProfile(SyncedMixin, Base):
    """What the user sells and to whom: drives templates, scoring and ICP targeting."""

    __tablename__ = "business_profiles"

    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), default=None)
    company: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    postal_address: Mapped[str] = mapped_column(Text, default="")
    offer: Mapped[str] = mapped_column(Text, default="")
    icp: Mapped[dict[str, Any]] = mapped_column(default=dict)
    brand_voice: Mapped[str] = mapped_column(Text, default="")
    goals: Mapped[str] = mapped_column(Text, default="")
