"""Messaging: templates and the template language, the composer back end, channel rules,
messages, the do-not-contact list, WhatsApp content templates and configured channels.

Uses leads (recipients), credits (prices and reservations), the store and the channels'
settings; never the sending layer above it.
"""
