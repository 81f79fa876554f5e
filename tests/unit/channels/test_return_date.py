"""Return dates in out-of-office texts."""

from __future__ import annotations

import datetime as dt

import pytest

from leaddesk.channels.return_date import extract_return_date

SENT_ON = dt.date(2025, 7, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am out of the office until 14 July 2025 with limited access.", dt.date(2025, 7, 15)),
        ("I'm back on Monday, July 14th.", dt.date(2025, 7, 14)),
        ("Ich bin vom 01.07. bis 15.07.2025 nicht im Büro.", dt.date(2025, 7, 16)),
        ("Ich bin ab 21.07.2025 wieder im Büro.", dt.date(2025, 7, 21)),
        ("Je suis absent jusqu'au 18 juillet inclus.", dt.date(2025, 7, 19)),
        ("Estaré de vuelta el 22 de julio de 2025.", dt.date(2025, 7, 22)),
        ("Sono fuori sede fino al 25 luglio.", dt.date(2025, 7, 26)),
        ("Out of office from July 7 to July 11.", dt.date(2025, 7, 12)),
        (
            "Back 2025-07-28.\n\nOn Tue, 1 Jul 2025, Ann wrote:\n> see you 2025-09-01",
            dt.date(2025, 7, 28),
        ),
        ("I'm on leave till Jan 5.", dt.date(2026, 1, 6)),  # next year: January is past
        ("I am away. Thanks.", None),
        ("Meeting at 14.30 Uhr, bis bald", None),
        ("Back on 12 March 2019.", None),  # implausible: long past
    ],
)
def test_extract_return_date(text, expected):
    assert extract_return_date(text, SENT_ON) == expected


def test_slash_dates_follow_the_chosen_order():
    text = "I will be returning 08/07/2025."
    assert extract_return_date(text, SENT_ON) == dt.date(2025, 7, 8)
    assert extract_return_date(text, SENT_ON, month_first=True) == dt.date(2025, 8, 7)
    assert extract_return_date("back 07/21/2025", SENT_ON) == dt.date(2025, 7, 21)  # only reading
