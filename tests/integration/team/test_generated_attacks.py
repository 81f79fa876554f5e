"""Every write a rep or a manager must not make, tried with raw SQL and their own credentials.

The attack list is generated (``attack_plan``) from the schema, the scoping rules and the
privilege model, so a table or function added later is attacked without editing this file.
One team database serves the module: the app seeds it (credits bought, redeemed and allocated,
leads, campaigns, templates, messages, views, bulk edits, suppressions, holds, a price list and
settings), then each attack runs as its own autocommit statement and must be refused
(``InsufficientPrivilege``, or no row touched where row-level security hides the row) while the
superuser sees no table change. The ledger functions are called with hostile arguments and must
refuse them or move no credit they should not. Last, the ledger audits clean, nothing but the
legitimate moves happened, and ``team_check`` finds no privilege wider than the model.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row
from sqlalchemy import Column, ForeignKey, String, Table, Uuid, create_engine
from sqlalchemy.engine import URL

from leaddesk.services import settings
from leaddesk.services.credits import topup_codes
from leaddesk.services.leads.bulk_edit import BulkChange
from leaddesk.services.leads.query import LeadQuery
from leaddesk.services.team import passwords
from leaddesk.services.team.team_mode import setup_team
from leaddesk.store import postgres_privileges
from leaddesk.store.base import Base
from leaddesk.store.postgres_privileges import LEDGER_TABLES, MEMBER_FUNCTIONS
from leaddesk.store.postgres_security import app_tables, role_name
from tests.integration.team import attack_plan as plan
from tests.integration.team.team_support import PASSWORD, Team, _postgres_team

VICTIM = "rep_b"
VICTIM_KEY = "rep_b-key-1"

def _param(item: Any) -> Any:
    return pytest.param(item, id=item.id)


# --- the arena: one seeded team database for the module ------------------------------------------


@dataclass
class Arena:
    team: Team
    world: plan.World
    builder: plan.WriteBuilder
    start_digest: dict[str, str] = field(default_factory=dict)
    start_ledger: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    start_counters: dict[tuple[str, str], int] = field(default_factory=dict)
    _conns: dict[str, psycopg.Connection[Any]] = field(default_factory=dict)

    def conn(self, role: str) -> psycopg.Connection[Any]:
        """The attacker's own connection (autocommit: a refused statement spoils nothing)."""
        found = self._conns.get(role)
        if found is None or found.closed or found.broken:
            found = psycopg.connect(self.team.pg_conninfo[plan.ATTACKERS[role]], autocommit=True)
            self._conns[role] = found
        return found

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()

    def user(self, member: str) -> uuid.UUID:
        return self.team.users[member].id


def _seed(team: Team) -> None:
    """Realistic data, written through the app by each member."""
    admin = team["admin"]
    admin.credits.purchase("professional")
    private_pem, public_pem = topup_codes.generate_keypair()
    code = topup_codes.issue_code(
        topup_codes.private_key_from_pem(private_pem), 500,
        dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
    )
    admin.credits.redeem(code, public_key=topup_codes.public_key_from_pem(public_pem))
    admin.credits.publish_prices({"email": 2}, "attack suite")
    admin.credits.set_low_balance_threshold(25)
    for who in ("manager", "rep_a", "rep_b"):
        admin.credits.allocate(team.users[who].id, 400)
    admin.credits.set_spend_cap(team.users["rep_b"].id, 1000, "week")
    for who in plan.MEMBERS:
        app = team[who]
        campaign = app.campaigns.create({"name": f"{who} campaign"})
        lead = app.leads.create({"first_name": who, "email": f"{who}@lead.example",
                                 "tags": ["vip"], "campaign_id": str(campaign.id)})
        app.leads.create({"first_name": f"{who} two", "email": f"{who}2@lead.example",
                          "tags": ["cold"]})
        app.templates.create({"channel": "email", "name": f"{who} intro", "body": "Hello"})
        app.messages.save_draft(lead.id, "email", "Hi", f"Private words of {who}")
        app.saved_views.save(f"{who} view", LeadQuery(search=who))
        app.bulk_edit.apply([lead.id], BulkChange({"status": "contacted"}))
        app.suppression.add(f"gone-{who}@lead.example", "unsubscribe")
        app.credits.reserve(3, "email", idempotency_key=f"{who}-key-1")  # an open hold
        app.credits.consume(app.credits.reserve(2, "email").id)  # a settled one
    settings.put(team["rep_a"].store, "import_mappings", {"email": "E-mail"})


