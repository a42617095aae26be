"""The Community Trigger (ASB Case Review) threshold: which complaints qualify, and is the threshold met?

Section 104 of the Anti-social Behaviour, Crime and Policing Act 2014 says the threshold is met at three
*qualifying complaints* (an area may set a lower number, never a higher one). A complaint qualifies when it was
made to a relevant body within one month of the incident and the application comes within six months of the
complaint. Areas add their own variations (one hate incident is enough; N different complainants; incidents on
separate occasions only), so every figure lives in a per-area `ThresholdPolicy`.

The decision has to be explainable to the applicant and to a challenge, so `evaluate` returns a verdict for every
incident - counted or not, and why - in plain English, alongside a machine-readable code the web layer can use.

This package is pure: standard library only, no Flask, no database. The web layer turns its rows into
`IncidentInput` values, calls `evaluate`, and stores or renders the result. That keeps the rules testable in
isolation and reusable from the CLI, the API and letter templates.

Boundaries, decided here once:
- "Within one month" and "within six months" are inclusive of the corresponding calendar date: an incident on
  15 March may be reported up to and including 15 April; a complaint made on 10 January supports an application
  made up to and including 10 July. Where the month is shorter, the day is clamped to its last day (31 January
  -> 28 February, or 29 February in a leap year). This is the generous reading; the Act's wording ("the period
  of one month beginning with the date...") can be read as ending one day earlier, and the bodies can always
  decide a borderline case on persistence, harm and adequacy of response, which this module does not attempt.
- A report made on the day of the incident, or an application made on the day of a report, is in time.
- A report dated before its incident, or an incident or report dated after today, is a mistake in the data:
  `validate` finds it (with the same messages the intake forms show) and `evaluate` refuses to decide on it.
- A report made after the application cannot have prompted it: it is ignored.
- Records identical in every field (date, time, description, complainant, and every report's agency, date and
  reference) are one complaint recorded twice: they count once, automatically, unless the coordinator says the
  copy is a separate incident (`keep_separate`). Records that differ in anything stay separate.
- Complainants are compared by name with case, spaces and punctuation ignored; a blank name, or the applicant's
  own name, is the applicant.
"""
