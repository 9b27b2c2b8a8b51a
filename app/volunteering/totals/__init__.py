"""Volunteering figures: per person, per team (with its sub-teams), per level, per year."""