def _superuser(team: Team) -> psycopg.Connection[dict[str, Any]]:
    return psycopg.connect(team.pg_conninfo["superuser"], autocommit=True, row_factory=dict_row)


@pytest.fixture(scope="module")
def arena(request: pytest.FixtureRequest, pg_server: Any, pg_team_template: str,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Arena]:
    """One team database for every attack of the module (``pg_server`` marks it postgres)."""
    home = tmp_path_factory.mktemp("attack-home")
    with (
        pytest.MonkeyPatch.context() as patch,
        passwords.hashing_parameters(),
        _postgres_team(request) as team,
    ):
        patch.setenv("LEADDESK_DATA_DIR", str(home / "data"))
        patch.setenv("XDG_CONFIG_HOME", str(home / "config"))
        _seed(team)
        su = _superuser(team)
        world = plan.World(su, {m: team.users[m].id for m in plan.MEMBERS})
        plan.fill_gaps(world)
        # A send counter of the victim's own channel, counted by the victim's app.
        integration = world.row(plan.table("integrations"), VICTIM)["id"]
        with team[VICTIM].store.write() as session:
            session.connection().exec_driver_sql(
                "SELECT leaddesk_count_sends(%(caps)s::jsonb, 1)",
                {"caps": json.dumps([{"scope": f"integration:{integration}",
                                      "period": "d2099-01-01", "limit": 100}])},
            )
        arena = Arena(team, world, plan.WriteBuilder(world))
        arena.start_digest = _digest(su)
        arena.start_ledger = _ledger(su)
        arena.start_counters = _counters(su)
        try:
            yield arena
        finally:
            arena.close()
            su.close()


# --- what the superuser sees --------------------------------------------------------------------

_CATALOG = """
SELECT 'catalog' AS name, md5(string_agg(c.relname || coalesce(c.relacl::text, '') ||
       c.relrowsecurity || c.relforcerowsecurity || pg_get_userbyid(c.relowner)
       || (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid), '|' ORDER BY c.relname))
FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
"""


def _digest(su: psycopg.Connection[dict[str, Any]]) -> dict[str, str]:
    """A fingerprint of every table's rows, and of the tables' ownership, ACLs and policies."""
    parts = [
        f"SELECT '{t.name}' AS name, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), "
        f"'')) FROM public.{t.name} x"
        for t in plan.all_tables()
    ]
    query = " UNION ALL ".join([*parts, _CATALOG.strip()])
    return {row["name"]: row["md5"] for row in su.execute(query)}


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


_LEDGER = """
SELECT a.id, a.user_id, a.balance, a.reserved, a.unlimited,
  (SELECT count(*) FROM public.credit_transactions t WHERE t.account_id = a.id) AS lines,
  (SELECT coalesce(sum(t.amount), 0) FROM public.credit_transactions t
   WHERE t.account_id = a.id) AS ledger_sum,
  (SELECT coalesce(sum(h.amount), 0) FROM public.credit_holds h WHERE h.account_id = a.id)
   AS held,
  (SELECT count(*) FROM public.credit_holds h WHERE h.account_id = a.id) AS holds,
  (SELECT coalesce(array_agg(t.id), '{}') FROM public.credit_transactions t
   WHERE t.account_id = a.id) AS line_ids
FROM public.credit_accounts a
"""


def _ledger(su: psycopg.Connection[dict[str, Any]]) -> dict[uuid.UUID, dict[str, Any]]:
    return {row["id"]: row for row in su.execute(_LEDGER)}


def _counters(su: psycopg.Connection[dict[str, Any]]) -> dict[tuple[str, str], int]:
    return {(r["scope"], r["period"]): r["count"]
            for r in su.execute("SELECT scope, period, count FROM public.send_counters")}


