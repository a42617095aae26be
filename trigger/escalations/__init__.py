"""Escalations: the applicant's request to have the handling of their case reviewed, and its outcome."""
