"""The roster import in two steps: an upload checked by the worker (reading the file
in a sandboxed child, planning every row), then a commit in one transaction, keeping
the rows with problems to fix. Nothing here is imported by the sandboxed child but
the reading modules (reader, headers, cells, drafts, health)."""
