"""Asking for reports, following their progress, downloading them."""