def _assert_moved_only_by_owners(
    su: psycopg.Connection[dict[str, Any]],
    before: dict[uuid.UUID, dict[str, Any]],
    after: dict[uuid.UUID, dict[str, Any]],
    movers: set[uuid.UUID],
) -> None:
    """Balance equals ledger sum and reserved equals holds everywhere; accounts of others than
    ``movers`` unchanged; a mover's balance + reserved never grew, never went below zero, and
    every new ledger line is the account owner's own act."""
    for acc, row in after.items():
        assert row["balance"] == row["ledger_sum"], f"account {acc}: balance is not its ledger"
        assert row["reserved"] == row["held"], f"account {acc}: reserved is not its holds"
        old = before.get(acc)
        if row["user_id"] not in movers:
            assert old is not None, f"account {acc} of {row['user_id']} appeared"
            keys = ("balance", "reserved", "lines", "holds")
            assert {k: row[k] for k in keys} == {k: old[k] for k in keys}, f"account {acc} moved"
            continue
        total = (old["balance"] + old["reserved"]) if old else 0
        assert row["balance"] + row["reserved"] <= total, f"account {acc} gained credits"
        assert row["unlimited"] or row["balance"] >= 0, f"account {acc} went negative"
        new = set(row["line_ids"]) - set(old["line_ids"] if old else ())
        if new:
            actors = su.execute(
                "SELECT DISTINCT actor_id FROM public.credit_transactions WHERE id = ANY(%s)",
                [list(new)],
            ).fetchall()
            assert {a["actor_id"] for a in actors} == {row["user_id"]}, f"account {acc}: " \
                "a ledger line not by its owner"


def _run(conn: psycopg.Connection[Any], statement: plan.Statement,
         ) -> tuple[psycopg.Error | None, int]:
    query, params = statement
    try:
        cursor = conn.execute(query, params)
    except psycopg.Error as exc:
        return exc, -1
    return None, cursor.rowcount


# --- the tables ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [t.name for t in plan.all_tables()])
def test_every_table_has_a_rule(name: str) -> None:
    """A table the model does not name is a table the suite cannot attack (nor team-setup grant
    correctly): scope it (``scoping.TABLE_RULES``/an owner column) or declare it special."""
    assert name not in plan.unclassified_tables(), (
        f"table {name} is neither scoped by scoping.rule_for nor listed in "
        "postgres_privileges.SPECIAL_TABLES or scoping.SHARED_TABLES"
    )


def test_a_table_added_later_is_attacked_or_named() -> None:
    """The plan reads the metadata: an owned table is attacked like the others without editing
    the suite; one the model cannot place is named."""
    owned = Table("gadgets", Base.metadata, Column("id", Uuid(), primary_key=True),
                  Column("owner_id", Uuid(), ForeignKey("users.id")), Column("name", String(20)))
    loose = Table("widgets", Base.metadata, Column("id", Uuid(), primary_key=True))
    try:
        ids = {a.id for a in plan.write_attacks()}
        assert {"rep-gadgets-reassign-rep_b", "manager-gadgets-insert-owner-admin",
                "rep-gadgets-steal-manager", "rep-gadgets-truncate"} <= ids
        assert plan.unclassified_tables() == ["widgets"]
    finally:
        Base.metadata.remove(owned)
        Base.metadata.remove(loose)


_PRIVILEGE_KINDS = {"update", "insert", "delete", "truncate", "alter"}


@pytest.mark.parametrize("attack", [_param(a) for a in plan.write_attacks()])
def test_write_refused(attack: plan.Attack, arena: Arena) -> None:
    statement = arena.builder.statement(attack)
    su = arena.world.su
    before = _digest(su)
    error, rows = _run(arena.conn(attack.role), statement)
    after = _digest(su)
    assert _changed(before, after) == [], f"{attack.id} changed {_changed(before, after)}"
    if attack.kind == "grant":  # without grant options PostgreSQL only warns: nothing granted
        assert error is None or isinstance(error, psycopg.errors.InsufficientPrivilege), error
    elif error is None:
        assert attack.kind not in _PRIVILEGE_KINDS, f"{attack.id}: no privilege error"
        assert rows == 0, f"{attack.id} touched {rows} rows"
    else:
        assert isinstance(error, psycopg.errors.InsufficientPrivilege), (
            f"{attack.id} refused for another reason (the attack is malformed): {error!r}"
        )


@pytest.mark.parametrize("attack", [_param(a) for a in plan.allowed_writes()])
def test_allowed_write_works(attack: plan.Attack, arena: Arena) -> None:
    """The same forged rows, owned by the attacker, go in (and are rolled back): the attacks
    above are refused for whose the row is, not because it is malformed."""
    conn = arena.conn(attack.role)
    query, params = arena.builder.own_insert(attack)
    with conn.transaction(force_rollback=True):
        assert conn.execute(query, params).rowcount == 1


# --- the functions ------------------------------------------------------------------------------


