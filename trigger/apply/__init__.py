"""The public application form: no account needed; rate-limited; a honeypot for bots."""
