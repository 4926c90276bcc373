"""Contracts: writes. Every step is a service ``<record>_<verb>(*, actor, organisation, …)``: ``organisation`` is
the one the actor acts for (the sponsor or the provider named on the record), which decides its side."""
