"""Volunteer activities: what a team did, where, for whom, and each participant's hours."""
