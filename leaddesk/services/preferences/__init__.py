"""Preferences: what the Settings dialog and ``leaddesk settings`` read and write.

Owns the named settings (sender identity, default phone region, sign-in mode, theme), the
per-mailbox sending caps with their provider presets, where the data lives and its backups, and
where channel secrets are kept (keyring or the encrypted credentials file). The dialog and the
command both call these functions, so they cannot disagree. May use ``messaging``
(configured channels), ``team`` (sign-in mode) and the top of ``services``; no Qt.
"""
