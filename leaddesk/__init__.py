"""LeadDesk: a fast, offline-first desktop CRM for sales reps and small teams."""

__version__ = "0.1.0"
