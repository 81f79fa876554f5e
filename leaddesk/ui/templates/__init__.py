"""The template editor: create, edit and delete message templates with a live preview."""
