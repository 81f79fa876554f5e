"""The leads view: a lazy table over the lead service, filters and a detail panel."""
