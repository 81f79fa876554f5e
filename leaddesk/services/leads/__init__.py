"""Leads: queries, search, paging plan, writes, bulk edit, change sets and undo, duplicates and
merge, saved views, references, tasks.

Uses the store and what every feature shares at the top of ``services`` (errors, context, records,
settings, activity). Knows nothing of importing, exporting, credits or messaging.
"""
