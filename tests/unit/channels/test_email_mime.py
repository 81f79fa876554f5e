"""Building outgoing email: MIME structure, headers, compliance footer, validation."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from email import message_from_bytes, policy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaddesk.channels.base import (
    ChannelKind,
    InvalidRecipientError,
    OutgoingMessage,
    PermanentChannelError,
)
from leaddesk.channels.email_mime import (
    append_html_footer,
    build_email,
    list_unsubscribe_headers,
    make_message_id,
    parse_address,
    text_footer,
)
from leaddesk.channels.email_smtp import _dot_stuff, _xtext

DOMAIN = "mail.example.org"
BASE = OutgoingMessage(
    message_id="0197c4a1-1111-7000-8000-000000000001",
    channel=ChannelKind.EMAIL,
    to="Ann Example <ann@example.com>",
    from_="rep@example.org",
    from_name="Rep Example",
    subject="Grüße aus Köln",
    body_text="Hi Ann,\n\nquick question.",
    body_html="<html><body><p>Hi Ann,</p></body></html>",
    unsubscribe_url="https://t.example.org/u/tok",
    unsubscribe_mailto="unsubscribe@example.org",
    sender_postal_address="Example GmbH\nBeispielweg 1 & 2\n50667 Köln",
)


def roundtrip(msg: OutgoingMessage):
    built = build_email(
        msg, message_id_domain=DOMAIN, now=dt.datetime(2025, 7, 1, 8, 0, tzinfo=dt.UTC)
    )
    wire = built.as_bytes(policy=policy.SMTP)
    assert b"\r\n" in wire and b"\n" not in wire.replace(b"\r\n", b"")  # CRLF only on the wire
    assert wire.isascii()  # no 8BITMIME needed, whatever the text
    return message_from_bytes(wire.replace(b"\r\n", b"\n"), policy=policy.default)


def test_multipart_alternative_with_footer_in_both_parts():
    got = roundtrip(BASE)
    assert got.get_content_type() == "multipart/alternative"
    text = got.get_body(("plain",)).get_content()
    html = got.get_body(("html",)).get_content()
    assert text.startswith("Hi Ann,\n\nquick question.\n\n-- \nExample GmbH\n")
    assert "Beispielweg 1 & 2" in text and "Unsubscribe: https://t.example.org/u/tok" in text
    assert "Beispielweg 1 &amp; 2" in html  # escaped
    assert '<a href="https://t.example.org/u/tok">Unsubscribe</a>' in html
    assert html.rstrip().endswith("</body></html>")


def test_headers():
    got = roundtrip(BASE)
    assert got["Message-ID"] == f"<0197c4a1-1111-7000-8000-000000000001@{DOMAIN}>"
    assert got["Date"] == "Tue, 01 Jul 2025 08:00:00 +0000"
    assert got["From"] == "Rep Example <rep@example.org>"
    assert got["To"] == "Ann Example <ann@example.com>"
    assert got["Subject"] == "Grüße aus Köln"
    assert got["MIME-Version"] == "1.0"
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_text_only_message_is_plain():
    got = roundtrip(replace(BASE, body_html=None))
    assert got.get_content_type() == "text/plain"
    assert got.get_content_charset() == "utf-8"


def test_a_visible_unsubscribe_line_even_without_url_or_mailto():
    got = roundtrip(
        replace(BASE, unsubscribe_url=None, unsubscribe_mailto=None, sender_postal_address=None)
    )
    assert got["List-Unsubscribe"] is None
    text = got.get_body(("plain",)).get_content()
    assert text.endswith('-- \nTo unsubscribe, reply "unsubscribe".\n')
    assert 'To unsubscribe, reply "unsubscribe".' in got.get_body(("html",)).get_content()


def test_without_a_link_the_footer_names_the_unsubscribe_address():
    got = roundtrip(replace(BASE, unsubscribe_url=None,
                            unsubscribe_mailto="mailto:rep@example.org?subject=unsubscribe"))
    text = got.get_body(("plain",)).get_content()
    assert 'To unsubscribe, reply "unsubscribe" or write to rep@example.org.' in text
    html_part = got.get_body(("html",)).get_content()
    assert '<a href="mailto:rep@example.org?subject=unsubscribe">rep@example.org</a>' in html_part
    assert got["List-Unsubscribe"] == "<mailto:rep@example.org?subject=unsubscribe>"
    assert got["List-Unsubscribe-Post"] is None  # one-click (RFC 8058) needs an https link


@pytest.mark.parametrize(
    ("url", "mailto", "expected", "one_click"),
    [
        ("https://t.example.org/u/1", None, "<https://t.example.org/u/1>", True),
        (None, "u@example.org", "<mailto:u@example.org>", False),
        ("http://t.example.org/u/1", None, "<http://t.example.org/u/1>", False),
        (
            "https://t.example.org/u/1",
            "mailto:u@example.org?subject=unsubscribe",
            "<mailto:u@example.org?subject=unsubscribe>, <https://t.example.org/u/1>",
            True,
        ),
    ],
)
def test_list_unsubscribe(url, mailto, expected, one_click):
    headers = list_unsubscribe_headers(url, mailto)
    assert headers["List-Unsubscribe"] == expected
    assert ("List-Unsubscribe-Post" in headers) is one_click


def test_unsafe_unsubscribe_uri_is_refused():
    with pytest.raises(PermanentChannelError):
        list_unsubscribe_headers("https://t.example.org/u/1>\r\nBcc: x@example.com", None)


def test_custom_headers_pass_but_reserved_ones_do_not():
    got = roundtrip(replace(BASE, headers={"X-Campaign": "spring"}))
    assert got["X-Campaign"] == "spring"
    with pytest.raises(PermanentChannelError, match="set by LeadDesk"):
        build_email(
            replace(BASE, headers={"message-id": "<x@example.com>"}), message_id_domain=DOMAIN
        )


@pytest.mark.parametrize("field", ["subject", "headers"])
def test_header_injection_is_refused(field):
    changes = (
        {"subject": "Hi\r\nBcc: victim@example.com"}
        if field == "subject"
        else {"headers": {"X-Note": "a\nBcc: victim@example.com"}}
    )
    with pytest.raises(PermanentChannelError):
        build_email(replace(BASE, **changes), message_id_domain=DOMAIN)


@pytest.mark.parametrize(
    "address",
    ["not an address", "a@b", "x@example.com, y@example.com", "ünï@example.com", "a\n@example.com"],
)
def test_bad_recipients(address):
    with pytest.raises(InvalidRecipientError):
        build_email(replace(BASE, to=address), message_id_domain=DOMAIN)


def test_international_domain_is_sent_in_ascii():
    assert parse_address("a@exämple.com", "To").domain == "xn--exmple-cua.com"


def test_message_id_is_deterministic_and_header_safe():
    assert make_message_id("abc-123", "Mail.Example.org") == make_message_id(
        "abc-123", "Mail.Example.org"
    )
    odd = make_message_id("id with spaces <and> brackets", DOMAIN)
    assert " " not in odd and odd.count("<") == 1 and odd.endswith(f"@{DOMAIN}>")
    with pytest.raises(PermanentChannelError):
        make_message_id("abc", "not a domain")


def test_html_footer_goes_before_the_last_body_tag():
    assert append_html_footer("<p>x</p>", "<f>") == "<p>x</p><f>"
    assert append_html_footer("<BODY>x</Body></html>", "<f>") == "<BODY>x<f></Body></html>"


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"])
        | st.sampled_from(".\n"),
        max_size=300,
    )
)
def test_any_body_text_arrives_unchanged(body: str):
    got = roundtrip(replace(BASE, body_text=body, sender_postal_address=None, unsubscribe_url=None,
                            unsubscribe_mailto=None))
    # MIME's canonical text form ends lines with CRLF (visible inside base64 parts).
    text = got.get_body(("plain",)).get_content().replace("\r\n", "\n")
    footer = text_footer(None, None, None)  # every email ends with the unsubscribe line
    assert text.endswith(footer)
    assert text.removesuffix(footer).rstrip("\n") == body.rstrip("\n")


@given(st.binary(max_size=200))
def test_dot_stuffing_is_reversible(data: bytes):
    stuffed = _dot_stuff(data)
    assert stuffed.endswith(b"\r\n.\r\n")
    lines = stuffed[:-5].split(b"\r\n")
    assert all(not line.startswith(b".") or line.startswith(b"..") for line in lines)


def test_xtext():
    assert _xtext("abc+d=e f") == "abc+2Bd+3De+20f"
