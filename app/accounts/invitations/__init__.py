"""Invitations: a district admin invites someone with a role, by a one-time link; the
link's holder sets a password once and is logged in."""
