"""The quarterly points report of a branch or of the district: .xlsx and .pdf."""
