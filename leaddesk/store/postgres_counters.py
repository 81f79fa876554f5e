"""Send counters on a team database: they move only forward, through ``leaddesk_count_sends``.

Members read ``send_counters`` but hold no write on it (``postgres_privileges``). The outbox
counts a send against every cap that applies (a mailbox's day and hour) all at once, or not at
all: the function locks the period rows in one order, checks that each has room for ``n`` more,
and only then adds ``n`` to each; a missing row starts at 0. It never lowers a count, so a rep
with ``psql`` can use up a cap but never reset one. It mirrors ``sending.claiming``'s counting on
SQLite (the conditional UPDATE under the row lock).
"""

from __future__ import annotations

COUNT_SENDS = """
CREATE OR REPLACE FUNCTION public.leaddesk_count_sends(p_caps jsonb, p_n integer)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  cap jsonb;
  have integer;
BEGIN
  IF public.leaddesk_caller() IS NULL THEN
    RAISE EXCEPTION 'not an active LeadDesk user' USING ERRCODE = '42501';
  END IF;
  IF p_n IS NULL OR p_n <= 0 OR p_n > 100000 THEN
    RAISE EXCEPTION 'n % must be a positive whole number', p_n USING ERRCODE = '22023';
  END IF;
  IF jsonb_typeof(p_caps) IS DISTINCT FROM 'array' OR jsonb_array_length(p_caps) > 16 THEN
    RAISE EXCEPTION 'caps must be an array of at most 16' USING ERRCODE = '22023';
  END IF;
  FOR cap IN SELECT value FROM jsonb_array_elements(p_caps)
             ORDER BY value ->> 'scope', value ->> 'period' LOOP
    IF length(cap ->> 'scope') > 200 OR length(cap ->> 'period') > 40
       OR (cap ->> 'limit')::integer IS NULL THEN
      RAISE EXCEPTION 'a cap needs a scope, a period and a limit' USING ERRCODE = '22023';
    END IF;
    -- A mailbox's caps are counted only by those who may send from it (its owner, their
    -- manager, an admin): nobody uses up another member's mailbox.
    IF starts_with(cap ->> 'scope', 'integration:') AND NOT EXISTS (
         SELECT 1 FROM public.integrations i
         WHERE i.id::text = substr(cap ->> 'scope', 13) AND public.leaddesk_caller_sees(i.owner_id))
    THEN
      RAISE EXCEPTION 'not a mailbox of yours: %', cap ->> 'scope' USING ERRCODE = '42501';
    END IF;
    INSERT INTO public.send_counters (scope, period, count, created_at, updated_at)
    VALUES (cap ->> 'scope', cap ->> 'period', 0, now(), now())
    ON CONFLICT (scope, period) DO NOTHING;
    SELECT count INTO have FROM public.send_counters
    WHERE scope = cap ->> 'scope' AND period = cap ->> 'period' FOR UPDATE;
    IF have + p_n > (cap ->> 'limit')::integer THEN
      RETURN false;
    END IF;
  END LOOP;
  UPDATE public.send_counters c SET count = c.count + p_n, updated_at = now()
  FROM jsonb_array_elements(p_caps) AS cap
  WHERE c.scope = cap.value ->> 'scope' AND c.period = cap.value ->> 'period';
  RETURN true;
END $$"""
