"""Errors services raise. Each says what is wrong and, where it can, which field."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a service raises on purpose."""


class ValidationError(ServiceError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFoundError(ServiceError):
    def __init__(self, entity: str, ident: object) -> None:
        # A name is quoted, so one with spaces reads as one: saved view 'Q3 hot' not found.
        shown = repr(ident) if isinstance(ident, str) else ident
        super().__init__(f"{entity} {shown} not found")
        self.entity = entity
        self.ident = ident


class PermissionDeniedError(ServiceError):
    pass


class InsufficientCreditsError(ServiceError):
    def __init__(self, need: int, have: int) -> None:
        super().__init__(f"insufficient credits: need {need}, have {have}")
        self.need = need
        self.have = have


class ReservationSettledError(ServiceError):
    """A reservation was already consumed or released; it settles exactly once."""


class SpendCapExceededError(InsufficientCreditsError):
    """An admin's cap on a member's spend per week or month would be passed."""

    def __init__(self, need: int, period: str, cap: int, spent: int) -> None:
        ServiceError.__init__(
            self,
            f"spend cap reached: this {period}'s cap is {cap}, {spent} already spent, need {need}",
        )
        self.need = need
        self.have = max(cap - spent, 0)
        self.period = period
        self.cap = cap
        self.spent = spent
