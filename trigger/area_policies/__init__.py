"""Per-area settings that deadlines depend on: local closure days and the stage timescales."""
