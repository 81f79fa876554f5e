"""The composer: write a message from a template, preview it for a real lead, save a draft."""
