"""IMAP details that servers differ on, checked with a stub connection."""

from __future__ import annotations

import datetime as dt
import locale

from leaddesk.channels.imap_inbox import ImapInbox, imap_date


class StubConnection:
    def __init__(self, data: list[object]) -> None:
        self.data = data
        self.calls: list[tuple[str, ...]] = []

    def uid(self, *args: str) -> tuple[str, list[object]]:
        self.calls.append(args)
        return "OK", self.data


def test_uid_before_or_after_the_literal():
    conn = StubConnection(
        [
            (b"1 (UID 101 BODY[] {5}", b"one\r\n"),
            b")",
            (b"2 (BODY[] {5}", b"two\r\n"),
            b" UID 102)",
        ]
    )
    assert ImapInbox._fetch(conn, [101, 102]) == [(101, b"one\r\n"), (102, b"two\r\n")]  # type: ignore[arg-type]
    assert conn.calls == [("FETCH", "101,102", "(UID BODY.PEEK[])")]


def test_search_ignores_the_star_match_below_the_last_uid():
    conn = StubConnection([b"7"])
    assert ImapInbox._new_uids(conn, 7, None) == []  # type: ignore[arg-type]
    assert conn.calls == [("SEARCH", "UID 8:*")]


def test_since_uses_english_month_names_in_any_locale():
    before = locale.setlocale(locale.LC_TIME)
    try:
        for name in ("de_DE.UTF-8", "fr_FR.UTF-8"):
            try:
                locale.setlocale(locale.LC_TIME, name)
            except locale.Error:
                continue
        assert imap_date(dt.date(2025, 5, 3)) == "3-May-2025"
    finally:
        locale.setlocale(locale.LC_TIME, before)
