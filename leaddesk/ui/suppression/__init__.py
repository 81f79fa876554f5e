"""The do-not-contact list: every suppressed address with its reason and date, added to and
removed from by hand."""