def _fill(arena: Arena, role: str, value: Any) -> Any:
    """Placeholders of the plan's calls, made real (a fresh own reservation: through the app)."""
    if isinstance(value, list):
        return [_fill(arena, role, v) for v in value]
    if isinstance(value, dict):
        return {k: _fill(arena, role, v) for k, v in value.items()}
    attacker = plan.ATTACKERS[role]
    if value == plan.OWN:
        return str(arena.team[attacker].credits.reserve(1, "email").id)
    if value == plan.KEY:
        return f"attack-{uuid.uuid4()}"
    if value == plan.SCOPE:
        return f"attack:{role}:{uuid.uuid4().hex[:8]}"
    if value == "<random uuid>":
        return str(uuid.uuid4())
    if value == plan.VICTIM_RESERVATION:
        return str(_victim_hold(arena))
    if value == plan.VICTIM_SETTLED:
        return str(_victim_settled(arena))
    if value == plan.VICTIM_KEY:
        return VICTIM_KEY
    if value == plan.VICTIM_SCOPE:  # the victim's mailbox's send counter (seeded)
        return f"integration:{arena.world.row(plan.table('integrations'), VICTIM)['id']}"
    if value == plan.PRECLAIM:  # a fresh hold of the victim's, whose settle key is claimed
        return f"settle:{arena.team[VICTIM].credits.reserve(1, 'email').id}"
    return value


def _victim_hold(arena: Arena) -> uuid.UUID:
    row = arena.world.su.execute(
        "SELECT h.reservation_id FROM public.credit_transactions t JOIN public.credit_holds h "
        "ON h.reservation_id = t.id WHERE t.idempotency_key = %s", [VICTIM_KEY]).fetchone()
    assert row is not None
    return row["reservation_id"]


def _victim_settled(arena: Arena) -> uuid.UUID:
    row = arena.world.su.execute(
        "SELECT t.reservation_id FROM public.credit_transactions t "
        "JOIN public.credit_accounts a ON a.id = t.account_id "
        "WHERE a.user_id = %s AND t.kind = 'consumption' LIMIT 1", [arena.user(VICTIM)]
    ).fetchone()
    assert row is not None
    return row["reservation_id"]


def _call_args(arena: Arena, call: plan.Call, types: list[str]) -> list[Any]:
    args = plan.benign_args(call.function, types)
    if call.arg >= 0:
        args[call.arg] = plan.hostile_value(call, types)
    for index, type_ in enumerate(types):
        value = args[index]
        if type_ == "jsonb" and value == "<100,000 items>":
            value = [_fill(arena, call.role, plan.benign_args(call.function, types)[index][0])]
            value = value * 100_000
        elif type_ == "jsonb" and value == "<the item twice>":
            item = _fill(arena, call.role, plan.benign_args(call.function, types)[index][0])
            value = [item, item]
        value = _fill(arena, call.role, value)
        args[index] = json.dumps(value) if type_ == "jsonb" and value is not None else value
    return args


def _call(conn: psycopg.Connection[Any], function: str, types: list[str],
          args: list[Any]) -> tuple[psycopg.Error | None, list[Any]]:
    query = sql.SQL("SELECT * FROM public.{}({})").format(
        sql.Identifier(function),
        sql.SQL(", ").join(sql.SQL("CAST(%s AS {})").format(sql.SQL(t)) for t in types),
    )
    try:
        return None, conn.execute(query, args).fetchall()
    except psycopg.Error as exc:
        return exc, []


#: Calls the brief names as refused outright (an error, not a quiet no-op).
_MUST_RAISE = {
    ("leaddesk_reserve", 0): {"negative", "zero", "huge", "min", "null"},
    ("leaddesk_reserve", 1): {"null", "long"},
    ("leaddesk_reserve", 4): {"long", "victim-key", "preclaim"},
    ("leaddesk_settle", 0): {"null", "random", "victim", "victim-settled"},
    ("leaddesk_settle", 1): {"null", "long"},
    ("leaddesk_count_sends", 1): {"negative", "zero", "huge", "min", "null"},
}
_MUST_RAISE_JSON = {"null", "object", "scalar", "huge"}


