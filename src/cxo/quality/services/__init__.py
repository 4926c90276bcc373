"""Quality writes: one module per record type."""
