"""Running Trigger for real: structured logs, the jobs process, job-run records and the operators' status."""
