"""Signing in, the first run, managing users and connecting to a team database."""
