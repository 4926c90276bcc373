"""Contracts pages: work orders, their milestones, change orders and invoices, master agreements, money and the
programme view. Every page is under ``o/<org>/`` behind the organisation guard; each step declares its permission."""
