"""The team fixtures (see ``team_support``), on SQLite and PostgreSQL."""

from tests.integration.team.team_support import _cheap_hashes, pg_team, team

pytest_plugins = ["tests.support.pgcluster"]

__all__ = ["_cheap_hashes", "pg_team", "team"]
