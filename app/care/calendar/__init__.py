"""The care calendar and the collective birthday party list (see app/care/README.md)."""
