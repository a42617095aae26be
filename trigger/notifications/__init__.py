"""Emails (the outbox, delivered over SMTP by `flask outbox send`) and each user's in-product notifications."""
