"""Meetings of a branch or party group and who attended them (app/orglife/README.md)."""
