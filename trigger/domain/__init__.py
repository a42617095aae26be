"""Pure domain rules: no Flask, no database. Threshold, working days, deadlines, statistics."""
