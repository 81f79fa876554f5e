"""Fake provider servers for tests: real servers on 127.0.0.1, started and stopped by the test.

Each is a context manager (``with FakeX(...) as x:``) that binds a free port, records what it
receives and can be told to fail. Stop them in fixtures (``yield`` inside ``with``) so no thread or
socket outlives the test (pytest runs with ``filterwarnings = error``).

- :mod:`tests.fakes.smtp_server` — :class:`FakeSmtpServer` (aiosmtpd): optional AUTH, STARTTLS or
  implicit TLS; ``reject(addr, "550 ...")`` at RCPT or DATA, ``drop_after_data(addr)``,
  ``delay_data(addr, s)``; ``messages`` holds :class:`ReceivedMail` (parsed message, peer).
  ``free_port()`` gives a port with nothing listening (connection refused).
- :mod:`tests.fakes.imap_server` — :class:`FakeImapServer` (pymap, in-memory): ``append(user,
  raw)``, ``recreate_mailbox(user)`` (new UIDVALIDITY); plain, STARTTLS or implicit TLS.
- :mod:`tests.fakes.twilio_server` — :class:`FakeTwilioServer`: Messages, Calls and Account of
  Twilio's 2010-04-01 API, every request validated against the OpenAPI file in
  ``shared/specs/twilio`` (:mod:`tests.fakes.twilio_spec`) and recorded in ``requests``;
  ``rate_limit_next``, ``fail_next``, ``delay_next``, ``drop_next``, ``block_number``,
  ``set_status``. Without the spec file it raises :class:`SpecUnavailable`: skip with
  ``twilio_spec.SPEC_MISSING_REASON`` (check ``twilio_spec.spec_available()`` first).
- :mod:`tests.fakes.tls` — ``make_certificates(dir)``: a test CA and a server certificate for
  ``localhost``/``127.0.0.1``; ``server_context()`` for the fakes, ``client_context()`` (trusts
  only that CA, verifies hostnames) for the code under test.

Example fixtures: ``tests/integration/channels/conftest.py``.
"""
