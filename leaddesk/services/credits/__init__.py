"""Credits: the ledger (reserve, settle, buy, redeem, allocate, refund, audit), spend caps, history,
the price list, signed top-up codes and the group commit that batches ledger writes.

Uses the store and the shared top of ``services``. Knows nothing of leads or messaging: callers
name what an action is for by key and reference, the ledger never reads their rows.
"""
