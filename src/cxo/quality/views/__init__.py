"""Quality pages: the sponsor's (list, audits, CAPAs, agreements, changes, scorecards) and the provider's."""
