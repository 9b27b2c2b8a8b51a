"""The roster as an .xlsx report: the roster page's filter, within the data scope of
whoever asked for it."""
