"""Signing in and out, passwords, throttling and server-side sessions."""
