"""The message template language: sandboxed Jinja2 over lead, sender and company variables.

Rules that shape this package:

* A message is never sent broken. Every variable must have a value or a fallback
  (``{{ first_name | default("there") }}``); a blank field counts as missing. ``render``
  (``rendering``) raises :class:`~.errors.TemplateError` naming every missing variable and the
  part (subject/body) it is in.
* Templates are user data, so they run in Jinja's immutable sandbox with no globals and a short
  list of filters (``sandbox``); reaching for ``__class__``, ``__globals__`` and friends raises
  at once.
* Templates compile once (LRU cache): a campaign renders thousands of messages from one source.

``variables`` holds what a template may read and the values it renders with, ``checks`` what
the editor finds without a lead, ``errors`` and ``positions`` how a failure is reported.
"""
