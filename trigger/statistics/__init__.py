"""Statistics: the statutory figures, timeliness, escalations and actions, as a page, CSV, PDF and the CLI."""
