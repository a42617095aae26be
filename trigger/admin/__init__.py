"""Administration: the organisation's settings, areas, agencies, user accounts and the audit trail."""
