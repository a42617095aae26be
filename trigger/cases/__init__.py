"""Cases: staff intake, the case list and page, the lifecycle and linked cases."""
