"""Channel rules: SMS segment counting and per-channel limits."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaddesk.services.messaging.channel_rules import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    RuleIssue,
    check,
    sms_segments,
    spoken_seconds,
)

EXTENSION_CHARS = "€[]{}~^\\|"
EMOJI = "\U0001f600"  # one code point, two UTF-16 code units

# --- segment boundaries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "segments", "used", "per_segment", "remaining"),
    [
        ("", "GSM-7", 0, 0, 160, 160),
        ("a" * 160, "GSM-7", 1, 160, 160, 0),
        ("a" * 161, "GSM-7", 2, 161, 153, 145),
        ("a" * 306, "GSM-7", 2, 306, 153, 0),
        ("a" * 307, "GSM-7", 3, 307, 153, 152),
        ("é" * 70, "GSM-7", 1, 70, 160, 90),  # é is in the GSM-7 basic table
        ("ç" * 70, "UCS-2", 1, 70, 70, 0),  # ç is not
        ("ç" * 71, "UCS-2", 2, 71, 67, 63),
        ("ç" * 134, "UCS-2", 2, 134, 67, 0),
        ("ç" * 135, "UCS-2", 3, 135, 67, 66),
        ("€" * 80, "GSM-7", 1, 160, 160, 0),
        ("€" * 81, "GSM-7", 2, 162, 153, 143),
        ("a" * 159 + "€", "GSM-7", 2, 161, 153, 145),
        (EMOJI * 35, "UCS-2", 1, 70, 70, 0),
        (EMOJI * 36, "UCS-2", 2, 72, 67, 61),
    ],
)
def test_segment_boundaries(
    text: str, encoding: str, segments: int, used: int, per_segment: int, remaining: int
) -> None:
    info = sms_segments(text)
    assert (info.encoding, info.segments, info.chars_used) == (encoding, segments, used)
    assert (info.chars_per_segment, info.remaining_in_segment) == (per_segment, remaining)


@pytest.mark.parametrize("char", list(EXTENSION_CHARS))
def test_extension_chars_cost_two_septets_and_stay_gsm7(char: str) -> None:
    info = sms_segments("a" * 158 + char)
    assert (info.encoding, info.chars_used, info.segments) == ("GSM-7", 160, 1)
    assert sms_segments("a" * 159 + char).segments == 2


def test_escape_sequence_is_never_split_across_segments() -> None:
    # 152 septets then a two-septet char: it moves whole to the second part.
    info = sms_segments("a" * 152 + "€" + "a" * 153)
    assert info.chars_used == 307
    assert info.segments == 3
    info = sms_segments("a" * 152 + "€" + "a" * 152)  # 306 septets, yet not 2 parts
    assert (info.segments, info.remaining_in_segment) == (3, 152)


def test_surrogate_pair_is_never_split_across_segments() -> None:
    info = sms_segments("ç" * 66 + EMOJI + "ç" * 66)
    assert info.chars_used == 134
    assert info.segments == 3  # 66 + (2 + 65) + 1: the emoji cannot straddle parts


def test_non_gsm_chars_are_listed_once_in_order() -> None:
    info = sms_segments("Hi ’there’ – ok ç")
    assert info.encoding == "UCS-2"
    assert info.non_gsm_chars == ("’", "–", "ç")


def test_gsm7_tables_have_the_standard_sizes() -> None:
    assert len(GSM7_BASIC) == 127  # 128 codes minus ESC
    assert set(EXTENSION_CHARS) <= GSM7_EXTENSION


# --- properties --------------------------------------------------------------------------------

GSM_BASIC_TEXT = st.text(alphabet=sorted(GSM7_BASIC), max_size=700)
ANY_TEXT = st.text(
    alphabet=st.sampled_from([*"abcXYZ 019@£\n", *EXTENSION_CHARS, "ç", "’", EMOJI, "中"]),
    max_size=700,
)


def reference_segments(units: int, single: int, per_part: int) -> int:
    if units == 0:
        return 0
    return 1 if units <= single else math.ceil(units / per_part)


@settings(database=None, max_examples=200)
@given(GSM_BASIC_TEXT)
def test_basic_gsm7_matches_the_reference_formula(text: str) -> None:
    info = sms_segments(text)
    assert info.encoding == "GSM-7"
    assert info.chars_used == len(text)
    assert info.segments == reference_segments(len(text), 160, 153)


@settings(database=None, max_examples=300)
@given(ANY_TEXT)
def test_segments_match_reference_within_the_no_split_bound(text: str) -> None:
    info = sms_segments(text)
    gsm = all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)
    assert info.encoding == ("GSM-7" if gsm else "UCS-2")
    if gsm:
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, per_part = 160, 153
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, per_part = 70, 67
    assert info.chars_used == units
    expected = reference_segments(units, single, per_part)
    if units == len(text):  # no two-unit characters: the formula is exact
        assert info.segments == expected
    else:  # keeping two-unit characters whole wastes at most one unit per part
        assert expected <= info.segments <= reference_segments(units, single, per_part - 1)
    assert 0 <= info.remaining_in_segment <= info.chars_per_segment


@settings(database=None, max_examples=300)
@given(ANY_TEXT, st.sampled_from(["a", "€", "ç", EMOJI, "\n"]))
def test_segment_count_is_monotonic_in_length(text: str, extra: str) -> None:
    assert sms_segments(text + extra).segments >= sms_segments(text).segments


# --- check() ------------------------------------------------------------------------------------


def levels(issues: list[RuleIssue]) -> list[tuple[str, str]]:
    return [(issue.level, issue.field) for issue in issues if issue.level != "info"]


def test_email_needs_a_subject_and_a_body() -> None:
    assert levels(check("email", "", "")) == [("error", "subject"), ("error", "body")]
    assert levels(check("email", None, "Hi")) == [("error", "subject")]
    assert check("email", "Quick question", "Hi Ada") == []


def test_email_subject_advice_and_single_line() -> None:
    assert levels(check("email", "x" * 60, "Hi")) == []
    assert levels(check("email", "x" * 61, "Hi")) == [("warning", "subject")]
    assert levels(check("email", "Hi\nBcc: x", "Hi")) == [("error", "subject")]


def test_sms_reports_segments_and_ucs2_switch() -> None:
    issues = check("sms", None, "Hi Ada, quick question. Reply STOP to opt out.")
    assert levels(issues) == []
    assert any("1 segment (GSM-7)" in issue.message for issue in issues)
    issues = check("sms", None, "Hi Ada, it’s Sam. Reply STOP to opt out.")
    [warning] = [issue for issue in issues if issue.level == "warning"]
    assert "UCS-2" in warning.message
    assert "’ with '" in warning.message


def test_sms_limits() -> None:
    assert levels(check("sms", None, "a" * 153 * 4 + " STOP")) == [("warning", "body")]
    assert ("error", "body") in levels(check("sms", None, "a" * 1601))
    assert levels(check("sms", "A subject", "Hi STOP")) == [("warning", "subject")]
    assert any("opt-out" in issue.message for issue in check("sms", None, "Hi Ada"))


@pytest.mark.parametrize(
    ("channel", "limit", "kwargs"),
    [
        ("whatsapp", 4096, {}),
        ("linkedin", 8000, {}),
        ("linkedin", 300, {"connection_note": True}),
    ],
)
def test_length_limits(channel: str, limit: int, kwargs: dict[str, bool]) -> None:
    assert levels(check(channel, None, "a" * limit, **kwargs)) == []
    assert levels(check(channel, None, "a" * (limit + 1), **kwargs)) == [("error", "body")]


def test_linkedin_inmail_subject_and_note_without_subject() -> None:
    assert levels(check("linkedin", "x" * 201, "Hi")) == [("error", "subject")]
    assert levels(check("linkedin", "Hi", "Hi", connection_note=True)) == [("warning", "subject")]


def test_voice_estimates_speaking_time() -> None:
    assert spoken_seconds("word " * 150) == pytest.approx(60.0)
    issues = check("voice", None, "word " * 100)  # 40 s
    assert levels(issues) == []
    assert issues[0].message == "About 40 s when spoken."
    assert levels(check("voice", None, "word " * 120)) == [("warning", "body")]  # 48 s


@pytest.mark.parametrize("channel", ["email", "sms", "whatsapp", "linkedin", "voice"])
def test_empty_body_is_an_error_on_every_channel(channel: str) -> None:
    assert ("error", "body") in levels(check(channel, "Subject", "  "))


def test_unknown_channel() -> None:
    with pytest.raises(ValueError, match="unknown channel"):
        check("fax", None, "Hi")
