"""The ledger's hot path as PostgreSQL functions: what reps and managers may do to credits.

On a team database reps and managers hold no INSERT, UPDATE or DELETE on the credit tables
(``store.postgres_privileges``); they reserve and settle through these ``SECURITY DEFINER``
functions, owned by the owner role with a pinned ``search_path``. Each states the same rules as
the Python it mirrors in ``credits.ledger`` (the ``_RESERVE``/``_SETTLE`` statements and
``reserve``, ``_settle``, ``_reserve_many``, ``_settle_many``):

- the caller is the session's login role (``leaddesk_caller``), never an argument;
- a reservation takes a positive cost from the caller's own account, guarded by its available
  balance (unless unlimited) and spend cap in the window the database's clock names;
- a settlement takes one of the caller's own open holds (an admin's: any), once per reservation
  (the ``settle:<id>`` idempotency key), moving at most the held amount back;
- every movement writes its ledger line in the same statement order as the service, so the
  balance stays equal to the ledger sum; idempotency keys replay only the caller's own lines.

The same property and concurrency tests run against SQLite (the Python path) and PostgreSQL
(these functions), so the two cannot drift. Admins' money movements (purchases, allocations,
adjustments, refunds, redemptions, caps) keep the Python path: an admin is trusted with the
team's data and holds the grants for them.
"""

from __future__ import annotations

#: SQLSTATE of a reservation refused for balance or spend cap (the caller reads which).
REFUSED = "LD402"
#: SQLSTATE of a settlement whose reservation is not the caller's, or unknown.
UNKNOWN_RESERVATION = "LD404"
#: SQLSTATE of an idempotency key used by another account.
FOREIGN_KEY_USE = "LD409"

_HEADER = "SET search_path = pg_catalog, pg_temp"

_CAP_WINDOW = f"""
CREATE OR REPLACE FUNCTION public.leaddesk_cap_window(p_period text, p_at timestamptz)
RETURNS integer LANGUAGE sql IMMUTABLE {_HEADER} AS $$
  -- credits.caps.week_key / month_key: the Monday's day ordinal, or year * 12 + month (UTC)
  SELECT CASE WHEN p_period = 'week'
    THEN (date_trunc('week', p_at AT TIME ZONE 'UTC')::date - date '0001-01-01') + 1
    ELSE (extract(year FROM p_at AT TIME ZONE 'UTC') * 12
          + extract(month FROM p_at AT TIME ZONE 'UTC'))::integer
  END
$$"""

_ACCOUNT = f"""
CREATE OR REPLACE FUNCTION public.leaddesk_credit_account() RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER {_HEADER} AS $$
DECLARE
  uid uuid := public.leaddesk_caller();
  acc uuid;
BEGIN
  IF uid IS NULL THEN
    RAISE EXCEPTION 'not an active LeadDesk user' USING ERRCODE = '42501';
  END IF;
  SELECT id INTO acc FROM public.credit_accounts WHERE user_id = uid;
  IF acc IS NULL THEN  -- CreditService._ensure_account: an empty account on first use
    INSERT INTO public.credit_accounts
      (id, user_id, plan, unlimited, balance, reserved, spend_cap, spend_cap_period,
       cap_window, cap_spent, created_at, updated_at)
    VALUES (gen_random_uuid(), uid, 'none', false, 0, 0, NULL, NULL, 0, 0, now(), now())
    ON CONFLICT (user_id) DO NOTHING;
    SELECT id INTO acc FROM public.credit_accounts WHERE user_id = uid;
  END IF;
  RETURN acc;
END $$"""

# The items of a batch call: a JSON array of at most 10,000 (a batch is an outbox claim).
_BATCH_ITEMS = f"""
CREATE OR REPLACE FUNCTION public.leaddesk_batch_items(p_items jsonb)
RETURNS SETOF jsonb LANGUAGE plpgsql {_HEADER} AS $$
BEGIN
  IF jsonb_typeof(p_items) IS DISTINCT FROM 'array' OR jsonb_array_length(p_items) > 10000 THEN
    RAISE EXCEPTION 'items must be an array of at most 10,000' USING ERRCODE = '22023';
  END IF;
  RETURN QUERY SELECT value FROM jsonb_array_elements(p_items);
END $$"""

