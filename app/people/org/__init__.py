"""The org tree: center → sub-center → party branch → party group, built by the
district administrator; units are renamed, moved and retired, never deleted."""
