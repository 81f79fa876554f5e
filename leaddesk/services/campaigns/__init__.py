"""Campaigns: create, edit, list, delete.

Uses the store and the shared top of ``services``.
"""
