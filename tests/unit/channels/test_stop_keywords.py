"""Which inbound texts are opt-outs: a message that is only a STOP-type word, in English or a
common other language; anything longer is for a person to read."""

from __future__ import annotations

import pytest

from leaddesk.channels.twilio_inbound import stop_keyword


@pytest.mark.parametrize(("body", "keyword"), [
    ("STOP", "STOP"), ("stop", "STOP"), ("  Stop.  ", "STOP"), ("STOPALL", "STOPALL"),
    ("Unsubscribe!", "UNSUBSCRIBE"), ("cancel", "CANCEL"), ("END", "END"), ("quit", "QUIT"),
    ("opt out", "OPT OUT"), ("Arrêt", "ARRET"), ("STOPP", "STOPP"), ("Baja", "BAJA"),
    ("basta", "BASTA"), ("Abmelden", "ABMELDEN"), ("uitschrijven", "UITSCHRIJVEN"),
])
def test_opt_out_words(body: str, keyword: str) -> None:
    assert stop_keyword(body) == keyword


@pytest.mark.parametrize("body", [
    "", "Stop calling me at work", "Don't stop", "Can we end the call early?", "STOP STOP",
    "stopwatch", "Hi, yes please call me",
])
def test_other_texts_are_not_opt_outs(body: str) -> None:
    assert stop_keyword(body) is None
