"""What a rep writes down about a lead by hand: a note, and a call, meeting or email that
happened outside LeadDesk with its outcome. Both land on the lead's timeline; a logged contact
also sets the lead's last-contacted date."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from leaddesk.services import activity
from leaddesk.services.context import ServiceContext
from leaddesk.services.errors import NotFoundError, ValidationError
from leaddesk.services.leads.service import LeadRecord, LeadService
from leaddesk.services.validation import limit_text, require_text
from leaddesk.store.models import Lead
from leaddesk.store.types import utcnow

#: The kinds of contact a rep can log (the action on the timeline is ``log_<kind>``).
CONTACT_KINDS = ("call", "meeting", "email")
#: How a contact went.
OUTCOMES = ("reached", "no answer", "left voicemail", "meeting booked", "interested",
            "not interested", "wrong number")
NOTE_ACTION = "note"
_NOTES_LIMIT = 100_000


def _lead(session: Session, lead_id: uuid.UUID) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFoundError("lead", lead_id)
    return lead


def _touch(lead: Lead) -> None:
    lead.version += 1
    lead.updated_at = utcnow()


class ContactLogService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def add_note(self, lead_id: uuid.UUID, text: str) -> LeadRecord:
        """Put a dated note on top of the lead's notes; returns the lead as it now reads."""
        note = require_text(text, "note", 10_000)
        with self._ctx.store.write() as session:
            lead = _lead(session, lead_id)
            stamped = f"{utcnow():%Y-%m-%d %H:%M} UTC — {note}"
            notes = f"{stamped}\n\n{lead.notes}" if lead.notes.strip() else stamped
            lead.notes = limit_text(notes, "notes", _NOTES_LIMIT)
            _touch(lead)
            activity.record(session, self._ctx.actor.id, NOTE_ACTION, "lead", lead.id,
                            lead_id=lead.id, summary=f"note: {note}")
        return LeadService(self._ctx).get(lead_id)

    def log_contact(
        self, lead_id: uuid.UUID, kind: str, outcome: str, notes: str = ""
    ) -> LeadRecord:
        """Record a call, meeting or email that happened; the lead was contacted now."""
        kind = kind.strip().lower()
        if kind not in CONTACT_KINDS:
            raise ValidationError("kind", f"{kind!r} is not one of {', '.join(CONTACT_KINDS)}")
        outcome = outcome.strip().lower()
        if outcome not in OUTCOMES:
            raise ValidationError("outcome", f"{outcome!r} is not one of {', '.join(OUTCOMES)}")
        details = limit_text(notes, "notes", 2_000)
        with self._ctx.store.write() as session:
            lead = _lead(session, lead_id)
            lead.last_contacted_at = utcnow()
            _touch(lead)
            summary = f"{kind} logged — {outcome}" + (f": {details}" if details else "")
            activity.record(session, self._ctx.actor.id, f"log_{kind}", "lead", lead.id,
                            lead_id=lead.id, summary=summary,
                            changes={"kind": kind, "outcome": outcome, "notes": details})
        return LeadService(self._ctx).get(lead_id)
