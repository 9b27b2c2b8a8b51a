"""The meeting kinds a district's branches owe and the thought-report cadence, as the
district admin tunes them after the preset."""
