"""The team: users, sign-in, passwords, PostgreSQL team mode and the audit log viewer.

Uses the store and the shared top of ``services``; no other feature package.
"""