# One guarded reservation on an account; NULL when balance or cap refuse it.
_RESERVE_ONE = f"""
CREATE OR REPLACE FUNCTION public.leaddesk_reserve_one(
  p_uid uuid, p_acc uuid, p_cost integer, p_action text, p_reference_type text,
  p_reference_id text, p_key text, p_price_version integer, p_holder text, p_at timestamptz)
RETURNS public.credit_transactions LANGUAGE plpgsql {_HEADER} AS $$
DECLARE
  acc_row record;
  line public.credit_transactions;
  week integer := public.leaddesk_cap_window('week', p_at);
  month integer := public.leaddesk_cap_window('month', p_at);
BEGIN
  IF p_cost IS NULL OR p_cost <= 0 THEN
    RAISE EXCEPTION 'cost % must be a positive whole number', p_cost USING ERRCODE = '22023';
  END IF;
  IF p_action IS NULL OR length(p_action) > 50 OR length(coalesce(p_reference_type, '')) > 50
     OR length(coalesce(p_reference_id, '')) > 64 OR length(coalesce(p_holder, '')) > 200
     OR length(coalesce(p_key, '')) > 200 THEN
    RAISE EXCEPTION 'action, reference, key or holder too long' USING ERRCODE = '22023';
  END IF;
  -- records.RESERVED_KEY_PREFIXES: settlements, refunds and codes own these keys; a member
  -- claiming one first would block another member's settlement.
  IF starts_with(p_key, 'settle:') OR starts_with(p_key, 'refund:')
     OR starts_with(p_key, 'topup:') THEN
    RAISE EXCEPTION 'idempotency key % is reserved', p_key USING ERRCODE = '22023';
  END IF;
  -- The _RESERVE statement: balance (unless unlimited) and spend cap, together.
  UPDATE public.credit_accounts a SET
    balance = a.balance - p_cost,
    reserved = a.reserved + p_cost,
    cap_window = CASE WHEN a.spend_cap_period = 'week' THEN week ELSE month END,
    cap_spent = CASE WHEN a.cap_window = CASE WHEN a.spend_cap_period = 'week' THEN week
                                              ELSE month END
                     THEN a.cap_spent ELSE 0 END + p_cost,
    updated_at = p_at
  WHERE a.id = p_acc AND (a.unlimited OR a.balance >= p_cost)
    AND (a.spend_cap IS NULL
         OR CASE WHEN a.cap_window = CASE WHEN a.spend_cap_period = 'week' THEN week
                                         ELSE month END
                 THEN a.cap_spent ELSE 0 END + p_cost <= a.spend_cap)
  RETURNING a.balance, a.cap_window INTO acc_row;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  INSERT INTO public.credit_transactions
    (id, account_id, kind, amount, balance_after, action, reference_type, reference_id,
     reservation_id, idempotency_key, price_version, metadata, actor_id, created_at)
  VALUES (gen_random_uuid(), p_acc, 'reservation', -p_cost, acc_row.balance, p_action,
          coalesce(p_reference_type, ''), coalesce(p_reference_id, ''), NULL, p_key,
          p_price_version, '{{}}'::jsonb, p_uid, p_at)
  RETURNING * INTO line;
  INSERT INTO public.credit_holds (reservation_id, account_id, amount, cap_window, holder,
                                   created_at)
  VALUES (line.id, p_acc, p_cost, acc_row.cap_window, coalesce(p_holder, ''), p_at);
  RETURN line;
END $$"""

_RESERVE = f"""
CREATE OR REPLACE FUNCTION public.leaddesk_reserve(
  p_cost integer, p_action text, p_reference_type text, p_reference_id text, p_key text,
  p_price_version integer, p_holder text)
RETURNS SETOF public.credit_transactions
LANGUAGE plpgsql SECURITY DEFINER {_HEADER} AS $$
DECLARE
  uid uuid := public.leaddesk_caller();
  acc uuid := public.leaddesk_credit_account();
  line public.credit_transactions;
BEGIN
  IF p_key IS NOT NULL THEN  -- CreditService._write: a used key answers with its first line
    SELECT * INTO line FROM public.credit_transactions WHERE idempotency_key = p_key;
    IF FOUND THEN
      IF line.account_id <> acc THEN
        RAISE EXCEPTION 'idempotency key used by another account' USING ERRCODE = 'LD409';
      END IF;
      RETURN NEXT line;
      RETURN;
    END IF;
  END IF;
  line := public.leaddesk_reserve_one(uid, acc, p_cost, p_action, p_reference_type,
                                      p_reference_id, p_key, p_price_version, p_holder,
                                      clock_timestamp());
  IF line.id IS NULL THEN
    RAISE EXCEPTION 'refused: balance or spend cap' USING ERRCODE = 'LD402';
  END IF;
  RETURN NEXT line;
END $$"""

# CreditService._reserve_many: item by item, each guarded (granting the sum at once, as the
# Python does first, gives the same lines whenever the sum fits); a refused item gets NULL.
_RESERVE_MANY = f"""
CREATE OR REPLACE FUNCTION public.leaddesk_reserve_many(
  p_items jsonb, p_price_version integer, p_holder text)
RETURNS TABLE (out_index integer, out_reservation uuid, out_balance integer)
LANGUAGE plpgsql SECURITY DEFINER {_HEADER} AS $$
DECLARE
  uid uuid := public.leaddesk_caller();
  acc uuid := public.leaddesk_credit_account();
  at timestamptz := clock_timestamp();
  item jsonb;
  n integer := 0;
  line public.credit_transactions;
BEGIN
  FOR item IN SELECT b.item FROM public.leaddesk_batch_items(p_items) AS b(item) LOOP
    line := public.leaddesk_reserve_one(
      uid, acc, (item ->> 'cost')::integer, item ->> 'action', item ->> 'reference_type',
      item ->> 'reference_id', item ->> 'key', p_price_version, p_holder, at);
    out_index := n;
    out_reservation := line.id;
    out_balance := line.balance_after;
    RETURN NEXT;
    n := n + 1;
  END LOOP;
END $$"""

