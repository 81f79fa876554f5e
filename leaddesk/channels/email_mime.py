"""Building the MIME message for an outgoing email (pure functions, no network).

Kept apart from the SMTP transport so the exact bytes a recipient gets can be tested on their own.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from email_validator import EmailNotValidError, validate_email

from leaddesk.channels.base import InvalidRecipientError, OutgoingMessage, PermanentChannelError

# Headers the builder owns: a template's custom headers may not override them.
RESERVED_HEADERS = frozenset(
    h.lower()
    for h in (
        "Message-ID",
        "Date",
        "From",
        "To",
        "Cc",
        "Bcc",
        "Subject",
        "Reply-To",
        "Sender",
        "MIME-Version",
        "Content-Type",
        "Content-Transfer-Encoding",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
    )
)

# CRLF line ends, and bodies in quoted-printable or base64 rather than raw 8-bit, so a message
# never depends on the server offering 8BITMIME.
WIRE_POLICY = policy.SMTP.clone(cte_type="7bit")

_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


def make_message_id(message_id: str, domain: str) -> str:
    """The Message-ID header for our message ``message_id``: ``<message_id@domain>``.

    Deterministic on purpose: a retry after an ambiguous failure carries the same Message-ID, so
    receiving servers and mail clients can drop the duplicate, and a reply or bounce names our id
    even if storing the provider id failed. Ids that are not header-safe are replaced by a UUID5
    of themselves.
    """
    if not _DOMAIN.match(domain):
        raise PermanentChannelError(f"not a valid Message-ID domain: {domain!r}", code="config")
    local = (
        message_id
        if _SAFE_ID.match(message_id)
        else str(uuid.uuid5(uuid.NAMESPACE_OID, message_id))
    )
    return f"<{local}@{domain}>"


def parse_address(value: str, what: str) -> Address:
    """Parse one ``name <user@domain>`` or bare address, refusing anything else.

    The address is checked with email-validator (syntax only, no DNS) and an internationalised
    domain is converted to its ASCII form. A non-ASCII local part would need SMTPUTF8 end to end,
    which many servers lack, so it is refused up front.
    """
    if "\r" in value or "\n" in value:
        raise InvalidRecipientError(f"{what} address contains a line break")
    try:
        header = EmailMessage(policy=policy.SMTP)
        header["To"] = value
        addresses = header["To"].addresses
    except (ValueError, IndexError, TypeError) as exc:
        raise InvalidRecipientError(f"{what} address {value!r} is not valid: {exc}") from exc
    if len(addresses) != 1 or not addresses[0].username or not addresses[0].domain:
        raise InvalidRecipientError(f"{what} address {value!r} must be one address user@domain")
    name, addr_spec = addresses[0].display_name, addresses[0].addr_spec
    try:
        checked = validate_email(addr_spec, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidRecipientError(f"{what} address {addr_spec!r} is not valid: {exc}") from exc
    if checked.ascii_email is None:
        raise InvalidRecipientError(
            f"{what} address {addr_spec!r} has non-ASCII characters before the @ (needs SMTPUTF8)"
        )
    username, _, domain = checked.ascii_email.rpartition("@")
    return Address(display_name=name, username=username, domain=domain)


def list_unsubscribe_headers(url: str | None, mailto: str | None) -> dict[str, str]:
    """``List-Unsubscribe`` (RFC 2369) and, for an https URL, ``List-Unsubscribe-Post`` (RFC 8058).

    One-click unsubscribe requires HTTPS; a plain http URL is still listed but not advertised as
    one-click.
    """
    uris: list[str] = []
    if mailto:
        uris.append(mailto if mailto.lower().startswith("mailto:") else f"mailto:{mailto}")
    if url:
        uris.append(url)
    for uri in uris:
        if any(c in uri for c in "<>\r\n ,"):
            raise PermanentChannelError(
                f"unsubscribe URI is not header-safe: {uri!r}", code="config"
            )
    headers: dict[str, str] = {}
    if uris:
        headers["List-Unsubscribe"] = ", ".join(f"<{u}>" for u in uris)
    if url and url.lower().startswith("https://"):
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


def _mailto_address(mailto: str | None) -> str:
    """The address of a ``mailto:`` URI (without ``mailto:`` and ``?subject=...``)."""
    if not mailto:
        return ""
    return mailto.removeprefix("mailto:").partition("?")[0].strip()


def unsubscribe_line(unsubscribe_url: str | None, unsubscribe_mailto: str | None = None) -> str:
    """The visible way out every email carries: the link when there is one, else the address
    to write to, else a reply (the inbox reads "unsubscribe" replies and fresh mails alike)."""
    if unsubscribe_url:
        return f"Unsubscribe: {unsubscribe_url}"
    address = _mailto_address(unsubscribe_mailto)
    if address:
        return f'To unsubscribe, reply "unsubscribe" or write to {address}.'
    return 'To unsubscribe, reply "unsubscribe".'


def text_footer(
    postal_address: str | None, unsubscribe_url: str | None, unsubscribe_mailto: str | None = None
) -> str:
    """The plain-text footer: the sender's postal address and a visible unsubscribe line."""
    lines = []
    if postal_address and postal_address.strip():
        lines.append(postal_address.strip())
    lines.append(unsubscribe_line(unsubscribe_url, unsubscribe_mailto))
    return "\n\n-- \n" + "\n".join(lines) + "\n"


