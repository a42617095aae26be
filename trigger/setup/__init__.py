"""The first-run set-up: the organisation's name and the first administrator."""
