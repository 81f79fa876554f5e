"""Credits: the ledger (reserve, settle, buy, redeem, allocate, refund, audit), spend caps, history,
the price list, signed top-up codes and the group commit that batches ledger writes.

``ledger.CreditService`` is the entry the rest of LeadDesk calls. Behind it, one ``book`` (the
accounts and the write path) serves ``reserving``, ``settling``, ``movements`` (buying, top-up
codes, refunds, adjustments, allocations), ``limits`` (spend caps, the low-balance warning)
and ``queries``; ``records`` holds their values and ``statements`` their prepared SQL.

Uses the store and the shared top of ``services``. Knows nothing of leads or messaging: callers
name what an action is for by key and reference, the ledger never reads their rows.
"""
