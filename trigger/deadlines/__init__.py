"""Case deadlines: opening and meeting them as a case moves, extensions, the dashboard and the reminder run."""