@pytest.mark.parametrize("call", [_param(c) for c in plan.hostile_calls()])
def test_function_hostile_arguments(call: plan.Call, arena: Arena) -> None:
    types = plan.member_functions()[call.function]
    args = _call_args(arena, call, types)
    su = arena.world.su
    before, counters = _ledger(su), _counters(su)
    error, _rows = _call(arena.conn(call.role), call.function, types, args)
    after = _ledger(su)
    caller = arena.user(plan.ATTACKERS[call.role])
    _assert_moved_only_by_owners(su, before, after, {caller})
    counted = _counters(su)
    for key, count in counters.items():
        assert counted.get(key, -1) >= count, f"send counter {key} went back"
        if key in arena.start_counters:  # the seeded members' own caps
            assert counted[key] == count, f"{call.id} counted on someone else's {key}"
    raising = _MUST_RAISE.get((call.function, call.arg), set())
    if call.arg >= 0 and types[call.arg] == "jsonb" and not call.item_key:
        raising = raising | (_MUST_RAISE_JSON & {call.variant})
    if call.variant in raising:
        assert error is not None, f"{call.id} was not refused"
    if call.variant == "benign":
        assert error is None, f"the well-formed call failed: {error!r}"


@pytest.mark.parametrize(
    ("role", "function"),
    [(role, name) for role in plan.ATTACKERS for name in plan.owner_only_functions()],
    ids=lambda v: v,
)
def test_owner_only_function_refused(role: str, function: str, arena: Arena) -> None:
    types = plan.owner_only_functions()[function]
    before = _ledger(arena.world.su)
    error, _ = _call(arena.conn(role), function, types, [None] * len(types))
    assert isinstance(error, psycopg.errors.InsufficientPrivilege), error
    assert _ledger(arena.world.su) == before


@pytest.mark.parametrize("role", list(plan.ATTACKERS))
def test_members_execute_exactly_the_member_functions(role: str, arena: Arena) -> None:
    """Whatever defines a ``leaddesk*`` function, the catalog grants members only the listed."""
    login = role_name(arena.team.names[plan.ATTACKERS[role]])
    rows = arena.world.su.execute(
        "SELECT p.oid::regprocedure::text AS sig, has_function_privilege(%s, p.oid, 'EXECUTE')"
        " AS may FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace "
        "AND p.proname LIKE 'leaddesk%%'", [login]).fetchall()
    members = {sig.replace(", ", ",") for sig in MEMBER_FUNCTIONS}
    wrong = [r["sig"] for r in rows if r["may"] != (r["sig"].replace("public.", "") in members)]
    assert rows and wrong == []


# --- replays ------------------------------------------------------------------------------------


def _reserve(conn: psycopg.Connection[Any], key: str | None) -> tuple[psycopg.Error | None, Any]:
    types = plan.member_functions()["leaddesk_reserve"]
    return _call(conn, "leaddesk_reserve", types, [1, "email", "", "", key, None, "replay"])


@pytest.mark.parametrize("role", list(plan.ATTACKERS))
def test_replay_of_another_accounts_key_refused(role: str, arena: Arena) -> None:
    su = arena.world.su
    before = _ledger(su)
    error, _ = _reserve(arena.conn(role), VICTIM_KEY)
    assert error is not None and error.sqlstate == "LD409"
    batch = json.dumps([{"cost": 1, "action": "email", "key": VICTIM_KEY}])
    error, _ = _call(arena.conn(role), "leaddesk_reserve_many", ["jsonb", "integer", "text"],
                     [batch, None, "replay"])
    assert error is not None
    assert _ledger(su) == before


@pytest.mark.parametrize("role", list(plan.ATTACKERS))
def test_settling_another_users_hold_refused(role: str, arena: Arena) -> None:
    su = arena.world.su
    hold = str(_victim_hold(arena))
    before = _ledger(su)
    for kind in ("consumption", "release"):
        error, _ = _call(arena.conn(role), "leaddesk_settle", ["uuid", "text", "text"],
                         [hold, kind, ""])
        assert error is not None and error.sqlstate == "LD404"
        error, rows = _call(arena.conn(role), "leaddesk_settle_many", ["jsonb"],
                            [json.dumps([{"reservation_id": hold, "kind": kind}])])
        assert error is None and rows == []
    assert _ledger(su) == before