def html_footer(
    postal_address: str | None, unsubscribe_url: str | None, unsubscribe_mailto: str | None = None
) -> str:
    """The HTML footer, escaped, matching :func:`text_footer` (links where there are some)."""
    parts = []
    if postal_address and postal_address.strip():
        parts.append("<br>".join(html.escape(line) for line in postal_address.strip().splitlines()))
    address = _mailto_address(unsubscribe_mailto)
    if unsubscribe_url:
        href = html.escape(unsubscribe_url, quote=True)
        parts.append(f'<a href="{href}">Unsubscribe</a>')
    elif address:
        href = html.escape(f"mailto:{address}?subject=unsubscribe", quote=True)
        parts.append(f'To unsubscribe, reply "unsubscribe" or write to '
                     f'<a href="{href}">{html.escape(address)}</a>.')
    else:
        parts.append(html.escape(unsubscribe_line(None), quote=False))
    body = "</p><p>".join(parts)
    return (
        f'\n<div class="leaddesk-footer" style="font-size:smaller;color:#666"><p>{body}</p></div>\n'
    )


def append_html_footer(body_html: str, footer: str) -> str:
    """Put the footer just before ``</body>`` when there is one, else at the end."""
    if not footer:
        return body_html
    at = body_html.lower().rfind("</body")
    if at < 0:
        return body_html + footer
    return body_html[:at] + footer + body_html[at:]


def build_email(
    msg: OutgoingMessage,
    *,
    message_id_domain: str,
    now: dt.datetime | None = None,
) -> EmailMessage:
    """The complete message: headers, text part and (if given) HTML part as
    multipart/alternative, the compliance footer in both, List-Unsubscribe headers.

    Raises :class:`InvalidRecipientError` or :class:`PermanentChannelError` for input that cannot
    make a valid message (bad addresses, header injection, overriding a reserved header).
    """
    sender = parse_address(msg.from_, "From")
    if msg.from_name:
        sender = Address(display_name=msg.from_name, username=sender.username, domain=sender.domain)
    recipient = parse_address(msg.to, "To")

    email = EmailMessage(policy=WIRE_POLICY)
    try:
        email["Message-ID"] = make_message_id(msg.message_id, message_id_domain)
        email["Date"] = format_datetime(now or dt.datetime.now(dt.UTC))
        email["From"] = sender
        email["To"] = recipient
        if msg.reply_to:
            email["Reply-To"] = parse_address(msg.reply_to, "Reply-To")
        email["Subject"] = msg.subject
        for name, value in list_unsubscribe_headers(
            msg.unsubscribe_url, msg.unsubscribe_mailto
        ).items():
            email[name] = value
        for name, value in msg.headers.items():
            if name.lower() in RESERVED_HEADERS:
                raise PermanentChannelError(f"header {name!r} is set by LeadDesk", code="header")
            email[name] = value
    except ValueError as exc:  # the email package refuses CR/LF in header values
        raise PermanentChannelError(f"invalid header: {exc}", code="header") from exc

    text = msg.body_text + text_footer(
        msg.sender_postal_address, msg.unsubscribe_url, msg.unsubscribe_mailto
    )
    email.set_content(text, subtype="plain", charset="utf-8")
    if msg.body_html is not None:
        footer = html_footer(
            msg.sender_postal_address, msg.unsubscribe_url, msg.unsubscribe_mailto
        )
        email.add_alternative(
            append_html_footer(msg.body_html, footer), subtype="html", charset="utf-8"
        )
    return email


@dataclass(frozen=True, slots=True)
class WireEmail:
    """A built email as it goes on the wire: the envelope addresses and the bytes (plain data,
    so that it can be built on another process)."""

    sender: str
    recipient: str
    data: bytes
    message_id: str


def wire_email(msg: OutgoingMessage, message_id_domain: str) -> WireEmail:
    """:func:`build_email`, flattened for SMTP (CRLF line ends, 7-bit safe)."""
    email = build_email(msg, message_id_domain=message_id_domain)
    return WireEmail(
        sender=email["From"].addresses[0].addr_spec,
        recipient=email["To"].addresses[0].addr_spec,
        data=email.as_bytes(),
        message_id=str(email["Message-ID"]),
    )
