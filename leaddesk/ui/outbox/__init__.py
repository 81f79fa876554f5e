"""The Outbox view: every message waiting, held, failed or sent, with why and when; pause and
resume sending, retry and cancel."""
