"""The credits view: balance, packages, usage chart and the transaction history."""

from leaddesk.store.postgres_privileges import LEDGER_TABLES

#: What balances, usage and the history are read from (the price list names the plans and
#: actions; the low-balance threshold is a setting): a change to any of them reloads them.
CREDIT_TABLES = (*sorted(LEDGER_TABLES), "price_list_versions", "app_settings")
