"""Case deadlines: opening and meeting them as a case moves, extensions, the dashboard and the reminder run.

- dates.py: today in Europe/London, dates written out, the applicant's own windows;
- opening.py: opening, meeting, extending and recomputing deadlines as a case changes stage;
- status.py: how a case's deadlines stand today (the case page's "Deadlines" section);
- coordinator.py: the coordinator who looks after a case and gets its reminders;
- ladders.py: each area's reminder ladder; reminders.py: the reminder run (`flask deadlines run`);
- listing.py: the case list's and the CSV export's deadline expressions;
- dashboard.py: the deadlines dashboard; routes.py, forms.py, cli.py: its pages and command.
"""
