"""The Settings dialog (Edit ▸ Settings…): one module per page, each over
``services.preferences`` (the same calls ``leaddesk settings`` makes)."""
