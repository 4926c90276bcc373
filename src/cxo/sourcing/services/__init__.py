"""Sourcing writes, one module per entity: programme, rfp, invitation, clarification, proposal, evaluation, award."""
