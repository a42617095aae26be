"""The shared action plan: agency-owned actions, their updates, "My actions" and the victim's view."""
