"""Registry services: changes a registry curator makes (merge and split organisations)."""
