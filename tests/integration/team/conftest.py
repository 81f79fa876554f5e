"""The team fixtures (see ``team_support``), on SQLite and PostgreSQL."""

from tests.integration.team.team_support import _cheap_hashes, pg_team, pg_team_template, team

__all__ = ["_cheap_hashes", "pg_team", "pg_team_template", "team"]
