"""Helpers shared by tests: fixtures and fakes (imported as ``tests.support.<module>``)."""
