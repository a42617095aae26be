"""The home page, health check and the public information pages."""
