"""CSV exports of the case list, an action plan and "My actions", for people who work in spreadsheets."""