# One settlement (CreditService._settle's work); NULL when the caller holds no such hold.
_SETTLE_ONE = f"""
CREATE OR REPLACE FUNCTION public.leaddesk_settle_one(
  p_uid uuid, p_own uuid, p_reservation uuid, p_kind text, p_reason text, p_at timestamptz)
RETURNS public.credit_transactions LANGUAGE plpgsql {_HEADER} AS $$
DECLARE
  hold record;
  back integer;
  new_balance integer;
  meta jsonb;
  line public.credit_transactions;
BEGIN
  IF p_kind IS NULL OR p_kind NOT IN ('consumption', 'release') THEN
    RAISE EXCEPTION 'kind % is not consumption or release', p_kind USING ERRCODE = '22023';
  END IF;
  DELETE FROM public.credit_holds h
  WHERE h.reservation_id = p_reservation AND (p_own IS NULL OR h.account_id = p_own)
  RETURNING h.account_id, h.amount, h.cap_window INTO hold;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  back := CASE WHEN p_kind = 'release' THEN hold.amount ELSE 0 END;
  -- The _SETTLE statement: a release gives the credits and the cap room back.
  UPDATE public.credit_accounts a SET
    balance = a.balance + back,
    reserved = a.reserved - hold.amount,
    cap_spent = CASE WHEN a.cap_window = hold.cap_window THEN a.cap_spent - back
                     ELSE a.cap_spent END,
    updated_at = p_at
  WHERE a.id = hold.account_id
  RETURNING a.balance INTO new_balance;
  meta := jsonb_build_object('cost', hold.amount);
  IF coalesce(p_reason, '') <> '' THEN
    meta := meta || jsonb_build_object('reason', left(p_reason, 500));
  END IF;
  INSERT INTO public.credit_transactions
    (id, account_id, kind, amount, balance_after, action, reference_type, reference_id,
     reservation_id, idempotency_key, price_version, metadata, actor_id, created_at)
  SELECT gen_random_uuid(), r.account_id, p_kind, back, new_balance, r.action,
         r.reference_type, r.reference_id, r.id, 'settle:' || p_reservation, r.price_version,
         meta, p_uid, p_at
  FROM public.credit_transactions r WHERE r.id = p_reservation
  RETURNING * INTO line;
  RETURN line;
END $$"""

_OWN = """
  uid uuid := public.leaddesk_caller();
  own uuid := CASE WHEN public.leaddesk_caller_is_admin() THEN NULL
                   ELSE public.leaddesk_credit_account() END;"""

_SETTLE = f"""
CREATE OR REPLACE FUNCTION public.leaddesk_settle(p_reservation uuid, p_kind text, p_reason text)
RETURNS SETOF public.credit_transactions
LANGUAGE plpgsql SECURITY DEFINER {_HEADER} AS $$
DECLARE {_OWN}
  line public.credit_transactions;
BEGIN
  line := public.leaddesk_settle_one(uid, own, p_reservation, p_kind, p_reason,
                                     clock_timestamp());
  IF line.id IS NULL THEN  -- settled already (answer with that line), or not the caller's
    SELECT * INTO line FROM public.credit_transactions t
    WHERE t.idempotency_key = 'settle:' || p_reservation
      AND (own IS NULL OR t.account_id = own);
    IF NOT FOUND THEN
      RAISE EXCEPTION 'reservation % not found', p_reservation USING ERRCODE = 'LD404';
    END IF;
  END IF;
  RETURN NEXT line;
END $$"""

_SETTLE_MANY = f"""
CREATE OR REPLACE FUNCTION public.leaddesk_settle_many(p_items jsonb)
RETURNS TABLE (out_reservation uuid, out_kind text)
LANGUAGE plpgsql SECURITY DEFINER {_HEADER} AS $$
DECLARE {_OWN}
  at timestamptz := clock_timestamp();
  item jsonb;
  line public.credit_transactions;
BEGIN
  FOR item IN SELECT b.item FROM public.leaddesk_batch_items(p_items) AS b(item) LOOP
    line := public.leaddesk_settle_one(uid, own, (item ->> 'reservation_id')::uuid,
                                       item ->> 'kind', left(item ->> 'reason', 200), at);
    IF line.id IS NOT NULL THEN  -- settled now; one settled earlier is left out
      out_reservation := line.reservation_id;
      out_kind := line.kind;
      RETURN NEXT;
    END IF;
  END LOOP;
END $$"""

#: The DDL ``db team-setup`` runs (after the identity functions of ``postgres_security``).
FUNCTIONS: tuple[str, ...] = (
    _CAP_WINDOW,
    _BATCH_ITEMS,
    _ACCOUNT,
    _RESERVE_ONE,
    _RESERVE,
    _RESERVE_MANY,
    _SETTLE_ONE,
    _SETTLE,
    _SETTLE_MANY,
)
