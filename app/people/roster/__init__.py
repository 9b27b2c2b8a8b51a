"""The roster: the people list with its search and export, each person's page and
form, possible duplicates, and a member's own branch — always within the viewer's
data scope."""