@pytest.mark.parametrize("role", list(plan.ATTACKERS))
def test_settling_twice_moves_credits_once(role: str, arena: Arena) -> None:
    su = arena.world.su
    app = arena.team[plan.ATTACKERS[role]]
    conn = arena.conn(role)
    first, second = (str(app.credits.reserve(2, "email").id) for _ in range(2))
    balance = app.credits.balance()
    answers = [_call(conn, "leaddesk_settle", ["uuid", "text", "text"], [first, "release", ""])
               for _ in range(2)]
    assert [e for e, _ in answers] == [None, None]
    assert answers[0][1][0][0] == answers[1][1][0][0]  # the same ledger line, twice
    items = json.dumps([{"reservation_id": second, "kind": "release"}] * 2)
    _, settled = _call(conn, "leaddesk_settle_many", ["jsonb"], [items])
    _, again = _call(conn, "leaddesk_settle_many", ["jsonb"], [items])
    assert len(settled) == 1 and again == []
    assert app.credits.balance().available == balance.available + 4
    lines = su.execute("SELECT count(*) AS n FROM public.credit_transactions WHERE "
                       "reservation_id = ANY(%s::uuid[])", [[first, second]]).fetchone()
    assert lines["n"] == 2


@pytest.mark.parametrize("role", plan.ATTACKERS)
def test_a_claimed_settle_key_blocks_nobody(role: str, arena: Arena) -> None:
    """Whatever a member does with keys, another member's reservation still settles."""
    victim = arena.team[VICTIM].credits
    held = victim.reserve(1, "email")
    _reserve(arena.conn(role), f"settle:{held.id}")  # refused, or at least harmless
    before = victim.balance().available
    try:
        victim.release(held.id, "attack suite")
    finally:
        assert arena.team["admin"].credits.audit().ok
    assert victim.balance().available == before + 1


# --- team-check -------------------------------------------------------------------------------


def test_team_check_reports_widened_grants_and_setup_repairs_them(pg_team: Team) -> None:
    url = _super_url(pg_team)
    reserve_one = plan.signature("leaddesk_reserve_one",
                                 plan.defined_functions()["leaddesk_reserve_one"])
    with psycopg.connect(pg_team.pg_conninfo["superuser"], autocommit=True) as conn:
        conn.execute(f"GRANT UPDATE ON public.credit_accounts TO {postgres_privileges.USER_ROLE}")
        conn.execute(f"GRANT EXECUTE ON FUNCTION public.{reserve_one} TO PUBLIC")
        spelled = conn.execute("SELECT oidvectortypes(proargtypes) FROM pg_proc "
                               "WHERE proname = 'leaddesk_reserve_one'").fetchone()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            problems = postgres_privileges.team_check(conn, app_tables(conn))
        assert spelled is not None and problems == sorted([
            f"{postgres_privileges.USER_ROLE} has UPDATE on credit_accounts",
            f"PUBLIC has EXECUTE on function leaddesk_reserve_one({spelled[0]})",
        ])
        setup_team(url, pg_team.names["admin"], PASSWORD["admin"], "Ann Admin")
        with engine.connect() as conn:
            assert postgres_privileges.team_check(conn, app_tables(conn)) == []
    finally:
        engine.dispose()
    with (
        contextlib.closing(psycopg.connect(pg_team.pg_conninfo["rep_a"], autocommit=True)) as c,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        c.execute("UPDATE public.credit_accounts SET balance = balance + 1")


# --- afterwards ---------------------------------------------------------------------------------


def test_zz_after_every_attack_the_ledger_audits_and_the_grants_hold(arena: Arena) -> None:
    """Runs last (module order): nothing moved but the members' own legitimate credit moves."""
    assert arena.team["admin"].credits.audit().ok
    su = arena.world.su
    members = {arena.user(m) for m in plan.MEMBERS}
    _assert_moved_only_by_owners(su, arena.start_ledger, _ledger(su), members)
    untouched = set(arena.start_digest) - LEDGER_TABLES - {"send_counters"}
    now = _digest(su)
    assert [n for n in sorted(untouched) if now[n] != arena.start_digest[n]] == []
    engine = create_engine(_super_url(arena.team))
    try:
        with engine.connect() as conn:
            assert postgres_privileges.team_check(conn, app_tables(conn)) == []
    finally:
        engine.dispose()


def _super_url(team: Team) -> str:
    params = psycopg.conninfo.conninfo_to_dict(team.pg_conninfo["superuser"])
    return URL.create(
        "postgresql+psycopg", username=str(params["user"]), password=str(params["password"]),
        host=str(params["host"]), port=int(params["port"]), database=str(params["dbname"]),
    ).render_as_string(hide_password=False)


