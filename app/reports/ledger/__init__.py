"""The branch ledger (台账) of a quarter: .xlsx (the paper book's layout) and .pdf."""
